package analysis

import (
	"fmt"
	"testing"

	"github.com/radarhq/radar"
)

// TestScoresIssue pins which findings lift the risk score of the issue
// they name: those about one issue, and dependency cycles (scored on their
// first member); not those about versions, sprints, people or projects.
// Every kind must appear, so a new kind is decided here.
func TestScoresIssue(t *testing.T) {
	tests := []struct {
		ev   radar.Evidence
		want bool
	}{
		{radar.BlockerFacts{}, true},
		{radar.BlockedInProgressFacts{}, true},
		{radar.DependencyCycleFacts{}, true},
		{radar.OverdueFacts{}, true},
		{radar.DueDateSlippedFacts{}, true},
		{radar.ReleaseSlippedFacts{}, false},
		{radar.SprintCarryoverFacts{}, true},
		{radar.OffTrackDependencyFacts{}, true},
		{radar.ReleaseAtRiskFacts{}, false},
		{radar.ReleaseOverdueFacts{}, false},
		{radar.StaleFacts{}, true},
		{radar.AbandonedWorkFacts{}, false},
		{radar.FlaggedFacts{}, true},
		{radar.ReopenedFacts{}, true},
		{radar.ScopeCreepFacts{}, false},
		{radar.OverloadedAssigneeFacts{}, false},
		{radar.EffortOverrunFacts{}, true},
		{radar.UnknownFacts{Of: "from_a_later_version"}, false},
	}
	seen := map[radar.Kind]bool{}
	for _, tt := range tests {
		seen[tt.ev.Kind()] = true
		t.Run(fmt.Sprintf("%T", tt.ev), func(t *testing.T) {
			f := radar.Finding{Kind: tt.ev.Kind(), Issue: "P-1", Evidence: tt.ev}
			if got := scoresIssue(f); got != tt.want {
				t.Errorf("scoresIssue(%T) = %v, want %v", tt.ev, got, tt.want)
			}
		})
	}
	for _, k := range radar.Kinds {
		if !seen[k] {
			t.Errorf("kind %s has no case: decide whether it lifts an issue's risk", k)
		}
	}
}
