package webui

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/analysis"
	"github.com/radarhq/radar/report"
)

var simNow = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// simulatedSite is a years-old site of n issues in 20 projects, shaped as
// REALISM.md describes: most issues done, about 11 % open, one
// dependency link per issue (mostly between done issues, about 5 % open
// to open), epics and sub-tasks, fix versions whose scope moves (each
// membership and status change in the changelog).
func simulatedSite(n int) radar.Snapshot {
	rng := rand.New(rand.NewPCG(13, 13))
	const projects = 20
	var s radar.Snapshot
	s.Statuses = []radar.Status{{ID: "1", Name: "To Do", Category: radar.CategoryNew},
		{ID: "3", Name: "In Progress", Category: radar.CategoryInProgress}, {ID: "6", Name: "Done", Category: radar.CategoryDone}}
	for p := range projects {
		for v := range 6 {
			ver := radar.Version{ID: fmt.Sprintf("%d-%d", p, v), Project: fmt.Sprintf("P%d", p), Name: fmt.Sprintf("%d.0", v)}
			if v < 4 {
				ver.Released, ver.ReleaseDate = true, simNow.AddDate(0, -(4-v)*3, 0)
			} else {
				ver.ReleaseDate, ver.StartDate = simNow.AddDate(0, (v-3)*2, 0).Truncate(24*time.Hour), simNow.AddDate(0, -2, 0)
			}
			s.Versions = append(s.Versions, ver)
			s.VersionDates = append(s.VersionDates, radar.VersionDate{VersionID: ver.ID, ObservedAt: simNow.AddDate(0, -1, 0), ReleaseDate: ver.ReleaseDate})
		}
	}
	s.Issues = make([]radar.Issue, n)
	per := (n + projects - 1) / projects
	var open []int
	for i := range n {
		p, num := i/per, i%per+1
		is := &s.Issues[i]
		is.ID, is.Key, is.Project, is.Type = fmt.Sprint(10000+i), fmt.Sprintf("P%d-%d", p, num), fmt.Sprintf("P%d", p), "Story"
		is.Summary = fmt.Sprintf("Simulated issue %d of project %d", num, p)
		is.Created = simNow.AddDate(0, 0, -rng.IntN(1500)-20)
		is.Updated = simNow.Add(-time.Duration(rng.IntN(60*24)) * time.Hour)
		switch {
		case rng.IntN(200) == 0:
			is.Type = "Epic"
		case num > 1 && rng.IntN(16) == 0:
			is.Type, is.Subtask, is.ParentKey = "Sub-task", true, fmt.Sprintf("P%d-%d", p, 1+rng.IntN(num-1))
		case num > 300 && rng.IntN(3) == 0:
			is.EpicKey = fmt.Sprintf("P%d-%d", p, num-1-rng.IntN(300))
		}
		is.AssigneeName = fmt.Sprintf("Person %d", rng.IntN(400))
		version := fmt.Sprintf("%d-%d", p, rng.IntN(4))
		is.Status, is.StatusID, is.StatusCategory = "Done", "6", radar.CategoryDone
		if r := rng.IntN(100); r >= 89 {
			is.Status, is.StatusID, is.StatusCategory = "To Do", "1", radar.CategoryNew
			if r >= 97 {
				is.Status, is.StatusID, is.StatusCategory = "In Progress", "3", radar.CategoryInProgress
			}
			version = fmt.Sprintf("%d-%d", p, 4+rng.IntN(2))
			open = append(open, i)
		}
		joined := is.Created.Add(time.Duration(rng.IntN(30*24)) * time.Hour)
		if rng.IntN(10) < 6 {
			is.FixVersions = []string{version}
			s.Changes = append(s.Changes, radar.Change{IssueKey: is.Key, HistoryID: is.ID + "v", Created: joined, Field: "Fix Version", FieldID: "fixVersions", To: version})
		}
		switch is.StatusCategory {
		case radar.CategoryDone:
			is.Resolved = joined.Add(time.Duration(1+rng.IntN(40*24)) * time.Hour)
			s.Changes = append(s.Changes, radar.Change{IssueKey: is.Key, HistoryID: is.ID + "s", Created: is.Resolved, Field: "status", FieldID: "status", From: "1", To: "6"})
		case radar.CategoryInProgress:
			s.Changes = append(s.Changes, radar.Change{IssueKey: is.Key, HistoryID: is.ID + "s", Created: joined.Add(time.Hour), Field: "status", FieldID: "status", From: "1", To: "3"})
		}
	}
	s.Dependencies = make([]radar.Dependency, n)
	for k := range s.Dependencies {
		var a, b int
		if k%20 == 0 && len(open) > 1 {
			a, b = open[rng.IntN(len(open))], open[rng.IntN(len(open))]
			if a > b && rng.IntN(50) != 0 {
				a, b = b, a
			}
		} else {
			b = rng.IntN(n)
			a = max(0, b-1-rng.IntN(500))
		}
		s.Dependencies[k] = radar.Dependency{LinkID: fmt.Sprint(k), Type: "Blocks", Blocker: s.Issues[a].Key, Blocked: s.Issues[b].Key}
	}
	return s
}

