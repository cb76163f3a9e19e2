package radar_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/radarhq/radar"
)

// TestParseFindingFilter: one parser reads every front end's filter; its
// errors name the bad value as the front end called it.
func TestParseFindingFilter(t *testing.T) {
	flag := func(field, value string) string { return fmt.Sprintf("--%s %q", field, value) }
	tests := []struct {
		name    string
		in      radar.FilterInput
		want    radar.FindingFilter
		wantErr string
	}{
		{"nothing keeps everything", radar.FilterInput{}, radar.FindingFilter{}, ""},
		{"projects repeated and comma-separated", radar.FilterInput{Projects: []string{"PAY, web", "", "OPS"}},
			radar.FindingFilter{Projects: []string{"PAY", "web", "OPS"}}, ""},
		{"kinds", radar.FilterInput{Kinds: []string{"blocker,stale"}}, radar.FindingFilter{Kinds: []radar.Kind{radar.KindBlocker, radar.KindStale}}, ""},
		{"the least severe is the minimum", radar.FilterInput{Severities: []string{"Critical", "warning"}}, radar.FindingFilter{MinSeverity: radar.SeverityWarning}, ""},
		{"states in any case", radar.FilterInput{States: []string{"Unowned,snoozed"}}, radar.FindingFilter{States: []string{radar.AckUnowned, radar.AckSnoozed}}, ""},
		{"limit", radar.FilterInput{Limit: 3}, radar.FindingFilter{Limit: 3}, ""},
		{"unknown kind", radar.FilterInput{Kinds: []string{"blocker", "blockr"}}, radar.FindingFilter{},
			`--kind "blockr": not a finding kind; use one or more of ` + strings.Join(radar.KindNames(), ", ")},
		{"unknown severity", radar.FilterInput{Severities: []string{"warning,loud"}}, radar.FindingFilter{},
			`--severity "loud": not a severity; use info, warning or critical`},
		{"unknown state", radar.FilterInput{States: []string{"mine"}}, radar.FindingFilter{},
			`--state "mine": not a finding state; use one or more of unowned, acknowledged, snoozed, dismissed`},
		{"negative limit", radar.FilterInput{Limit: -1}, radar.FindingFilter{}, `--limit "-1": use a positive number, or 0 for no limit`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := radar.ParseFindingFilter(tt.in, flag)
			if gotErr := fmt.Sprint(err); tt.wantErr != "" && gotErr != tt.wantErr || tt.wantErr == "" && err != nil {
				t.Fatalf("error %v, want %q", err, tt.wantErr)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestFindingFilterApply: a filter narrows findings by project (any case),
// kind, minimum severity and state, cuts them to the limit, and narrows
// the other parts of a report by project.
func TestFindingFilterApply(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	ended := &radar.Ack{State: radar.AckSnoozed, Until: now.Add(-time.Hour)}
	r := radar.Report{
		Findings: []radar.Finding{
			{ID: "1", Project: "PAY", Kind: radar.KindBlocker, Severity: radar.SeverityCritical, Ack: &radar.Ack{State: radar.AckAcknowledged}},
			{ID: "2", Project: "PAY", Kind: radar.KindStale, Severity: radar.SeverityInfo},
			{ID: "3", Project: "WEB", Kind: radar.KindBlocker, Severity: radar.SeverityWarning, Ack: ended},
			{ID: "4", Project: "WEB", Kind: radar.KindOverdue, Severity: radar.SeverityWarning, Ack: &radar.Ack{State: radar.AckDismissed}},
		},
		Versions: []radar.VersionForecast{{Project: "PAY", Name: "1.0"}, {Project: "WEB", Name: "2.0"}},
		Risks:    []radar.RiskScore{{Project: "WEB"}},
	}
	tests := []struct {
		name     string
		f        radar.FindingFilter
		ids      string
		versions int
	}{
		{"zero keeps all", radar.FindingFilter{}, "1 2 3 4", 2},
		{"project in any case", radar.FindingFilter{Projects: []string{"pay"}}, "1 2", 1},
		{"kind", radar.FindingFilter{Kinds: []radar.Kind{radar.KindBlocker}}, "1 3", 2},
		{"min severity", radar.FindingFilter{MinSeverity: radar.SeverityWarning}, "1 3 4", 2},
		{"unowned, with a snooze that ended", radar.FindingFilter{States: []string{radar.AckUnowned}}, "2 3", 2},
		{"two states", radar.FindingFilter{States: []string{radar.AckAcknowledged, radar.AckDismissed}}, "1 4", 2},
		{"limit after the rest", radar.FindingFilter{Projects: []string{"WEB"}, Limit: 1}, "3", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.f.Apply(r, now)
			var ids []string
			for _, x := range got.Findings {
				ids = append(ids, x.ID)
			}
			if strings.Join(ids, " ") != tt.ids || len(got.Versions) != tt.versions {
				t.Errorf("got findings %v and %d versions, want %s and %d", ids, len(got.Versions), tt.ids, tt.versions)
			}
		})
	}
	if got := (radar.FindingFilter{Projects: []string{"PAY"}}).Apply(r, now); got.Risks == nil || len(got.Risks) != 0 || len(r.Findings) != 4 {
		t.Errorf("risks %v (want [], not nil), and the report itself changed: %d findings", got.Risks, len(r.Findings))
	}
}
