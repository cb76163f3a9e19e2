package analysis_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/analysis"
	"github.com/radarhq/radar/config"
	"github.com/radarhq/radar/connector"
	"github.com/radarhq/radar/jirasim"
	"github.com/radarhq/radar/store/storetest"
)

var siteNow = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// syncSite serves the scenario from the Jira simulator, syncs it through
// the real connector into a SQLite store in a temp dir and loads the
// snapshot the analysis reads.
func syncSite(t *testing.T, sc *jirasim.Scenario, projects []string) radar.Snapshot {
	t.Helper()
	ctx := context.Background()
	_, srv := storetest.ServeJira(t, sc, jirasim.Options{Email: "pm@example.com", Token: "sim-token", Now: func() time.Time { return sc.Now }})
	cfg := config.Default().Jira
	cfg.URL, cfg.Email, cfg.Token = srv.URL, "pm@example.com", "sim-token"
	cfg.Projects = projects
	cfg.Dependencies = []config.Dependency{{Link: "Blocks", Outward: "blocks"}, {Link: "Depends", Outward: "depends on"}}
	cfg.RequestsPerSecond = 1000
	st := storetest.Open(t)
	c, err := connector.New(connector.SettingsFrom(cfg), st, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Sync(ctx, true); err != nil {
		t.Fatalf("sync: %v", err)
	}
	snap, err := st.LoadSnapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// TestLongLivedSite pins each finding rule on a five-year-old simulated
// site synced through the connector: zombies, cleanup days, old sprints,
// old reopens, dormant and past-due versions. Each rule failed on this site
// before it was made.
func TestLongLivedSite(t *testing.T) {
	if testing.Short() {
		t.Skip("syncs a 1,900-issue site")
	}
	cfg := jirasim.Realistic(siteNow)
	sc := jirasim.Generate(cfg)
	snap := syncSite(t, sc, cfg.Projects)
	opts := analysis.Options{Now: siteNow}
	rep := analysis.Analyze(snap, opts)
	ll := sc.Planted.LongLived

	issues := map[string]*radar.Issue{}
	for i := range snap.Issues {
		issues[snap.Issues[i].Key] = &snap.Issues[i]
	}
	abandoned := func(is *radar.Issue) bool {
		return !is.Done() && is.StatusCategory == radar.CategoryInProgress && is.Type != "Epic" &&
			siteNow.Sub(is.Updated) >= analysis.DefaultAbandonedAfter
	}
	byKind := map[radar.Kind][]radar.Finding{}
	byID := map[string]radar.Finding{}
	for _, f := range rep.Findings {
		byKind[f.Kind] = append(byKind[f.Kind], f)
		byID[f.ID] = f
	}
	zombie := map[string]bool{}
	for _, ks := range ll.Zombies {
		for _, k := range ks {
			zombie[k] = true
		}
	}

	t.Run("dates and flags nobody touched are not urgent", func(t *testing.T) {
		// An issue untouched for abandoned_after that blocks nothing is a
		// zombie: its flag, or a due date that passed as long ago, is no
		// one's news (a due date passing now still is).
		zombies := 0
		for _, f := range append(append([]radar.Finding(nil), byKind[radar.KindOverdue]...), byKind[radar.KindFlagged]...) {
			is := issues[f.Issue]
			if siteNow.Sub(is.Updated) < analysis.DefaultAbandonedAfter || f.BlastRadius() > 0 {
				continue
			}
			if f.Kind == radar.KindOverdue && siteNow.Sub(is.Due) < analysis.DefaultAbandonedAfter {
				if f.Severity == radar.SeverityInfo {
					t.Errorf("%s: %s, a due date passing now, is info", f.ID, f.Title)
				}
				continue
			}
			zombies++
			if f.Severity != radar.SeverityInfo {
				t.Errorf("%s: %s on an issue untouched since %s is %s, want info", f.ID, f.Title, is.Updated.Format(time.DateOnly), f.Severity)
			}
		}
		if zombies == 0 {
			t.Error("the site has no overdue or flagged issue untouched for abandoned_after: the rule is not exercised")
		}
	})

	t.Run("stale is recent stalling", func(t *testing.T) {
		if len(byKind[radar.KindStale]) == 0 {
			t.Fatal("no stale findings at all")
		}
		for _, f := range byKind[radar.KindStale] {
			if zombie[f.Issue] || abandoned(issues[f.Issue]) {
				t.Errorf("%s: abandoned work reported as stale (%s)", f.ID, f.Title)
			}
		}
	})

	t.Run("abandoned work is one clean-up list per project", func(t *testing.T) {
		for _, p := range cfg.Projects {
			want := 0
			for _, is := range snap.Issues {
				if is.Project == p && abandoned(&is) {
					want++
				}
			}
			f, ok := byID[string(radar.KindAbandonedWork)+":"+p]
			if !ok {
				t.Errorf("no abandoned_work for %s (%d abandoned issues)", p, want)
				continue
			}
			ev := f.Evidence.(radar.AbandonedWorkFacts)
			if got := ev.Count; got != want {
				t.Errorf("%s count = %v, want %d", p, got, want)
			}
			listed := ev.Issues
			for _, k := range ll.Zombies[p] {
				if !slices.Contains(listed, k) {
					t.Errorf("%s: zombie %s not listed", p, k)
				}
			}
			days := ev.DaysSinceUpdate
			if !slices.IsSorted(days) {
				t.Errorf("%s: list not most recent first: %v", p, days)
			}
		}
		if n := len(byKind[radar.KindAbandonedWork]); n != len(cfg.Projects) {
			t.Errorf("%d abandoned_work findings, want one per project", n)
		}
	})

	t.Run("overloaded counts live work only", func(t *testing.T) {
		if f, ok := byID[string(radar.KindOverloadedAssignee)+":"+ll.ZombieHolder]; ok {
			t.Errorf("the holder of zombie, dormant and past-due work is overloaded: %s", f.Title)
		}
		for _, f := range byKind[radar.KindOverloadedAssignee] {
			ev := f.Evidence.(radar.OverloadedAssigneeFacts)
			for key, keys := range map[string][]string{"in_progress": ev.InProgress, "blockers": ev.Blockers, "critical_path_items": ev.CriticalPathItems} {
				for _, k := range keys {
					if is := issues[k]; siteNow.Sub(is.Updated) >= analysis.DefaultAbandonedAfter {
						t.Errorf("%s counts %s (%s), untouched since %s", f.ID, k, key, is.Updated.Format(time.DateOnly))
					}
				}
			}
			for _, k := range ev.CriticalPathItems {
				if !inDatedVersion(snap, issues[k]) {
					t.Errorf("%s counts %s as critical path, but no version of it has a release date ahead", f.ID, k)
				}
			}
		}
	})

	t.Run("reopened only while it is news", func(t *testing.T) {
		for _, f := range byKind[radar.KindReopened] {
			last := f.Evidence.(radar.ReopenedFacts).LastReopened
			if issues[f.Issue].Done() && siteNow.Sub(last.Time()) > analysis.DefaultReopenedWindow+24*time.Hour {
				t.Errorf("%s: done again and last reopened %s", f.ID, last)
			}
		}
		if len(ll.OldReopened) == 0 {
			t.Fatal("the site has no old reopens to ignore")
		}
		for _, k := range ll.OldReopened {
			if _, ok := byID[string(radar.KindReopened)+":"+k]; ok {
				t.Errorf("%s reopened years ago and done since, still reported", k)
			}
		}
		for _, k := range sc.Planted.Reopened {
			if _, ok := byID[string(radar.KindReopened)+":"+k]; !ok {
				t.Errorf("%s, reopened lately, not reported", k)
			}
		}
	})

	t.Run("risk only for open issues", func(t *testing.T) {
		for _, r := range rep.Risks {
			if r.Kind == radar.RiskIssue && issues[r.Subject].Done() {
				t.Errorf("done issue %s scored %d (%v)", r.Subject, r.Score, r.Signals)
			}
		}
	})

	t.Run("carry-over only for current sprints", func(t *testing.T) {
		for _, k := range ll.OldCarryOvers {
			if f, ok := byID[string(radar.KindSprintCarryover)+":"+k]; ok {
				t.Errorf("%s: carry-over through sprints closed years ago: %s", k, f.Title)
			}
		}
		for _, k := range sc.Planted.CarryOvers {
			if _, ok := byID[string(radar.KindSprintCarryover)+":"+k]; !ok {
				t.Errorf("current carry-over %s not reported", k)
			}
		}
	})

	t.Run("finding texts state their evidence", func(t *testing.T) {
		checkTexts(t, rep.Findings)
	})

	t.Run("the demo's findings are still found", func(t *testing.T) {
		for _, id := range []string{string(radar.KindBlocker) + ":" + sc.Planted.Blocker, string(radar.KindFlagged) + ":" + sc.Planted.Flagged[0]} {
			if _, ok := byID[id]; !ok {
				t.Errorf("%s missing", id)
			}
		}
	})
}

// inDatedVersion reports whether the issue is in an unreleased version
// whose release date is today or later.
func inDatedVersion(snap radar.Snapshot, is *radar.Issue) bool {
	today := siteNow.Truncate(24 * time.Hour)
	for _, v := range snap.Versions {
		if slices.Contains(is.FixVersions, v.ID) && !v.Released && !v.ReleaseDate.IsZero() && !v.ReleaseDate.Before(today) {
			return true
		}
	}
	return false
}

// TestDemoSiteTextsStateTheirEvidence checks the finding texts of the demo
// site, synced through the connector, against their evidence.
func TestDemoSiteTextsStateTheirEvidence(t *testing.T) {
	if testing.Short() {
		t.Skip("syncs the demo site")
	}
	cfg := jirasim.Demo(siteNow)
	snap := syncSite(t, jirasim.Generate(cfg), cfg.Projects)
	checkTexts(t, analysis.Analyze(snap, analysis.Options{Now: siteNow}).Findings)
}
