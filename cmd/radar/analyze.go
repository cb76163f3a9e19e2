package main

import (
	"context"
	"fmt"
	"github.com/radarhq/radar/service"
	"time"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/analysis"
)

// runAnalyze analyses the synced data and prints the findings and release
// forecasts. It records nothing unless --record is given: radar alert and
// radar serve record the findings history themselves, and a run in between
// would eat the transitions (new, escalated, resolved) they alert on.
func runAnalyze(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "analyze")
	path := fs.String("config", "", "configuration file (YAML)")
	format := fs.String("format", "table", "output format: table, json or markdown")
	nowFlag := fs.String("now", "", "analyse as of this time (RFC 3339, e.g. 2026-03-02T09:00:00Z) for reproducible output; default: now")
	record := fs.Bool("record", false, "record the findings in the history (first seen, resolved); leave off when radar alert or serve run")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	write, ok := map[string]func(*env, radar.Report) error{
		"table":    func(e *env, r radar.Report) error { return analysis.WriteTable(e.stdout, r) },
		"json":     func(e *env, r radar.Report) error { return analysis.WriteJSON(e.stdout, r) },
		"markdown": func(e *env, r radar.Report) error { return analysis.WriteMarkdown(e.stdout, r) },
	}[*format]
	if !ok {
		return fmt.Errorf("%w: --format %q: use table, json or markdown", errUsage, *format)
	}
	now, err := parseNow(*nowFlag)
	if err != nil {
		return err
	}
	cfg, st, snap, err := loadSynced(ctx, e, *path)
	if err != nil {
		return err
	}
	defer st.Close()
	report := analysis.Analyze(snap, service.AnalysisOptions(cfg, now))
	if *record {
		if _, err := st.RecordFindings(ctx, report.GeneratedAt, report.Findings); err != nil {
			return err
		}
	}
	// The risk register: who owns each finding, and its state.
	if report.Findings, err = st.AttachAcks(ctx, report.Findings); err != nil {
		return err
	}
	return write(e, report)
}

// parseNow reads a --now flag: empty means the wall clock.
func parseNow(s string) (time.Time, error) {
	if s == "" {
		return time.Now().UTC(), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: --now %q: use RFC 3339, e.g. 2026-03-02T09:00:00Z", errUsage, s)
	}
	return t.UTC(), nil
}
