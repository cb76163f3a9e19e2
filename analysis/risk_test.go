package analysis

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/radarhq/radar"
)

// TestScoresIssue pins which findings lift the risk score of the issues
// they are about: those about one issue, and dependency cycles (scored on
// every member); not those about versions, sprints, people or projects.
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

// cycleSnapshot is open stories P-1…P-n, assigned and freshly touched, in
// version V (no date), with the given blocker→blocked links.
func cycleSnapshot(n int, links ...[2]int) radar.Snapshot {
	s := radar.Snapshot{Versions: []radar.Version{{ID: "V", Project: "P", Name: "V"}}}
	for i := 1; i <= n; i++ {
		key := fmt.Sprintf("P-%d", i)
		s.Issues = append(s.Issues, radar.Issue{ID: key, Key: key, Project: "P", Type: "Story", StatusID: "1", Status: "To Do",
			StatusCategory: radar.CategoryNew, Created: propNow.AddDate(0, 0, -10), Updated: propNow,
			AssigneeID: "u-ann", AssigneeName: "Ann", FixVersions: []string{"V"}})
	}
	for k, l := range links {
		s.Dependencies = append(s.Dependencies, radar.Dependency{LinkID: fmt.Sprint(k), Type: "Blocks",
			Blocker: fmt.Sprintf("P-%d", l[0]), Blocked: fmt.Sprintf("P-%d", l[1])})
	}
	return s
}

// TestCycleLiftsEveryMember: a dependency cycle lifts the risk of each of
// its members once (it used to lift only the first by key), the members'
// hold on each other is not counted again as blast radius, and the version
// they share counts the cycle as one finding.
func TestCycleLiftsEveryMember(t *testing.T) {
	tests := []struct {
		name    string
		n       int
		links   [][2]int
		members []string
		blast   map[string]string // member → its blast signal, if any
	}{
		{
			name:    "three in a circle",
			n:       3,
			links:   [][2]int{{1, 2}, {2, 3}, {3, 1}},
			members: []string{"P-1", "P-2", "P-3"},
		},
		{
			name:    "two circles sharing a member are one cycle",
			n:       3,
			links:   [][2]int{{1, 2}, {2, 1}, {2, 3}, {3, 2}},
			members: []string{"P-1", "P-2", "P-3"},
		},
		{
			name:    "a member also blocks work outside the cycle",
			n:       4,
			links:   [][2]int{{1, 2}, {2, 1}, {2, 4}},
			members: []string{"P-1", "P-2"},
			blast:   map[string]string{"P-1": "blast_radius_outside_cycle=1", "P-2": "blast_radius_outside_cycle=1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := Analyze(cycleSnapshot(tt.n, tt.links...), Options{Now: propNow, Trials: 500})
			cycles := 0
			for _, f := range rep.Findings {
				if f.Kind == radar.KindDependencyCycle {
					cycles++
				}
			}
			if cycles != 1 {
				t.Fatalf("got %d dependency_cycle findings, want 1", cycles)
			}
			risks := map[string]radar.RiskScore{}
			for _, r := range rep.Risks {
				risks[r.Kind+" "+r.Subject] = r
			}
			for _, k := range tt.members {
				r, ok := risks[radar.RiskIssue+" "+k]
				if !ok {
					t.Errorf("%s: no risk score, want one lifted by the cycle", k)
					continue
				}
				if got := countPrefix(r.Signals, "dependency_cycle("); got != 1 {
					t.Errorf("%s signals %q: got the cycle %d times, want once", k, r.Signals, got)
				}
				if got, want := blastSignal(r.Signals), tt.blast[k]; got != want {
					t.Errorf("%s blast signal = %q, want %q", k, got, want)
				}
				if r.Score < severityWeight[radar.SeverityWarning] {
					t.Errorf("%s score %d, want at least the cycle's weight %d", k, r.Score, severityWeight[radar.SeverityWarning])
				}
			}
			v, ok := risks[radar.RiskVersion+" V"]
			if !ok || !slices.Contains(v.Signals, "warning_findings=1") {
				t.Errorf("version V: got %+v, want warning_findings=1 (the cycle counted once)", v)
			}
		})
	}
}

func countPrefix(xs []string, prefix string) int {
	n := 0
	for _, x := range xs {
		if strings.HasPrefix(x, prefix) {
			n++
		}
	}
	return n
}

func blastSignal(sigs []string) string {
	for _, s := range sigs {
		if strings.HasPrefix(s, "blast_radius") {
			return s
		}
	}
	return ""
}
