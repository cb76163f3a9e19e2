package report_test

import (
	"testing"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/report"
)

func TestChangesBetween(t *testing.T) {
	f := func(id string, sev radar.Severity) radar.Finding {
		return radar.Finding{ID: id, Kind: radar.KindStale, Severity: sev, Project: "PAY", Title: id}
	}
	type change struct {
		id   string
		tr   radar.Transition
		prev radar.Severity
	}
	tests := []struct {
		name          string
		before, after []radar.Finding
		want          []change
	}{
		{"nothing moved", []radar.Finding{f("a", radar.SeverityWarning)}, []radar.Finding{f("a", radar.SeverityWarning)}, nil},
		{"new", nil, []radar.Finding{f("a", radar.SeverityWarning)}, []change{{"a", radar.TransitionNew, ""}}},
		{"escalated", []radar.Finding{f("a", radar.SeverityWarning)}, []radar.Finding{f("a", radar.SeverityCritical)},
			[]change{{"a", radar.TransitionEscalated, radar.SeverityWarning}}},
		{"de-escalated", []radar.Finding{f("a", radar.SeverityCritical)}, []radar.Finding{f("a", radar.SeverityInfo)},
			[]change{{"a", radar.TransitionDeescalated, radar.SeverityCritical}}},
		{"resolved keeps its last state", []radar.Finding{f("a", radar.SeverityCritical)}, nil,
			[]change{{"a", radar.TransitionResolved, radar.SeverityCritical}}},
		{"after's order, then the resolved",
			[]radar.Finding{f("gone", radar.SeverityWarning), f("up", radar.SeverityInfo), f("gone", radar.SeverityWarning)},
			[]radar.Finding{f("fresh", radar.SeverityCritical), f("up", radar.SeverityWarning), f("fresh", radar.SeverityCritical)},
			[]change{{"fresh", radar.TransitionNew, ""}, {"up", radar.TransitionEscalated, radar.SeverityInfo}, {"gone", radar.TransitionResolved, radar.SeverityWarning}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := report.ChangesBetween(tt.before, tt.after)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d changes %+v, want %+v", len(got), got, tt.want)
			}
			for i, w := range tt.want {
				if g := got[i]; g.Finding.ID != w.id || g.Transition != w.tr || g.PrevSeverity != w.prev {
					t.Errorf("change %d: got %s %s (was %q), want %s %s (was %q)", i, g.Finding.ID, g.Transition, g.PrevSeverity, w.id, w.tr, w.prev)
				}
			}
		})
	}
}
