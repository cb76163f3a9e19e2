package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/radarhq/radar/service"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/analysis"
	"github.com/radarhq/radar/store"
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
	record := fs.Bool("record", false, "record the findings in the history (first seen, resolved); refused while radar serve runs")
	var projects, kinds, states listFlag
	fs.Var(&projects, "project", "only these projects (repeat, or comma-separate: PAY,WEB)")
	fs.Var(&kinds, "kind", "only these finding kinds (repeat, or comma-separate: blocker,overdue)")
	fs.Var(&states, "state", "only findings in these states: unowned, acknowledged, snoozed, dismissed (repeat, or comma-separate)")
	minSeverity := fs.String("min-severity", "", "only findings at least this severe: info, warning or critical")
	limit := fs.Int("limit", 0, "at most this many findings, the most urgent first (0: all)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var sev []string
	if *minSeverity != "" {
		sev = []string{*minSeverity}
	}
	filter, err := radar.ParseFindingFilter(radar.FilterInput{Projects: projects, Kinds: kinds, Severities: sev, States: states, Limit: *limit}, flagValue)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	write, ok := map[string]func(*env, radar.Report) error{
		"table":    func(e *env, r radar.Report) error { return analysis.WriteTable(e.stdout, r) },
		"json":     func(e *env, r radar.Report) error { return analysis.WriteJSON(e.stdout, r) },
		"markdown": func(e *env, r radar.Report) error { return analysis.WriteMarkdown(e.stdout, r) },
	}[*format]
	if !ok {
		return fmt.Errorf("%w: --format %q: use table, json or markdown", errUsage, *format)
	}
	sy, err := loadSyncedAt(ctx, e, *path, *nowFlag)
	if err != nil {
		return err
	}
	cfg, st, snap, now, replay := sy.cfg, sy.st, sy.snap, sy.now, sy.replay
	defer st.Close()
	if *record {
		if err := refuseBesideServe(cfg.Store.Path, "analyze --record", "Leave --record off: radar analyze alone records nothing."); err != nil {
			return err
		}
	}
	opts := service.AnalysisOptions(cfg, now)
	if opts.TrackRecord, err = trackRecord(ctx, st, snap, opts, replay != nil); err != nil {
		return err
	}
	report := analysis.Analyze(snap, opts)
	report.Replay = replay
	if *record {
		if _, err := st.RecordFindings(ctx, report.GeneratedAt, report.Findings); err != nil {
			return err
		}
	}
	// The risk register: who owns each finding, and its state.
	if report.Findings, err = st.AttachAcks(ctx, report.Findings); err != nil {
		return err
	}
	if replay != nil {
		radar.AcksAsOf(report.Findings, now)
	}
	all := filter
	all.Limit = 0
	matched := len(all.Apply(report, now).Findings)
	report = filter.Apply(report, now)
	if n := len(report.Findings); n < matched {
		fmt.Fprintf(e.stderr, "showing the %d most urgent of %d findings (--limit %d)\n", n, matched, filter.Limit)
	}
	return write(e, report)
}

// listFlag is a flag that may be repeated and takes comma-separated values.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	*l = append(*l, radar.SplitList([]string{v})...)
	return nil
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

// replayAt rebuilds the snapshot as it was at now when --now was given
// (flag non-empty), refusing times the data cannot answer for.
func replayAt(snap radar.Snapshot, flag string, now time.Time) (radar.Snapshot, *radar.Replay, error) {
	if flag == "" {
		return snap, nil, nil
	}
	if err := analysis.CheckAsOf(snap, now, time.Now()); err != nil {
		return snap, nil, fmt.Errorf("%w: %w", errUsage, err)
	}
	past, notes := analysis.AsOf(snap, now)
	return past, &radar.Replay{AsOf: now, Notes: notes}, nil
}

// trackRecord is the forecasts' track record: the one recorded by the last
// radar backtest or serve, else (and for a replay of the past, which must
// not know later outcomes) a backtest of the snapshot.
func trackRecord(ctx context.Context, st *store.Store, snap radar.Snapshot, opts analysis.Options, replay bool) (*radar.TrackRecord, error) {
	if !replay {
		tr, _, ok, err := st.LastTrackRecord(ctx)
		if err != nil {
			return nil, err
		}
		if ok {
			return &tr, nil
		}
	}
	return service.TrackRecord(snap, opts), nil
}
