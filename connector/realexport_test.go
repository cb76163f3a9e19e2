package connector_test

import (
	"os"
	"testing"
	"time"

	"github.com/radarhq/radar/analysis"
	"github.com/radarhq/radar/internal/realexport"
)

// TestBacktestRealExport backtests the forecasts on the real export,
// mapped through the connector as a sync stores it (no changelogs: finishes
// are resolution dates), and holds them to the issue's bar: P85 coverage
// 0.70–0.95, P50 0.30–0.70, nothing past five years. It takes about 30 s,
// so it runs only when RADAR_REAL_EXPORT=1 (and is skipped when the export
// is absent).
func TestBacktestRealExport(t *testing.T) {
	if os.Getenv("RADAR_REAL_EXPORT") == "" {
		t.Skip("set RADAR_REAL_EXPORT=1 to backtest on the real Jira export in ../shared/data (about 30 s)")
	}
	snap := realexport.Load(t)
	now := realexport.LastUpdated(snap)
	start := time.Now()
	rep := analysis.Backtest(snap, analysis.BacktestOptions{Analysis: analysis.Options{Now: now.Add(24 * time.Hour)}})
	t.Logf("%d issues, %d versions; backtest took %v", len(snap.Issues), len(snap.Versions), time.Since(start).Round(time.Millisecond))
	t.Logf("summary %+v", rep.Summary)
	t.Logf("notes %q", rep.Notes)
	s := rep.Summary
	if s.ForecastCases < 100 {
		t.Errorf("only %d cases with a forecast on a 22k-issue site", s.ForecastCases)
	}
	if s.P85Coverage < 0.70 || s.P85Coverage > 0.95 {
		t.Errorf("P85 coverage %.3f, want 0.70–0.95", s.P85Coverage)
	}
	if s.P50Coverage < 0.30 || s.P50Coverage > 0.70 {
		t.Errorf("P50 coverage %.3f, want 0.30–0.70", s.P50Coverage)
	}
	if s.MaxYearsAhead > 5 {
		t.Errorf("a forecast lands %.1f years past its as-of date", s.MaxYearsAhead)
	}
}
