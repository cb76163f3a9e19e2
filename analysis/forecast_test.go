package analysis

import (
	"fmt"
	"testing"
	"time"

	"github.com/radarhq/radar"
)

// forecastSnapshot is one team with a steady history (40 stories resolved
// over twelve weeks, each after 20 days in progress) and version 1.0 holding
// a single open story, in progress since startedAgo days with no estimate.
func forecastSnapshot(startedAgo int) radar.Snapshot {
	now := propNow
	var s radar.Snapshot
	s.Statuses = []radar.Status{{ID: "1", Name: "To Do", Category: radar.CategoryNew}, {ID: "3", Name: "In Progress", Category: radar.CategoryInProgress},
		{ID: "5", Name: "Done", Category: radar.CategoryDone}}
	s.Versions = []radar.Version{{ID: "v1", Project: "P", Name: "1.0", ReleaseDate: now.AddDate(0, 0, 60)}}
	for i := 1; i <= 40; i++ {
		resolved := now.AddDate(0, 0, -2*i)
		key := fmt.Sprintf("P-%d", i)
		s.Issues = append(s.Issues, radar.Issue{ID: fmt.Sprint(i), Key: key, Project: "P", Type: "Story", StatusID: "5",
			Status: "Done", StatusCategory: radar.CategoryDone, Created: resolved.AddDate(0, 0, -30), Updated: resolved, Resolved: resolved})
		s.Changes = append(s.Changes, radar.Change{IssueKey: key, HistoryID: key, Created: resolved.AddDate(0, 0, -20),
			Field: "status", FieldID: "status", From: "1", To: "3"})
	}
	started := now.AddDate(0, 0, -startedAgo)
	s.Issues = append(s.Issues, radar.Issue{ID: "100", Key: "P-100", Project: "P", Type: "Story", StatusID: "3",
		Status: "In Progress", StatusCategory: radar.CategoryInProgress, Created: started.AddDate(0, 0, -5), Updated: now,
		FixVersions: []string{"v1"}})
	s.Changes = append(s.Changes, radar.Change{IssueKey: "P-100", HistoryID: "h100", Created: started, Field: "status", FieldID: "status", From: "1", To: "3"})
	return s
}

func TestInProgressWorkCountsWhatIsLeft(t *testing.T) {
	opts := Options{Now: propNow, Trials: 1000}
	tests := []struct {
		startedAgo int
		want       time.Duration // remaining on the critical path
	}{
		{0, 20 * 24 * time.Hour}, // just started: the whole median cycle time
		{12, 8 * 24 * time.Hour}, // 12 of 20 days used
		{19, 5 * 24 * time.Hour}, // never less than a quarter of the estimate
		{60, 5 * 24 * time.Hour}, // aging work is not assumed nearly done
	}
	for _, tt := range tests {
		rep := Analyze(forecastSnapshot(tt.startedAgo), opts)
		if len(rep.Versions) != 1 {
			t.Fatalf("versions = %+v", rep.Versions)
		}
		if got := rep.Versions[0].CriticalPathRemaining; got != tt.want {
			t.Errorf("started %d days ago: critical path remaining %v, want %v", tt.startedAgo, got, tt.want)
		}
	}
}

func TestForecastDistributionSummary(t *testing.T) {
	opts := Options{Now: propNow, Trials: 1000}
	fc := Analyze(forecastSnapshot(0), opts).Versions[0]
	if fc.Trials != 1000 {
		t.Errorf("trials = %d, want 1000", fc.Trials)
	}
	p50, p95 := fc.P50.Time(), fc.P95.Time()
	today := propNow.Truncate(24 * time.Hour)
	// The mean of the trials' finish days lies within what the trials span:
	// no earlier than today, no later than the slowest trial (at most a
	// little past P95 for this narrow history).
	if fc.MeanFinish.Before(today) || fc.MeanFinish.After(p95.AddDate(0, 0, 30)) || fc.MeanFinish.Before(p50.AddDate(0, 0, -30)) {
		t.Errorf("mean finish %v outside today %v .. P95 %v (P50 %v)", fc.MeanFinish, today, p95, p50)
	}
}