// BenchmarkPages renders the overview, the findings list and the issue page
// with the largest neighbourhood of a 100,000-issue simulated site: server
// time per page, through the real handler (the bearer token checked). A
// tenth of the findings has an owner or state (the acks come from memory:
// the store's query is not timed), and the status report page builds its
// report with the report package.
func BenchmarkPages(b *testing.B) {
	snap := simulatedSite(100_000)
	rep := analysis.Analyze(snap, analysis.Options{Now: simNow})
	acks := map[string]radar.Ack{}
	states := []string{radar.AckAcknowledged, radar.AckSnoozed, radar.AckDismissed}
	for i, f := range rep.Findings {
		if i%10 == 0 {
			acks[f.ID] = radar.Ack{State: states[i/10%3], By: "person", At: simNow, UntilWorse: true, Note: "on it"}
		}
	}
	u, err := New(Options{JiraURL: "https://example.atlassian.net", Token: "t",
		Acks: func(context.Context) (map[string]radar.Ack, error) { return acks, nil },
		StatusReport: func(_ context.Context, rep radar.Report, snap radar.Snapshot, q report.Request) (radar.StatusReport, error) {
			st, _ := report.Build(report.Input{Now: rep.GeneratedAt, Window: q.Window, Project: q.Project, Audience: q.Audience,
				Analysis: rep, Snapshot: snap})
			return st, nil
		}})
	if err != nil {
		b.Fatal(err)
	}
	u.Update(snap, rep)
	ix := u.data.Load()
	// The largest page: the blocker whose picture, done issues and parent
	// links included, has the most nodes (of those, the first by key: many
	// reach the cap, and map order must not pick the page).
	largest, nodes := "", 0
	for key := range ix.blast {
		nb := ix.neighbourhood(key, graphOptions{parents: true, done: true})
		if n := len(nb.nodes); n > nodes || n == nodes && radar.CompareKeys(key, largest) < 0 {
			largest, nodes = key, n
		}
	}
	h := u.Handler()
	b.Logf("%d issues, %d findings; largest neighbourhood %s: %d nodes (%d with done issues folded, no parent links)",
		len(snap.Issues), len(rep.Findings), largest, nodes, len(ix.neighbourhood(largest, graphOptions{}).nodes))
	for _, p := range []struct{ name, path string }{
		{"overview", "/"}, {"findings", "/findings"}, {"findings-filtered", "/findings?severity=warning&q=person+1"},
		{"findings-unowned", "/findings?state=unowned"}, {"report", "/report"},
		{"issue-largest", radar.IssuePath(largest)}, {"issue-largest-parents-done", radar.IssuePath(largest) + "?parents=1&done=1"},
		{"release", radar.ReleasePath(rep.Versions[0].Project, rep.Versions[0].Name)},
	} {
		b.Run(p.name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, p.path, nil)
			req.Header.Set("Authorization", "Bearer t")
			var size int
			for b.Loop() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("%s: status %d", p.path, w.Code)
				}
				size = w.Body.Len()
			}
			b.ReportMetric(float64(size)/1024, "KiB/page")
		})
	}
}

// BenchmarkUpdate is the cost, once per analysis, of indexing a
// 100,000-issue snapshot for the pages.
func BenchmarkUpdate(b *testing.B) {
	snap := simulatedSite(100_000)
	rep := analysis.Analyze(snap, analysis.Options{Now: simNow})
	u, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		u.Update(snap, rep)
	}
}
