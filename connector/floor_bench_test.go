package connector

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/radarhq/radar/config"
	"github.com/radarhq/radar/jirasim"
	"github.com/radarhq/radar/store"
	"github.com/radarhq/radar/store/storetest"
)

// BenchAnchor is the time the benchmark scenarios are generated around.
var BenchAnchor = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

// benchScenarios caches generated scenarios by size for the whole benchmark
// process: generating 100,000 issues takes seconds and must stay outside the
// timed region.
var benchScenarios struct {
	mu sync.Mutex
	m  map[[2]int]*jirasim.Scenario
}

// BenchScenario returns the scenario of projects × perProject issues (plus
// an outside project a fifth that size), generated once per process. The
// simulator copies it, so callers may share it.
func BenchScenario(projects, perProject int) *jirasim.Scenario {
	benchScenarios.mu.Lock()
	defer benchScenarios.mu.Unlock()
	if benchScenarios.m == nil {
		benchScenarios.m = map[[2]int]*jirasim.Scenario{}
	}
	k := [2]int{projects, perProject}
	if sc := benchScenarios.m[k]; sc != nil {
		return sc
	}
	sc := jirasim.Generate(jirasim.ScenarioConfig{Seed: 7, Projects: BenchProjects(projects), IssuesPerProject: perProject,
		OutsideProject: "OPS", Now: BenchAnchor})
	benchScenarios.m[k] = sc
	return sc
}

// BenchProjects names n synced projects.
func BenchProjects(n int) []string {
	all := []string{"PAY", "WEB", "APP", "DATA", "CORE", "INFRA", "MOB", "SEC"}
	return all[:n]
}

// BenchConfig is the Jira configuration the sync benchmarks start from: no
// client-side rate limit, default page size, credentials the simulator takes.
func BenchConfig(url string, flavor jirasim.Flavor, projects []string) Settings {
	cfg := config.Default().Jira
	cfg.URL = url
	cfg.Token = "s3cret-token"
	if flavor == jirasim.Cloud {
		cfg.Email = "pm@example.com"
	}
	cfg.Projects = projects
	cfg.Dependencies = []config.Dependency{{Link: "Blocks", Outward: "blocks"}, {Link: "Depends", Outward: "depends on"}}
	cfg.RequestsPerSecond = 1000 // the most allowed: the client does not hold the test back
	return SettingsFrom(cfg)
}

// NewBenchSim serves sc as flavor on a loopback httptest server; now is the
// simulator's clock (nil: fixed at BenchAnchor).
func NewBenchSim(tb testing.TB, sc *jirasim.Scenario, flavor jirasim.Flavor, now func() time.Time) (*jirasim.Server, *httptest.Server) {
	if now == nil {
		now = func() time.Time { return BenchAnchor }
	}
	return storetest.ServeJira(tb, sc, jirasim.Options{Flavor: flavor, Email: "pm@example.com", Token: "s3cret-token", Now: now})
}

// recorder keeps the body of every search and changelog answer, and every
// answer by request for replay.
type recorder struct {
	mu      sync.Mutex
	base    http.RoundTripper
	bodies  []recorded
	answers map[string][]byte
}

// replayKey identifies a request by everything the connector varies.
func replayKey(method, uri string, body []byte) string {
	return method + " " + uri + " " + string(body)
}

