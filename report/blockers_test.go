package report_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/report"
)

// The report's blockers are the five with the most work waiting, whatever
// their severity (the risks section orders by severity), without those
// their owner called not a risk.
func TestReportBlockersByBlastRadius(t *testing.T) {
	now := time.Date(2026, 3, 16, 9, 0, 0, 0, time.UTC)
	blocker := func(key string, sev radar.Severity, radius int, ack *radar.Ack) radar.Finding {
		return radar.Finding{ID: "blocker:" + key, Kind: radar.KindBlocker, Severity: sev, Project: "PAY", Issue: key,
			Title: key + " blocks work", Evidence: radar.BlockerFacts{BlastRadius: radius}, Ack: ack}
	}
	findings := []radar.Finding{
		blocker("PAY-1", radar.SeverityCritical, 3, nil),
		blocker("PAY-2", radar.SeverityCritical, 2, nil),
		blocker("PAY-3", radar.SeverityWarning, 20, nil),
		blocker("PAY-4", radar.SeverityWarning, 12, nil),
		blocker("PAY-5", radar.SeverityWarning, 9, nil),
		blocker("PAY-6", radar.SeverityInfo, 7, nil),
		blocker("PAY-7", radar.SeverityWarning, 40, &radar.Ack{State: radar.AckDismissed, By: "ada", At: now}),
	}
	st, _ := report.Build(report.Input{Now: now, Window: 7 * 24 * time.Hour, Analysis: radar.Report{GeneratedAt: now, Findings: findings}})
	var got []string
	for _, f := range st.Blockers {
		got = append(got, fmt.Sprintf("%s:%d", f.Issue, f.BlastRadius()))
	}
	if want := []string{"PAY-3:20", "PAY-4:12", "PAY-5:9", "PAY-6:7", "PAY-1:3"}; !slices.Equal(got, want) {
		t.Errorf("blockers = %v, want %v", got, want)
	}
}
