package analysis_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/analysis"
)

var (
	sigToDo     = radar.Status{ID: "1", Name: "To Do", Category: radar.CategoryNew}
	sigDoing    = radar.Status{ID: "3", Name: "In Progress", Category: radar.CategoryInProgress}
	sigDone     = radar.Status{ID: "5", Name: "Done", Category: radar.CategoryDone}
	sigHours    = time.Hour
	sigDays     = 24 * time.Hour
	sigStatusOf = map[radar.StatusCategory]radar.Status{radar.CategoryNew: sigToDo, radar.CategoryInProgress: sigDoing, radar.CategoryDone: sigDone}
)

// sigIssue is issue P-n in category cat, last updated idle before siteNow.
func sigIssue(n int, cat radar.StatusCategory, idle time.Duration) radar.Issue {
	st := sigStatusOf[cat]
	is := radar.Issue{ID: fmt.Sprint(n), Key: fmt.Sprintf("P-%d", n), Project: "P", Type: "Story", Status: st.Name, StatusID: st.ID,
		StatusCategory: cat, Created: siteNow.Add(-idle - 30*sigDays), Updated: siteNow.Add(-idle)}
	if cat == radar.CategoryDone {
		is.Resolved = is.Updated
	}
	return is
}

func sigSnapshot(issues ...radar.Issue) radar.Snapshot {
	return radar.Snapshot{Issues: issues, Statuses: []radar.Status{sigToDo, sigDoing, sigDone}}
}

func sigFindings(snap radar.Snapshot, opts analysis.Options) map[string]radar.Finding {
	opts.Now = siteNow
	out := map[string]radar.Finding{}
	for _, f := range analysis.Analyze(snap, opts).Findings {
		out[f.ID] = f
	}
	return out
}

// TestStaleKeptToTheHour: stale_after is compared to the hour, not cut to
// whole days (1h used to behave as 0 days, 36h as 1 day).
func TestStaleKeptToTheHour(t *testing.T) {
	tests := []struct {
		staleAfter, idle time.Duration
		want             bool
	}{
		{1 * sigHours, 30 * time.Minute, false},
		{1 * sigHours, 2 * sigHours, true},
		{36 * sigHours, 30 * sigHours, false},
		{36 * sigHours, 40 * sigHours, true},
		{7 * sigDays, 7*sigDays - sigHours, false},
		{7 * sigDays, 7*sigDays + sigHours, true},
		{7 * sigDays, -3 * sigDays, false}, // changed after the clock: untouched for no time
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%v after %v", tt.idle, tt.staleAfter), func(t *testing.T) {
			fs := sigFindings(sigSnapshot(sigIssue(1, radar.CategoryInProgress, tt.idle)), analysis.Options{StaleAfter: tt.staleAfter})
			f, got := fs["stale:P-1"]
			if got != tt.want {
				t.Fatalf("stale = %v (%s), want %v", got, f.Title, tt.want)
			}
			if got && tt.idle < 48*sigHours && !strings.Contains(f.Title, fmt.Sprintf("%d hours", int(tt.idle/sigHours))) {
				t.Errorf("title %q does not say the hours", f.Title)
			}
		})
	}
}

// TestStaleSeverityGrowsWithAge: info, warning at twice stale_after,
// critical at four times; from abandoned_after on, the project's one
// abandoned_work list instead, most recent first.
func TestStaleSeverityGrowsWithAge(t *testing.T) {
	snap := sigSnapshot(
		sigIssue(1, radar.CategoryInProgress, 8*sigDays),
		sigIssue(2, radar.CategoryInProgress, 20*sigDays),
		sigIssue(3, radar.CategoryInProgress, 40*sigDays),
		sigIssue(4, radar.CategoryInProgress, 800*sigDays),
		sigIssue(5, radar.CategoryInProgress, 200*sigDays),
		sigIssue(6, radar.CategoryNew, 900*sigDays), // not in progress: not abandoned work
	)
	fs := sigFindings(snap, analysis.Options{})
	for key, want := range map[string]radar.Severity{"P-1": radar.SeverityInfo, "P-2": radar.SeverityWarning, "P-3": radar.SeverityCritical, "P-4": "", "P-5": ""} {
		f, ok := fs["stale:"+key]
		if got := f.Severity; ok != (want != "") || got != want {
			t.Errorf("stale:%s = %q (reported %v), want %q", key, got, ok, want)
		}
	}
	a, ok := fs["abandoned_work:P"]
	if !ok {
		t.Fatalf("no abandoned_work:P in %v", fs)
	}
	ae, _ := a.Evidence.(radar.AbandonedWorkFacts)
	if got, want := strings.Join(ae.Issues, ","), "P-5,P-4"; got != want || ae.Count != 2 {
		t.Errorf("abandoned issues = %s (count %v), want %s", got, ae.Count, want)
	}
	if a.Severity != radar.SeverityInfo {
		t.Errorf("abandoned_work severity = %s, want info (fewer than the 3 live issues in progress)", a.Severity)
	}
}

