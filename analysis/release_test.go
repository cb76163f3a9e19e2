package analysis

import (
	"fmt"
	"strings"
	"testing"

	"github.com/radarhq/radar"
)

// openStory adds an open story to the snapshot of forecastSnapshot.
func openStory(s *radar.Snapshot, key string, versions ...string) {
	s.Issues = append(s.Issues, radar.Issue{ID: key, Key: key, Project: "P", Type: "Story", StatusID: "1", Status: "To Do",
		StatusCategory: radar.CategoryNew, Created: propNow.AddDate(0, 0, -30), Updated: propNow, FixVersions: versions})
}

func findingsOf(rep radar.Report, kind radar.Kind) []radar.Finding {
	var out []radar.Finding
	for _, f := range rep.Findings {
		if f.Kind == kind {
			out = append(out, f)
		}
	}
	return out
}

// A version whose issues are all done is never at risk, whatever its date:
// it used to be a critical release_at_risk ("0 items left… 0 % likely").
func TestDoneVersionIsNeverAtRisk(t *testing.T) {
	for _, days := range []int{-400, -1, 0, 30} {
		t.Run(fmt.Sprintf("release in %d days", days), func(t *testing.T) {
			s := forecastSnapshot(0)
			s.Issues[len(s.Issues)-1].StatusCategory = radar.CategoryDone // P-100, the only issue of 1.0
			s.Issues[len(s.Issues)-1].Resolved = propNow.AddDate(0, 0, -1)
			s.Versions[0].ReleaseDate = propNow.AddDate(0, 0, days)
			rep := Analyze(s, Options{Now: propNow, Trials: 500})
			if fs := append(findingsOf(rep, radar.KindReleaseAtRisk), findingsOf(rep, radar.KindReleaseOverdue)...); len(fs) > 0 {
				t.Errorf("got %+v, want no release finding", fs)
			}
			for _, r := range rep.Risks {
				if r.Kind == radar.RiskVersion {
					t.Errorf("version risk %+v for a version with nothing open", r)
				}
			}
			if len(rep.Versions) != 1 || rep.Versions[0].Note == "" || !rep.Versions[0].P50.IsZero() {
				t.Errorf("versions = %+v, want one with a note and no dates", rep.Versions)
			}
		})
	}
}

func TestOverdueSeverityGrowsWithLatenessAndOpenWork(t *testing.T) {
	tests := []struct {
		late int64
		open int
		want radar.Severity
	}{
		{1, 1, radar.SeverityInfo},
		{7, 2, radar.SeverityInfo},
		{8, 1, radar.SeverityWarning},
		{1, 3, radar.SeverityWarning},
		{20, 5, radar.SeverityWarning},
		{400, 1, radar.SeverityWarning},
		{1, 15, radar.SeverityWarning},
		{31, 3, radar.SeverityCritical},
		{10, 10, radar.SeverityCritical},
		{400, 15, radar.SeverityCritical},
	}
	for _, tt := range tests {
		if got := overdueSeverity(tt.late, tt.open); got != tt.want {
			t.Errorf("%d days late, %d open: %s, want %s", tt.late, tt.open, got, tt.want)
		}
	}
}

// A version a year past its date with 15 open items is a critical
// release_overdue, not a warning that it "will likely miss" a date gone
// by; and its finding states the numbers of its evidence.
func TestPastDateVersionIsOverdueNotAtRisk(t *testing.T) {
	s := forecastSnapshot(0)
	s.Versions[0].ReleaseDate = propNow.AddDate(-1, 0, 0)
	for k := 0; k < 14; k++ {
		openStory(&s, fmt.Sprintf("P-%d", 200+k), "v1")
	}
	rep := Analyze(s, Options{Now: propNow, Trials: 500})
	if fs := findingsOf(rep, radar.KindReleaseAtRisk); len(fs) > 0 {
		t.Errorf("release_at_risk %+v for a date already passed", fs)
	}
	fs := findingsOf(rep, radar.KindReleaseOverdue)
	if len(fs) != 1 {
		t.Fatalf("release_overdue = %+v, want one", fs)
	}
	f := fs[0]
	if f.Severity != radar.SeverityCritical {
		t.Errorf("severity %s, want critical", f.Severity)
	}
	ev, _ := f.Evidence.(radar.ReleaseOverdueFacts)
	late, open := ev.DaysLate, ev.OpenIssues
	if late != 365 || open != 15 {
		t.Errorf("evidence days_late %d, open_issues %d; want 365, 15", late, open)
	}
	for _, want := range []string{"365 days", "15 issues", ev.ReleaseDate.String()} {
		if !strings.Contains(f.Title+" "+f.Detail, want) {
			t.Errorf("finding text %q / %q does not say %q", f.Title, f.Detail, want)
		}
	}
}

