package analysis

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/radarhq/radar"
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
			// Stable: with a steady pace a version's P85 barely moves from
			// one replay to the next (measured 1.5 days per week, 85th
			// percentile 3–3.75, no jumps, on these seeds).
			if s.StabilitySteps < 40 {
				t.Errorf("only %d stability steps", s.StabilitySteps)
			}
			if s.P85MoveMedian > 3 || s.P85MoveP85 > 7 || s.P85JumpShare > 0.05 {
				t.Errorf("P85 moved %.2f days per week (median), %.2f (85th percentile), %.3f of steps over 14; want at most 3, 7 and 0.05",
					s.P85MoveMedian, s.P85MoveP85, s.P85JumpShare)
			}
		})
	}
}

// TestGoldenBacktest pins the three renderings of a backtest of a
// one-year synthetic site; the JSON keys are a contract.
func TestGoldenBacktest(t *testing.T) {
	rep := Backtest(yearsOfSite(1, 4), BacktestOptions{Horizons: []time.Duration{2 * week, 6 * week}, Analysis: Options{Now: siteNow, Trials: 300}})
	if len(rep.Cases) == 0 {
		t.Fatal("no cases")
	}
	var js, md, tbl bytes.Buffer
	if err := WriteBacktestJSON(&js, rep); err != nil {
		t.Fatal(err)
	}
	if err := WriteBacktestMarkdown(&md, rep); err != nil {
		t.Fatal(err)
	}
	if err := WriteBacktestTable(&tbl, rep); err != nil {
		t.Fatal(err)
	}
	golden(t, "backtest.golden.json", js.Bytes())
	golden(t, "backtest.golden.md", md.Bytes())
	golden(t, "backtest.golden.txt", tbl.Bytes())

	var doc struct {
		GeneratedAt string           `json:"generated_at"`
		Cases       []map[string]any `json:"cases"`
		Summary     map[string]any   `json:"summary"`
	}
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if _, err := time.Parse(time.RFC3339, doc.GeneratedAt); err != nil {
		t.Errorf("generated_at %q is not RFC 3339", doc.GeneratedAt)
	}
	for _, k := range []string{"project", "version", "as_of", "actual", "open_items", "p50", "p85", "p95", "release_date", "on_time_probability"} {
		if _, ok := doc.Cases[0][k]; !ok {
			t.Errorf("case key %q missing", k)
		}
	}
	for _, k := range []string{"cases", "p50_coverage", "p85_coverage", "p95_coverage", "median_relative_error", "at_risk_precision", "at_risk_recall",
		"stability_steps", "p85_move_median_days_per_week", "p85_move_p85_days_per_week", "p85_jump_share"} {
		if _, ok := doc.Summary[k]; !ok {
			t.Errorf("summary key %q missing", k)
		}
	}
	// The same snapshot and options give the same report.
	var again bytes.Buffer
	WriteBacktestJSON(&again, Backtest(yearsOfSite(1, 4), BacktestOptions{Horizons: []time.Duration{2 * week, 6 * week}, Analysis: Options{Now: siteNow, Trials: 300}}))
	if !bytes.Equal(again.Bytes(), js.Bytes()) {
		t.Error("a second backtest of the same snapshot differs")
	}
}

// TestBacktestCaseDefinition pins what a case is: the actual finish is the
// last move of the version's last issue into done, and a horizon before
// the first issue or with no open work gives no case.
func TestBacktestCaseDefinition(t *testing.T) {
	snap := historySnapshot() // P-1 in 2.0, done 2026-02-20 10:00
	rep := Backtest(snap, BacktestOptions{Horizons: []time.Duration{2 * week, 12 * week}, Analysis: Options{Now: siteNow, Trials: 100}})
	if len(rep.Cases) != 1 {
		t.Fatalf("cases = %+v, want one (12 weeks before lies before the first issue)", rep.Cases)
	}
	c := rep.Cases[0]
	if c.Version != "2.0" || c.Actual.String() != "2026-02-20" || !c.AsOf.Equal(time.Date(2026, 2, 6, 10, 0, 0, 0, time.UTC)) || c.Horizon != "2w" {
		t.Errorf("case %+v, want 2.0 as of 2026-02-06 10:00 finishing 2026-02-20", c)
	}
	if c.ReleaseDate.String() != "2026-02-25" || c.OpenItems != 1 {
		t.Errorf("case release %s open %d, want the date recorded then (2026-02-25) and 1 open", c.ReleaseDate, c.OpenItems)
	}
}

// BenchmarkBacktestFiveYearSite backtests a five-year synthetic site at the
// default horizons and trials (the daily track record of radar serve).
func BenchmarkBacktestFiveYearSite(b *testing.B) {
	snap := yearsOfSite(5, 3)
	b.ReportAllocs()
	for b.Loop() {
		Backtest(snap, BacktestOptions{Analysis: Options{Now: siteNow}})
	}
}

// TestBacktestForecastsAsAnalyzeDoes pins that a backtest case is what
// Analyze says of the version at its as-of moment: the replay takes the
// same road as `radar analyze --now`, so a change to how Radar forecasts
// moves the backtest with it.
func TestBacktestForecastsAsAnalyzeDoes(t *testing.T) {
	snap := yearsOfSite(1, 4)
	opts := Options{Now: siteNow, Trials: 300}
	rep := Backtest(snap, BacktestOptions{Horizons: []time.Duration{2 * week, 6 * week}, Analysis: opts})
	if len(rep.Cases) == 0 {
		t.Fatal("no cases")
	}
	for _, c := range rep.Cases {
		t.Run(c.Version+" "+c.Horizon, func(t *testing.T) {
			past, _ := AsOf(snap, c.AsOf)
			at := opts
			at.Now = c.AsOf
			a := Analyze(past, at)
			var got *radar.VersionForecast
			for i := range a.Versions {
				if a.Versions[i].Project == c.Project && a.Versions[i].Name == c.Version {
					got = &a.Versions[i]
				}
			}
			if got == nil {
				t.Fatalf("Analyze as of %s has no forecast of %s", c.AsOf, c.Version)
			}
			atRisk := slices.ContainsFunc(a.Findings, func(f radar.Finding) bool {
				return f.Kind == radar.KindReleaseAtRisk && f.Project == c.Project && f.Issue == c.Version
			})
			want := BacktestCase{Project: c.Project, Version: c.Version, Horizon: c.Horizon, AsOf: c.AsOf, Actual: c.Actual,
				OpenItems: got.OpenItems, P50: got.P50, P85: got.P85, P95: got.P95, ReleaseDate: got.ReleaseDate,
				OnTimeProbability: got.OnTimeProbability, AtRisk: atRisk, Note: got.Note}
			if c != want {
				t.Errorf("backtest case\n%+v\nwant what Analyze says then\n%+v", c, want)
			}
		})
	}
}
