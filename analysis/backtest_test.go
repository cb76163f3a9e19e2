package analysis

import (
	"fmt"
	"testing"
)

// TestBacktestSimulatedSiteIsCalibrated backtests synthetic multi-year
// sites of known throughput (heavy-tailed cycle times, cleanup days,
// dormant versions): the forecasts must be calibrated on them.
func TestBacktestSimulatedSiteIsCalibrated(t *testing.T) {
	for _, tt := range []struct {
		years int
		seed  uint64
	}{{3, 1}, {3, 2}, {5, 3}} {
		t.Run(fmt.Sprintf("%d years seed %d", tt.years, tt.seed), func(t *testing.T) {
			rep := Backtest(yearsOfSite(tt.years, tt.seed), BacktestOptions{Analysis: Options{Now: siteNow, Trials: 1000}})
			s := rep.Summary
			t.Logf("summary %+v", s)
			if s.ForecastCases < 40 {
				t.Fatalf("only %d cases with a forecast; want a multi-year site's worth", s.ForecastCases)
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
			if s.MedianRelativeError > 0.32 {
				t.Errorf("median relative error %.3f, want below 0.32", s.MedianRelativeError)
			}
		})
	}
}
