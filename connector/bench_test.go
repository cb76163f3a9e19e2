package connector_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/radarhq/radar/config"
	"github.com/radarhq/radar/connector"
	"github.com/radarhq/radar/jirasim"
	"github.com/radarhq/radar/store"
	"github.com/radarhq/radar/store/storetest"
)

// The sync benchmarks. They run only with -bench; docs/PERFORMANCE.md has
// the commands and the numbers. Each reports per-issue or per-request
// metrics that do not depend on b.N, so -benchtime=1x is enough for the
// slow ones.

// benchSync runs one sync into a fresh store and returns its result and how
// long Sync itself took (store set-up excluded).
func benchSync(b *testing.B, cfg connector.Settings, full bool, opts ...connector.Option) (connector.Result, time.Duration) {
	b.Helper()
	b.StopTimer()
	st := storetest.Open(b)
	c, err := connector.New(cfg, st, nil, opts...)
	if err != nil {
		b.Fatal(err)
	}
	b.StartTimer()
	t0 := time.Now()
	res, err := c.Sync(context.Background(), full)
	d := time.Since(t0)
	b.StopTimer()
	if err != nil {
		b.Fatalf("sync: %v", err)
	}
	b.StartTimer()
	return res, d
}

// BenchmarkSyncLocal is a full sync of 100,000 issues (4 projects × 25,000,
// shaped by the simulator's generator) with no added latency. "sim" serves
// them from the live simulator in this process, which shares the 2 cores
// and the allocator with the connector; "replay" serves the simulator's
// recorded answers byte for byte, so its numbers are the connector's own
// cost and compare with BenchmarkSyncFloor.
func BenchmarkSyncLocal(b *testing.B) {
	for _, flavor := range []jirasim.Flavor{jirasim.Cloud, jirasim.DataCenter} {
		for _, server := range []string{"sim", "replay"} {
			b.Run(fmt.Sprintf("%s/%s", flavor, server), func(b *testing.B) {
				b.StopTimer()
				var srv *httptest.Server
				if server == "sim" {
					_, srv = connector.NewBenchSim(b, connector.BenchScenario(4, 25000), flavor, nil)
				} else {
					srv = connector.NewBenchReplay(b, flavor)
				}
				cfg := connector.BenchConfig(srv.URL, flavor, connector.BenchProjects(4))
				var issues int
				var took time.Duration
				var ms0, ms1 runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&ms0)
				b.ResetTimer()
				b.StartTimer()
				for i := 0; i < b.N; i++ {
					res, d := benchSync(b, cfg, true)
					if res.Issues < 100000 {
						b.Fatalf("synced %d issues, want 100,000", res.Issues)
					}
					issues += res.Issues
					took += d
				}
				b.StopTimer()
				runtime.ReadMemStats(&ms1)
				b.ReportMetric(float64(issues)/took.Seconds(), "issues/s")
				b.ReportMetric(float64(ms1.TotalAlloc-ms0.TotalAlloc)/float64(issues), "B/issue")
			})
		}
	}
}

