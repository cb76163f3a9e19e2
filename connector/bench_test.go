package connector_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/radarhq/radar/config"
	"github.com/radarhq/radar/connector"
	"github.com/radarhq/radar/jirasim"
	"github.com/radarhq/radar/store"
)

// The sync benchmarks. They run only with -bench; docs/PERFORMANCE.md has
// the commands and the numbers. Each reports per-issue or per-request
// metrics that do not depend on b.N, so -benchtime=1x is enough for the
// slow ones.

// benchSync runs one sync into a fresh store and returns its result and how
// long Sync itself took (store set-up excluded).
func benchSync(b *testing.B, cfg config.Jira, full bool, opts ...connector.Option) (connector.Result, time.Duration) {
	b.Helper()
	b.StopTimer()
	st, err := store.Open(context.Background(), filepath.Join(b.TempDir(), "radar.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
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

// BenchmarkSyncLatency is a full sync of 20,000 issues (2 projects ×
// 10,000, partitions of 2,000: 10 partitions) from a simulator that adds
// 200 ms to every request, once with jira.concurrency 1 and once with 8,
// under a client-side limit of 50 requests/s. One iteration takes about
// 100 s; run it with -benchtime=1x.
func BenchmarkSyncLatency(b *testing.B) {
	const rps = 50
	sc := connector.BenchScenario(2, 10000)
	sim, srv := connector.NewBenchSim(b, sc, jirasim.Cloud, nil)
	sim.SetFaults(jirasim.Faults{Latency: 200 * time.Millisecond})
	run := func(concurrency int) (connector.Result, time.Duration) {
		cfg := connector.BenchConfig(srv.URL, jirasim.Cloud, connector.BenchProjects(2))
		cfg.Concurrency = concurrency
		cfg.PartitionSize = 2000
		cfg.RequestsPerSecond = rps
		res, d := benchSync(b, cfg, true)
		if res.Issues != 20000 {
			b.Fatalf("synced %d issues, want 20,000", res.Issues)
		}
		return res, d
	}
	var seq, par time.Duration
	var parReqs int
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_, d1 := run(1)
		res8, d8 := run(8)
		seq += d1
		par += d8
		parReqs += res8.Requests
	}
	n := float64(b.N)
	b.ReportMetric(seq.Seconds()/n, "c1-s")
	b.ReportMetric(par.Seconds()/n, "c8-s")
	b.ReportMetric(seq.Seconds()/par.Seconds(), "x-speedup")
	b.ReportMetric(float64(parReqs)/par.Seconds(), "c8-req/s")
	b.ReportMetric(rps, "limit-req/s")
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
				st, err := store.Open(context.Background(), filepath.Join(b.TempDir(), "radar.db"), store.WithClock(clk.Now))
				if err != nil {
					b.Fatal(err)
				}
				defer st.Close()
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