type recorded struct {
	kind string // search | changelog
	body []byte
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.Body != nil {
		var err error
		if reqBody, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	resp, err := r.base.RoundTrip(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(b))
	kind := ""
	switch {
	case strings.Contains(req.URL.Path, "/search"):
		kind = "search"
	case strings.Contains(req.URL.Path, "/changelog/bulkfetch"):
		kind = "changelog"
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if kind != "" {
		r.bodies = append(r.bodies, recorded{kind, b})
	}
	r.answers[replayKey(req.Method, req.URL.RequestURI(), reqBody)] = b
	return resp, nil
}

// NewBenchReplay serves the answers recorded from one full sync of the 100k
// scenario (see BenchScenario) as flavor, byte for byte, so a sync against
// it costs the server almost nothing and the client's own cost is what is
// measured. Requests it did not record get 404. It counts the requests.
func NewBenchReplay(b *testing.B, flavor jirasim.Flavor) *httptest.Server {
	fd := loadFloor(b, flavor)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, err := io.ReadAll(req.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		ans, ok := fd.answers[replayKey(req.Method, req.URL.RequestURI(), body)]
		if !ok {
			http.Error(w, `{"errorMessages":["not recorded"]}`, http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(ans)
	}))
	b.Cleanup(srv.Close)
	return srv
}

// BenchFloorIssues is how many issues the recorded 100k sync wrote.
func BenchFloorIssues(b *testing.B, flavor jirasim.Flavor) int { return loadFloor(b, flavor).issues }

// floorData is what one full sync of the scenario decoded and wrote.
type floorData struct {
	answers map[string][]byte
	bodies  []recorded
	bytes   int64
	batches [][]store.IssueRecord
	issues  int
}

var floorOnce = map[jirasim.Flavor]*sync.Once{jirasim.Cloud: {}, jirasim.DataCenter: {}}
var floorCache = map[jirasim.Flavor]*floorData{}

// loadFloor records the raw answers of one full sync of the 100k scenario
// and maps them into the records the writer would write, in its batches.
func loadFloor(b *testing.B, flavor jirasim.Flavor) *floorData {
	floorOnce[flavor].Do(func() {
		sc := BenchScenario(4, 25000)
		_, srv := NewBenchSim(b, sc, flavor, nil)
		rec := &recorder{base: http.DefaultTransport, answers: map[string][]byte{}}
		st := storetest.Open(b)
		c, err := New(BenchConfig(srv.URL, flavor, BenchProjects(4)), st, &http.Client{Transport: rec})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.Sync(context.Background(), true); err != nil {
			b.Fatal(err)
		}
		fd := &floorData{bodies: rec.bodies, answers: rec.answers}
		// Map every full page (not the id listings) into records, as sync does.
		var logs map[string][]wireHistory
		if flavor == jirasim.Cloud {
			logs = map[string][]wireHistory{}
			for _, r := range rec.bodies {
				if r.kind != "changelog" {
					continue
				}
				var p wireBulkChangelog
				if err := unmarshalWire(r.body, &p); err != nil {
					b.Fatal(err)
				}
				for _, l := range p.IssueChangeLogs {
					logs[l.IssueID] = append(logs[l.IssueID], l.ChangeHistories...)
				}
			}
		}
		var all []store.IssueRecord
		for _, r := range rec.bodies {
			fd.bytes += int64(len(r.body))
			if r.kind != "search" {
				continue
			}
			is, err := decodePage(r.body, flavor)
			if err != nil {
				b.Fatal(err)
			}
			for i := range is {
				if is[i].Fields.Created == "" {
					continue // an id listing
				}
				rec, _, err := c.site.mapper.issue(&is[i], is[i].Key[:strings.LastIndexByte(is[i].Key, '-')])
				if err != nil {
					b.Fatal(err)
				}
				hs := logs[is[i].ID]
				if is[i].Changelog != nil {
					hs = is[i].Changelog.Histories
				}
				if rec.Changes, err = changes(is[i].Key, hs); err != nil {
					b.Fatal(err)
				}
				all = append(all, rec)
			}
		}
		fd.issues = len(all)
		for i := 0; i < len(all); i += c.batchSize {
			fd.batches = append(fd.batches, all[i:min(i+c.batchSize, len(all))])
		}
		floorCache[flavor] = fd
	})
	fd := floorCache[flavor]
	if fd == nil {
		b.Fatal("floor data not recorded")
	}
	return fd
}

func decodePage(body []byte, flavor jirasim.Flavor) ([]wireIssue, error) {
	if flavor == jirasim.Cloud {
		var p wireCloudPage
		err := unmarshalWire(body, &p)
		return p.Issues, err
	}
	var p wireDCPage
	err := unmarshalWire(body, &p)
	return p.Issues, err
}

// BenchmarkSyncFloor is the least a full sync of the 100k scenario must do:
// decode the same answers into the wire structs (no mapping) and write the
// same records in the same batches into a fresh store. BenchmarkSyncLocal
// divided by this is the connector's overhead.
func BenchmarkSyncFloor(b *testing.B) {
	for _, flavor := range []jirasim.Flavor{jirasim.Cloud, jirasim.DataCenter} {
		b.Run(string(flavor), func(b *testing.B) {
			fd := loadFloor(b, flavor)
			ctx := context.Background()
			var decode, insert time.Duration
			var ms0, ms1 runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&ms0)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				st, err := store.Open(ctx, filepath.Join(b.TempDir(), fmt.Sprintf("floor%d.db", i)))
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				t0 := time.Now()
				for _, r := range fd.bodies {
					if r.kind == "changelog" {
						var p wireBulkChangelog
						if err := unmarshalWire(r.body, &p); err != nil {
							b.Fatal(err)
						}
						continue
					}
					if _, err := decodePage(r.body, flavor); err != nil {
						b.Fatal(err)
					}
				}
				t1 := time.Now()
				for _, batch := range fd.batches {
					if err := st.WriteBatch(ctx, store.Batch{Issues: batch}); err != nil {
						b.Fatal(err)
					}
				}
				t2 := time.Now()
				decode += t1.Sub(t0)
				insert += t2.Sub(t1)
				b.StopTimer()
				st.Close()
				b.StartTimer()
			}
			b.StopTimer()
			runtime.ReadMemStats(&ms1)
			n := float64(b.N)
			total := float64(fd.issues) * n
			b.ReportMetric(total/(decode+insert).Seconds(), "issues/s")
			b.ReportMetric(float64(ms1.TotalAlloc-ms0.TotalAlloc)/total, "B/issue")
			b.ReportMetric(decode.Seconds()/n, "decode-s")
			b.ReportMetric(insert.Seconds()/n, "insert-s")
			b.ReportMetric(float64(fd.bytes)/float64(fd.issues), "wire-B/issue")
		})
	}
}

// BenchPagesOneAtATime fetches the search pages a full sync of project
// needs one after the other, as the connector pages a single query (the
// fields it asks for, jira.page_size per page, each answer decoded): the
// floor BenchmarkSyncFirst compares with. It returns the time the pages
// took and how many there were.
func BenchPagesOneAtATime(b *testing.B, cfg Settings, project string) (time.Duration, int) {
	ctx := context.Background()
	st := storetest.Open(b)
	c, err := New(cfg, st, nil)
	if err != nil {
		b.Fatal(err)
	}
	site, err := c.discover(ctx, true)
	if err != nil {
		b.Fatal(err)
	}
	pages := 0
	t0 := time.Now()
	err = c.page(ctx, site, query{base: c.scopeJQL(project)}, site.fieldList, c.cfg.PageSize, !site.cloud,
		func([]wireIssue) error { pages++; return nil }, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	return time.Since(t0), pages
}
