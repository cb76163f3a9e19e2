package radar

import "testing"

func TestFindingPagePath(t *testing.T) {
	tests := []struct {
		name string
		f    Finding
		want string
	}{
		{"issue", Finding{Kind: KindBlocker, Project: "PAY", Issue: "PAY-12"}, "/issues/PAY-12"},
		{"release at risk", Finding{Kind: KindReleaseAtRisk, Project: "PAY", Issue: "2.0 beta/1"}, "/releases/PAY/2.0%20beta%2F1"},
		{"release overdue", Finding{Kind: KindReleaseOverdue, Project: "PAY", Issue: "1.9"}, "/releases/PAY/1.9"},
		{"abandoned work", Finding{Kind: KindAbandonedWork, Project: "PAY", Issue: "PAY"}, "/findings?kind=abandoned_work&project=PAY"},
		{"version scope creep", Finding{Kind: KindScopeCreep, Project: "PAY", Issue: "2.0",
			Evidence: ScopeCreepFacts{Version: "2.0"}}, "/releases/PAY/2.0"},
		{"version slipped", Finding{Kind: KindDueDateSlipped, Project: "WEB", Issue: "<b>5</b>",
			Evidence: ReleaseSlippedFacts{Version: "<b>5</b>"}}, "/releases/WEB/%3Cb%3E5%3C%2Fb%3E"},
		{"sprint scope creep", Finding{Kind: KindScopeCreep, Project: "PAY", Issue: "Sprint 4",
			Evidence: ScopeCreepFacts{Sprint: "Sprint 4"}}, "/findings?kind=scope_creep&project=PAY"},
		{"assignee", Finding{Kind: KindOverloadedAssignee, Project: "OPS", Issue: "Ada Lovelace"}, "/findings?kind=overloaded_assignee&project=OPS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.f.PagePath(); got != tt.want {
				t.Errorf("PagePath() = %q, want %q", got, tt.want)
			}
		})
	}
}
