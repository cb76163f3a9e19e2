package analysis

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"testing"
	"time"

	"github.com/radarhq/radar"
)

var benchNow = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// benchSnapshot generates n issues with about n dependency links, shaped like
// the real sites in REALISM.md: 20 projects, about 11 % of issues open (3 %
// in progress), 0.5 % epics, 6 % sub-tasks, 60 % with a fix version, most
// links between done issues and about 5 % between open ones, a few cycles,
// and one status change per issue in the changelog.
func benchSnapshot(n int) radar.Snapshot {
	rng := rand.New(rand.NewPCG(42, 1))
	const projects = 20
	var s radar.Snapshot
	s.Statuses = []radar.Status{{ID: "1", Name: "To Do", Category: radar.CategoryNew},
		{ID: "3", Name: "In Progress", Category: radar.CategoryInProgress}, {ID: "6", Name: "Done", Category: radar.CategoryDone}}
	for p := 0; p < projects; p++ {
		for v := 0; v < 10; v++ {
			ver := radar.Version{ID: fmt.Sprintf("%d-%d", p, v), Project: fmt.Sprintf("P%d", p), Name: fmt.Sprintf("%d.0", v)}
			if v < 8 {
				ver.Released = true
				ver.ReleaseDate = benchNow.AddDate(0, -(8-v)*2, 0)
			} else {
				ver.ReleaseDate = benchNow.AddDate(0, v-7, 0).Truncate(24 * time.Hour)
				ver.StartDate = benchNow.AddDate(0, -1, 0)
			}
			s.Versions = append(s.Versions, ver)
		}
		s.Sprints = append(s.Sprints, radar.Sprint{ID: int64(p*2 + 1), Name: "closed", State: "closed", Start: benchNow.AddDate(0, 0, -28), End: benchNow.AddDate(0, 0, -14)},
			radar.Sprint{ID: int64(p*2 + 2), Name: "active", State: "active", Start: benchNow.AddDate(0, 0, -7), End: benchNow.AddDate(0, 0, 7)})
	}
	s.Issues = make([]radar.Issue, n)
	s.Changes = make([]radar.Change, 0, n)
	var open []int
	perProject := (n + projects - 1) / projects
	for i := 0; i < n; i++ {
		p, num := i/perProject, i%perProject+1
		is := &s.Issues[i]
		is.ID = fmt.Sprint(100000 + i)
		is.Key = fmt.Sprintf("P%d-%d", p, num)
		is.Project = fmt.Sprintf("P%d", p)
		is.Type = "Bug"
		is.Summary = "Generated issue"
		is.Created = benchNow.AddDate(0, 0, -rng.IntN(700)-30)
		is.Updated = benchNow.Add(-time.Duration(rng.IntN(30*24)) * time.Hour)
		if rng.IntN(200) == 0 {
			is.Type = "Epic"
		} else if num > 1 && rng.IntN(16) == 0 {
			is.Type, is.Subtask = "Sub-task", true
			is.ParentKey = fmt.Sprintf("P%d-%d", p, 1+rng.IntN(num-1))
		} else if num > 200 && rng.IntN(3) == 0 {
			is.EpicKey = fmt.Sprintf("P%d-%d", p, num-1-rng.IntN(200))
		}
		if rng.IntN(10) < 9 {
			is.AssigneeID = fmt.Sprintf("u%d-%d", p, rng.IntN(200))
			is.AssigneeName = "User " + is.AssigneeID
		}
		if rng.IntN(2) == 0 {
			pts := float64(1 + rng.IntN(8))
			is.StoryPoints = &pts
		}
		start := is.Created.Add(time.Duration(rng.IntN(10*24)) * time.Hour)
		switch r := rng.IntN(100); {
		case r < 89:
			is.Status, is.StatusID, is.StatusCategory = "Done", "6", radar.CategoryDone
			is.Resolved = start.Add(time.Duration(1+rng.IntN(20*24)) * time.Hour)
			if rng.IntN(10) < 6 {
				is.FixVersions = []string{fmt.Sprintf("%d-%d", p, rng.IntN(8))}
			}
		case r < 97:
			is.Status, is.StatusID, is.StatusCategory = "To Do", "1", radar.CategoryNew
			open = append(open, i)
		default:
			is.Status, is.StatusID, is.StatusCategory = "In Progress", "3", radar.CategoryInProgress
			open = append(open, i)
			s.Changes = append(s.Changes, radar.Change{IssueKey: is.Key, HistoryID: is.ID, Created: start, Field: "status", From: "1", To: "3"})
		}
		if !is.Done() {
			if rng.IntN(10) < 6 {
				is.FixVersions = []string{fmt.Sprintf("%d-%d", p, 8+rng.IntN(2))}
			}
			if rng.IntN(10) == 0 {
				is.SprintIDs = []int64{int64(p*2 + 1), int64(p*2 + 2)}
			}
			if rng.IntN(12) == 0 {
				is.Due = benchNow.AddDate(0, 0, rng.IntN(40)-10).Truncate(24 * time.Hour)
			}
		}
	}
	s.Dependencies = make([]radar.Dependency, n)
	for k := range s.Dependencies {
		var a, b int
		if k%20 == 0 && len(open) > 1 { // about 5 % open → open, mostly forward in key order
			x, y := open[rng.IntN(len(open))], open[rng.IntN(len(open))]
			if x > y && rng.IntN(50) != 0 {
				x, y = y, x
			}
			a, b = x, y
		} else {
			b = rng.IntN(n)
			a = max(0, b-1-rng.IntN(500))
		}
		s.Dependencies[k] = radar.Dependency{LinkID: fmt.Sprint(k), Type: "Blocks", Blocker: s.Issues[a].Key, Blocked: s.Issues[b].Key}
	}
	return s
}

// peakHeap samples live heap object bytes (runtime/metrics
// "/memory/classes/heap/objects:bytes") every millisecond until stopped,
// and returns the highest value seen. Sampling can miss short spikes
// between samples; it reads no stop-the-world statistics.
func peakHeap() (stop func() uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak atomic.Uint64
	read := func() {
		metrics.Read(sample)
		if v := sample[0].Value.Uint64(); v > peak.Load() {
			peak.Store(v)
		}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			read()
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		<-finished
		read()
		return peak.Load()
	}
}

// BenchmarkAnalyze analyses generated snapshots of 10k, 100k and 1M issues
// (as many dependency links). ns/issue is the analysis time per issue;
// snapshot-MiB the live heap holding the snapshot before analysis;
// peak-heap-MiB the sampled high water of the live heap during analysis,
// snapshot included.
func BenchmarkAnalyze(b *testing.B) {
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprintf("issues=%d", n), func(b *testing.B) {
			snap := benchSnapshot(n)
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			base := ms.HeapAlloc
			stop := peakHeap()
			b.ResetTimer()
			var rep radar.Report
			for b.Loop() {
				rep = Analyze(snap, Options{Now: benchNow})
			}
			b.StopTimer()
			peak := stop()
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/issue")
			b.ReportMetric(float64(base)/(1<<20), "snapshot-MiB")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
			b.ReportMetric(float64(len(rep.Findings)), "findings")
			runtime.KeepAlive(snap)
		})
	}
}