// BenchmarkSyncFirst is the first sync of one project of 22,000 issues
// (jirasim's generator, seed 7) from a simulator that answers every request
// after 100 ms and enforces Jira Cloud's burst limit of 100 requests/s
// (429 with Retry-After once the bucket is empty), measured side by side
// in one run:
//   - floor: the 220 search pages the project needs, fetched one at a
//     time (BenchPagesOneAtATime);
//   - defaults: a full sync with the default jira.concurrency and
//     jira.requests_per_second;
//   - c16: the same with concurrency 16 and requests_per_second 100.
//
// Each reports its wall time over the floor (-x), its requests per search
// page, and the 429s it met. Both syncs must write exactly what a
// sequential sync (concurrency 1, no latency or limit) wrote, compared
// with store.Dump. One iteration takes about 45 s; run it with
// -benchtime=1x.
func BenchmarkSyncFirst(b *testing.B) {
	const perProject = 22000
	sc := connector.BenchScenario(1, perProject)
	sim, srv := connector.NewBenchSim(b, sc, jirasim.Cloud, nil)
	projects := connector.BenchProjects(1)
	def := config.Default().Jira

	ref := connector.BenchConfig(srv.URL, jirasim.Cloud, projects)
	ref.Concurrency = 1
	_, _, _, want := benchSyncDump(b, ref)

	sim.SetFaults(jirasim.Faults{Latency: 100 * time.Millisecond, BurstLimit: 100})
	floorCfg := connector.BenchConfig(srv.URL, jirasim.Cloud, projects)
	type measured struct {
		wall, cpu time.Duration
		requests  float64
		limited   int
	}
	run := func(name string, concurrency int, rps float64) measured {
		cfg := connector.BenchConfig(srv.URL, jirasim.Cloud, projects)
		cfg.Concurrency, cfg.RequestsPerSecond = concurrency, rps
		limited := sim.FaultCounts()[jirasim.FaultBurstLimit]
		res, d, cpu, got := benchSyncDump(b, cfg)
		if res.Issues < perProject {
			b.Fatalf("%s: synced %d issues, want %d", name, res.Issues, perProject)
		}
		if got != want {
			b.Fatalf("%s: the store differs from a sequential sync's", name)
		}
		return measured{d, cpu, float64(res.Requests), sim.FaultCounts()[jirasim.FaultBurstLimit] - limited}
	}
	var floor time.Duration
	var pages float64
	var dflt, c16 measured
	add := func(sum *measured, m measured) {
		sum.wall += m.wall
		sum.cpu += m.cpu
		sum.requests += m.requests
		sum.limited += m.limited
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d, n := connector.BenchPagesOneAtATime(b, floorCfg, projects[0])
		floor += d
		pages += float64(n)
		add(&dflt, run("defaults", def.Concurrency, def.RequestsPerSecond))
		add(&c16, run("c16", 16, 100))
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(floor.Seconds()/n, "floor-s")
	b.ReportMetric(pages/n, "pages")
	for _, m := range []struct {
		name string
		m    measured
	}{{"default", dflt}, {"c16", c16}} {
		b.ReportMetric(m.m.wall.Seconds()/n, m.name+"-s")
		b.ReportMetric(m.m.wall.Seconds()/floor.Seconds(), m.name+"-x")
		b.ReportMetric(m.m.cpu.Seconds()/n, m.name+"-cpu-s")
		b.ReportMetric(m.m.requests/pages, m.name+"-req/page")
		b.ReportMetric(float64(m.m.limited)/n, m.name+"-429s")
	}
}

// benchSyncDump is benchSync that also reports the process's CPU time
// during the sync and dumps what the sync wrote.
func benchSyncDump(b *testing.B, cfg connector.Settings) (connector.Result, time.Duration, time.Duration, string) {
	b.Helper()
	b.StopTimer()
	defer b.StartTimer()
	ctx := context.Background()
	st := storetest.Open(b)
	c, err := connector.New(cfg, st, nil)
	if err != nil {
		b.Fatal(err)
	}
	t0, cpu0 := time.Now(), processCPU()
	res, err := c.Sync(ctx, true)
	d, cpu := time.Since(t0), processCPU()-cpu0
	if err != nil {
		b.Fatalf("sync: %v", err)
	}
	var sb strings.Builder
	if err := st.Dump(ctx, &sb, store.SyncVolatile()); err != nil {
		b.Fatal(err)
	}
	return res, d, cpu, sb.String()
}

// BenchmarkSyncIncrementalNoop counts the requests of an incremental sync
// when nothing changed in Jira, after a full sync of 4 projects × 2,500
// issues: "quiet" when reconciliation is not due, "reconcile" when it is
// (every run).
func BenchmarkSyncIncrementalNoop(b *testing.B) {
	for _, tc := range []struct {
		name           string
		reconcileEvery time.Duration
	}{
		{"quiet", 365 * 24 * time.Hour},
		{"reconcile", time.Minute},
	} {
		for _, flavor := range []jirasim.Flavor{jirasim.Cloud, jirasim.DataCenter} {
			b.Run(fmt.Sprintf("%s/%s", tc.name, flavor), func(b *testing.B) {
				clk := newClock(connector.BenchAnchor)
				_, srv := connector.NewBenchSim(b, connector.BenchScenario(4, 2500), flavor, clk.Now)
				cfg := connector.BenchConfig(srv.URL, flavor, connector.BenchProjects(4))
				cfg.ReconcileEvery = tc.reconcileEvery
				st := storetest.Open(b, store.WithClock(clk.Now))
				c, err := connector.New(cfg, st, nil, connector.WithClock(clk.Now))
				if err != nil {
					b.Fatal(err)
				}
				if _, err := c.Sync(context.Background(), false); err != nil {
					b.Fatal(err)
				}
				reqs, issues := 0, 0
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					clk.Advance(10 * time.Minute)
					res, err := c.Sync(context.Background(), false)
					if err != nil {
						b.Fatal(err)
					}
					reqs += res.Requests
					issues += res.Issues
				}
				b.StopTimer()
				b.ReportMetric(float64(reqs)/float64(b.N), "requests/op")
				b.ReportMetric(float64(issues)/float64(b.N), "issues/op")
				b.ReportMetric(float64(len(cfg.Projects)), "scopes")
			})
		}
	}
}
