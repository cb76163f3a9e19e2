package analysis

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// WriteBacktestJSON writes the backtest as indented JSON (the contract of
// `radar backtest --format json`).
func WriteBacktestJSON(w io.Writer, r BacktestReport) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("write backtest json: %w", err)
	}
	return nil
}

// WriteBacktestTable writes the backtest as aligned text for a terminal;
// wide (CJK) names count double, as in WriteTable.
func WriteBacktestTable(w io.Writer, r BacktestReport) error {
	var b strings.Builder
	s := r.Summary
	fmt.Fprintf(&b, "Radar backtest generated %s: %s, %d with a forecast\n", r.GeneratedAt.UTC().Format("2006-01-02 15:04 MST"), plural(s.Cases, "case", "cases"), s.ForecastCases)
	fmt.Fprintf(&b, "Finished by P50 %s, P85 %s, P95 %s; median relative error %.2f; release_at_risk precision %s, recall %s\n",
		pct(s.P50Coverage), pct(s.P85Coverage), pct(s.P95Coverage), s.MedianRelativeError, pct(s.AtRiskPrecision), pct(s.AtRiskRecall))
	if s.StabilitySteps > 0 {
		fmt.Fprintf(&b, "%s\n", stabilityLine(s))
	}
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "Note: %s\n", plainTextN(n, maxProse))
	}
	if len(r.Cases) > 0 {
		var cs columns
		cs.add("PROJECT", "VERSION", "HORIZON", "AS OF", "OPEN", "RELEASE", "P50", "P85", "P95", "ACTUAL", "AT RISK")
		for _, c := range r.Cases {
			cs.add(plainTextN(c.Project, maxName), plainTextN(c.Version, maxName), c.Horizon, c.AsOf.UTC().Format(time.DateOnly),
				strconv.Itoa(c.OpenItems), dash(c.ReleaseDate.String()), dash(c.P50.String()), dash(c.P85.String()), dash(c.P95.String()),
				c.Actual.String(), yesNo(c.AtRisk))
		}
		b.WriteString("\n")
		cs.write(&b)
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write backtest table: %w", err)
	}
	return nil
}

// WriteBacktestMarkdown writes the backtest for a project manager.
func WriteBacktestMarkdown(w io.Writer, r BacktestReport) error {
	var b strings.Builder
	s := r.Summary
	fmt.Fprintf(&b, "# Forecast backtest\n\nGenerated %s. %s, %d with a forecast.\n\n", r.GeneratedAt.UTC().Format("2006-01-02 15:04 MST"), plural(s.Cases, "case", "cases"), s.ForecastCases)
	fmt.Fprintf(&b, "| Finished by P50 | by P85 | by P95 | Median relative error | At-risk precision | At-risk recall |\n|---|---|---|---|---|---|\n| %s | %s | %s | %.2f | %s | %s |\n",
		pct(s.P50Coverage), pct(s.P85Coverage), pct(s.P95Coverage), s.MedianRelativeError, pct(s.AtRiskPrecision), pct(s.AtRiskRecall))
	if s.StabilitySteps > 0 {
		fmt.Fprintf(&b, "\n%s\n", stabilityLine(s))
	}
	if len(r.Notes) > 0 {
		b.WriteString("\n")
		for _, n := range r.Notes {
			fmt.Fprintf(&b, "- %s\n", markdownTextN(n, maxProse))
		}
	}
	if len(r.Cases) > 0 {
		b.WriteString("\n## Cases\n\n| Project | Version | Horizon | As of | Open items | Release date | P50 | P85 | P95 | Actual | At risk |\n|---|---|---|---|---|---|---|---|---|---|---|\n")
		for _, c := range r.Cases {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %d | %s | %s | %s | %s | %s | %s |\n", markdownTextN(c.Project, maxName), markdownTextN(c.Version, maxName), c.Horizon,
				c.AsOf.UTC().Format(time.DateOnly), c.OpenItems, dash(c.ReleaseDate.String()), dash(c.P50.String()), dash(c.P85.String()), dash(c.P95.String()), c.Actual, yesNo(c.AtRisk))
		}
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write backtest markdown: %w", err)
	}
	return nil
}

// stabilityLine says how far P85 moved between consecutive replays.
func stabilityLine(s BacktestSummary) string {
	return fmt.Sprintf("P85 moved %.1f days per week between consecutive replays (median; 85th percentile %.1f); %s of %s moved more than %d days per week",
		s.P85MoveMedian, s.P85MoveP85, pct(s.P85JumpShare), plural(s.StabilitySteps, "step", "steps"), jumpDaysPerWeek)
}

func pct(x float64) string { return fmt.Sprintf("%.0f%%", x*100) }

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