// Off-track dependencies on a release date already passed fold into that
// version's one release_overdue instead of one finding per issue.
func TestOffTrackOnPassedReleaseFoldsIntoOverdue(t *testing.T) {
	s := forecastSnapshot(0)
	s.Versions[0].ReleaseDate = propNow.AddDate(0, -2, 0)
	for k := 0; k < 3; k++ {
		blocked, blocker := fmt.Sprintf("P-%d", 300+k), fmt.Sprintf("P-%d", 400+k)
		openStory(&s, blocked, "v1")
		openStory(&s, blocker)
		s.Dependencies = append(s.Dependencies, radar.Dependency{LinkID: blocked, Type: "Blocks", Blocker: blocker, Blocked: blocked})
	}
	rep := Analyze(s, Options{Now: propNow, Trials: 500})
	if fs := findingsOf(rep, radar.KindOffTrackDependency); len(fs) > 0 {
		t.Errorf("off_track_dependency %d findings, want them folded into release_overdue", len(fs))
	}
	fs := findingsOf(rep, radar.KindReleaseOverdue)
	if len(fs) != 1 {
		t.Fatalf("release_overdue = %+v, want one", fs)
	}
	if deps := fs[0].Evidence.(radar.ReleaseOverdueFacts).LateDependencies; len(deps) != 3 {
		t.Errorf("late_dependencies = %v, want 3", deps)
	}
	if !strings.Contains(fs[0].Detail, "3 dependencies wait") {
		t.Errorf("detail %q does not count the 3 late dependencies", fs[0].Detail)
	}

	// The same dependencies on a future release date stay off-track
	// findings of their own.
	s.Versions[0].ReleaseDate = propNow.AddDate(0, 0, 3)
	rep = Analyze(s, Options{Now: propNow, Trials: 500})
	if fs := findingsOf(rep, radar.KindOffTrackDependency); len(fs) != 3 {
		t.Errorf("off_track_dependency %d findings on a future date, want 3", len(fs))
	}
	if fs := findingsOf(rep, radar.KindReleaseOverdue); len(fs) != 0 {
		t.Errorf("release_overdue %+v for a future date", fs)
	}
}

// A project's versions share one throughput in release-date order: a later
// version cannot finish before the work ahead of it (2.1's P50 used to land
// one day after 2.0's, as if the team worked only on each).
func TestLaterVersionFinishesAfterTheWorkAheadOfIt(t *testing.T) {
	s := forecastSnapshot(0)
	s.Versions = append(s.Versions, radar.Version{ID: "v2", Project: "P", Name: "2.0", ReleaseDate: propNow.AddDate(0, 0, 90)})
	for k := 0; k < 20; k++ {
		openStory(&s, fmt.Sprintf("P-%d", 500+k), "v1")
	}
	for k := 0; k < 20; k++ {
		openStory(&s, fmt.Sprintf("P-%d", 600+k), "v2")
	}
	rep := Analyze(s, Options{Now: propNow, Trials: 1000})
	var v1, v2 radar.VersionForecast
	for _, v := range rep.Versions {
		switch v.Name {
		case "1.0":
			v1 = v
		case "2.0":
			v2 = v
		}
	}
	// 40 stories in 12 weeks: about 3.3 a week, so 21 items take about
	// six weeks and 41 about twelve.
	if v1.P50.IsZero() || v2.P50.IsZero() || !v2.P50.After(v1.P50) || !v2.P85.After(v1.P85) {
		t.Fatalf("1.0 P50 %s P85 %s, 2.0 P50 %s P85 %s: want 2.0 after 1.0", v1.P50, v1.P85, v2.P50, v2.P85)
	}
	p1, p2 := v1.P50.Time(), v2.P50.Time()
	if gap := p2.Sub(p1).Hours() / 24; gap < 28 {
		t.Errorf("2.0's P50 only %.0f days after 1.0's; its 20 items need about six weeks more", gap)
	}
}

// Below minPaceItems resolved items Radar says it cannot forecast instead
// of inventing a date from two samples.
func TestTooLittleHistoryGivesNoForecast(t *testing.T) {
	s := forecastSnapshot(0)
	var kept []radar.Issue
	for _, is := range s.Issues {
		if !is.Done() || is.Key == "P-1" || is.Key == "P-2" || is.Key == "P-3" {
			kept = append(kept, is)
		}
	}
	s.Issues = kept
	rep := Analyze(s, Options{Now: propNow, Trials: 500})
	v := rep.Versions[0]
	if !v.P50.IsZero() || !strings.HasPrefix(v.Note, "not enough history to forecast") {
		t.Errorf("forecast %+v, want no dates and a note saying there is not enough history", v)
	}
	fs := findingsOf(rep, radar.KindReleaseAtRisk)
	if len(fs) != 1 || !strings.Contains(fs[0].Detail, "not enough history to forecast") {
		t.Errorf("release_at_risk = %+v, want one saying there is no forecast and why", fs)
	}
}

// One 432-day cycle time and a cleanup day in the history must not send
// the forecast centuries ahead (P85 used to land in 2568).
func TestHeavyTailsAndCleanupDaysStayBounded(t *testing.T) {
	s := forecastSnapshot(0)
	s.Issues = append(s.Issues, radar.Issue{ID: "900", Key: "P-900", Project: "P", Type: "Epic Task", StatusID: "5", Status: "Done",
		StatusCategory: radar.CategoryDone, Created: propNow.AddDate(0, 0, -440), Updated: propNow.AddDate(0, 0, -8), Resolved: propNow.AddDate(0, 0, -8)})
	openStory(&s, "P-901", "v1")
	s.Issues[len(s.Issues)-1].Type = "Epic Task"
	for k := 0; k < 400; k++ { // a cleanup day: 400 years-old tickets closed at once
		day := propNow.AddDate(0, 0, -5)
		s.Issues = append(s.Issues, radar.Issue{ID: fmt.Sprint(1000 + k), Key: fmt.Sprintf("P-%d", 1000+k), Project: "P", Type: "Bug",
			StatusID: "5", Status: "Done", StatusCategory: radar.CategoryDone, Created: day.AddDate(-4, 0, 0), Updated: day, Resolved: day})
	}
	for seed := int64(1); seed <= 5; seed++ {
		rep := Analyze(s, Options{Now: propNow, Trials: 1000, Seed: seed})
		v := rep.Versions[0]
		if v.P95.IsZero() || v.P95.Time().After(propNow.AddDate(1, 0, 0)) {
			t.Errorf("seed %d: P95 %q, want a date within a year", seed, v.P95)
		}
	}
}