// TestOverloadedTextMatchesNumbers: someone holding blockers but nothing in
// progress is not told to "finish before starting more", and abandoned work
// is nobody's load.
func TestOverloadedTextMatchesNumbers(t *testing.T) {
	var issues []radar.Issue
	var deps []radar.Dependency
	for n := 1; n <= 3; n++ { // three blockers, to do, each blocking one issue
		b, x := sigIssue(n, radar.CategoryNew, sigDays), sigIssue(10+n, radar.CategoryNew, sigDays)
		b.AssigneeID, b.AssigneeName = "u-ann", "Ann"
		issues = append(issues, b, x)
		deps = append(deps, radar.Dependency{LinkID: fmt.Sprint(n), Type: "Blocks", Blocker: b.Key, Blocked: x.Key})
	}
	snap := sigSnapshot()
	for n := 21; n <= 25; n++ { // five zombies in progress
		z := sigIssue(n, radar.CategoryInProgress, 400*sigDays)
		z.AssigneeID, z.AssigneeName = "u-bob", "Bob"
		issues = append(issues, z)
	}
	// Cara's three open items are each the whole critical path of a
	// version a hundred days past its date; Dan's of versions due in 30.
	for k, who := range []string{"cara", "dan"} {
		release := siteNow.AddDate(0, 0, 30).Truncate(sigDays)
		if who == "cara" {
			release = siteNow.AddDate(0, 0, -100).Truncate(sigDays)
		}
		for n := 1; n <= 3; n++ {
			is := sigIssue(30+10*k+n, radar.CategoryNew, sigDays)
			id := fmt.Sprintf("v-%s-%d", who, n)
			is.AssigneeID, is.AssigneeName, is.FixVersions = "u-"+who, who, []string{id}
			issues = append(issues, is)
			snap.Versions = append(snap.Versions, radar.Version{ID: id, Project: "P", Name: id, ReleaseDate: release})
		}
	}
	snap.Issues = issues
	snap.Dependencies = deps
	fs := sigFindings(snap, analysis.Options{})
	if f, ok := fs["overloaded_assignee:u-cara"]; ok {
		t.Errorf("Cara, holding only the work of releases long past, reported: %s", f.Title)
	}
	if dan, ok := fs["overloaded_assignee:u-dan"]; !ok || len(dan.Evidence.(radar.OverloadedAssigneeFacts).CriticalPathItems) != 3 {
		t.Errorf("Dan, holding the critical paths of three coming releases: %+v", dan)
	}
	ann, ok := fs["overloaded_assignee:u-ann"]
	if !ok {
		t.Fatal("Ann, holding three blockers, not reported")
	}
	if strings.Contains(ann.Title, "in progress") || strings.Contains(ann.Detail, "Finish") || ann.Evidence.(radar.OverloadedAssigneeFacts).Held != 3 {
		t.Errorf("Ann: %q / %q (%+v): want the blockers she holds, not work in progress", ann.Title, ann.Detail, ann.Evidence)
	}
	if f, ok := fs["overloaded_assignee:u-bob"]; ok {
		t.Errorf("Bob, holding only abandoned work, reported: %s", f.Title)
	}
}

// TestReopenedWindow: a reopen is reported while the issue is open, or
// within reopened_window once it is done again.
func TestReopenedWindow(t *testing.T) {
	reopen := func(key string, ago time.Duration) radar.Change {
		return radar.Change{IssueKey: key, HistoryID: key, Created: siteNow.Add(-ago), Field: "status", FieldID: "status",
			From: sigDone.ID, FromString: sigDone.Name, To: sigToDo.ID, ToString: sigToDo.Name}
	}
	snap := sigSnapshot(
		sigIssue(1, radar.CategoryDone, sigDays), sigIssue(2, radar.CategoryDone, sigDays), sigIssue(3, radar.CategoryNew, sigDays),
	)
	snap.Changes = []radar.Change{reopen("P-1", 10*sigDays), reopen("P-2", 100*sigDays), reopen("P-3", 400*sigDays)}
	rep := analysis.Analyze(snap, analysis.Options{Now: siteNow})
	got := map[string]bool{}
	for _, f := range rep.Findings {
		if f.Kind == radar.KindReopened {
			got[f.Issue] = true
		}
	}
	if !got["P-1"] || got["P-2"] || !got["P-3"] {
		t.Errorf("reopened = %v, want P-1 (done, reopened 10 days ago) and P-3 (still open), not P-2", got)
	}
	for _, r := range rep.Risks {
		if r.Kind == radar.RiskIssue && r.Subject != "P-3" || r.Kind == radar.RiskProject && r.Score > 15 {
			t.Errorf("risk %+v: done issues carry no risk", r)
		}
	}
}

// TestCarryoverNeedsACurrentSprint: carry-over is reported for an issue in
// an active sprint, or whose sprint closed within two sprint lengths (at
// least 30 days), not through sprints closed long ago.
func TestCarryoverNeedsACurrentSprint(t *testing.T) {
	sprint := func(id int64, state string, endAgo time.Duration) radar.Sprint {
		end := siteNow.Add(-endAgo)
		return radar.Sprint{ID: id, Name: fmt.Sprintf("S%d", id), State: state, Start: end.Add(-14 * sigDays), End: end, Complete: end}
	}
	tests := []struct {
		name    string
		sprints []radar.Sprint
		want    bool
	}{
		{"in the active sprint", []radar.Sprint{sprint(1, "closed", 700*sigDays), sprint(2, "closed", 686*sigDays), sprint(3, "active", -7*sigDays)}, true},
		{"sprint closed 20 days ago", []radar.Sprint{sprint(1, "closed", 34*sigDays), sprint(2, "closed", 20*sigDays)}, true},
		{"sprint closed 40 days ago", []radar.Sprint{sprint(1, "closed", 54*sigDays), sprint(2, "closed", 40*sigDays)}, false},
		{"sprints closed years ago", []radar.Sprint{sprint(1, "closed", 700*sigDays), sprint(2, "closed", 686*sigDays)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := sigIssue(1, radar.CategoryNew, sigDays)
			for _, s := range tt.sprints {
				is.SprintIDs = append(is.SprintIDs, s.ID)
			}
			snap := sigSnapshot(is)
			snap.Sprints = tt.sprints
			if _, got := sigFindings(snap, analysis.Options{})["sprint_carryover:P-1"]; got != tt.want {
				t.Errorf("carry-over reported = %v, want %v", got, tt.want)
			}
		})
	}
}
