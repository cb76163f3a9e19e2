package service_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/analysis"
	"github.com/radarhq/radar/service"
	"github.com/radarhq/radar/store"
)

// TestPassStages: the analyse → record → deliver pass calls each stage's
// hook in order, and a failed recording stops it before delivery.
func TestPassStages(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	snap := radar.Snapshot{Issues: []radar.Issue{
		{ID: "10001", Key: "PAY-1", Project: "PAY", Summary: "late", Status: "In Progress", StatusCategory: radar.CategoryInProgress,
			Created: now.AddDate(0, -2, 0), Updated: now.AddDate(0, 0, -1), Due: now.AddDate(0, 0, -10)},
	}}
	for _, tt := range []struct {
		name      string
		closed    bool // the store is closed: recording fails
		wantStage []string
	}{
		{"recorded", false, []string{"analysed", "recorded"}},
		{"recording fails", true, []string{"analysed", "record failed"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st, err := store.Open(ctx, filepath.Join(t.TempDir(), "radar.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if tt.closed {
				st.Close()
			}
			var stages []string
			cyc := service.Pass{Store: st,
				Analysed: func(radar.Report) { stages = append(stages, "analysed") },
				Recorded: func(err error) {
					if err != nil {
						stages = append(stages, "record failed")
						return
					}
					stages = append(stages, "recorded")
				},
				Delivered: func() { stages = append(stages, "delivered") }, // no alerter: never
			}.Run(ctx, snap, analysis.Options{Now: now})
			if strings.Join(stages, ",") != strings.Join(tt.wantStage, ",") {
				t.Errorf("stages = %v, want %v", stages, tt.wantStage)
			}
			if len(cyc.Report.Findings) == 0 {
				t.Errorf("no findings: the issue ten days past its due date should be overdue")
			}
			switch {
			case tt.closed && (cyc.Err == nil || !strings.Contains(cyc.Err.Error(), "record findings") || cyc.Changes != nil):
				t.Errorf("Run = changes %v, err %v; want a record findings error and no changes", cyc.Changes, cyc.Err)
			case !tt.closed && (cyc.Err != nil || len(cyc.Changes) != len(cyc.Report.Findings)):
				t.Errorf("Run = %d changes, err %v; want one change per finding (%d)", len(cyc.Changes), cyc.Err, len(cyc.Report.Findings))
			}
		})
	}
}
