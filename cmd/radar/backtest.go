package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/radarhq/radar/analysis"
	"github.com/radarhq/radar/service"
)

// runBacktest replays the release forecasts at several horizons before each
// finished version's actual finish and reports how often they held. Without
// --now it records the summary as the forecasts' track record.
func runBacktest(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "backtest")
	path := fs.String("config", "", "configuration file (YAML)")
	format := fs.String("format", "table", "output format: table, json or markdown")
	horizonsFlag := fs.String("horizons", "2w,4w,8w,12w", "how long before each version's actual finish to replay its forecast: weeks (4w) or days (10d), comma-separated")
	nowFlag := fs.String("now", "", "the report's time (RFC 3339); default: now")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	write, ok := map[string]func(analysis.BacktestReport) error{
		"table":    func(r analysis.BacktestReport) error { return analysis.WriteBacktestTable(e.stdout, r) },
		"json":     func(r analysis.BacktestReport) error { return analysis.WriteBacktestJSON(e.stdout, r) },
		"markdown": func(r analysis.BacktestReport) error { return analysis.WriteBacktestMarkdown(e.stdout, r) },
	}[*format]
	if !ok {
		return fmt.Errorf("%w: --format %q: use table, json or markdown", errUsage, *format)
	}
	horizons, err := parseHorizons(*horizonsFlag)
	if err != nil {
		return err
	}
	sy, err := loadSyncedAt(ctx, e, *path, *nowFlag)
	if err != nil {
		return err
	}
	cfg, st, snap, now := sy.cfg, sy.st, sy.snap, sy.now
	defer st.Close()
	rep := analysis.Backtest(snap, analysis.BacktestOptions{Horizons: horizons, Analysis: service.AnalysisOptions(cfg, now)})
	if *nowFlag == "" {
		// The track record analyze, serve and Slack quote from now on.
		if err := st.SaveTrackRecord(ctx, now, rep.TrackRecord()); err != nil {
			return err
		}
	}
	return write(rep)
}

// parseHorizons reads --horizons: a comma-separated list of weeks ("4w")
// or days ("10d"), each at least one day.
func parseHorizons(s string) ([]time.Duration, error) {
	var out []time.Duration
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		unit := 24 * time.Hour
		switch {
		case strings.HasSuffix(f, "w"):
			unit = 7 * 24 * time.Hour
		case strings.HasSuffix(f, "d"):
		default:
			return nil, fmt.Errorf("%w: --horizons %q: %q has no unit; use weeks or days, e.g. 2w,4w,8w,12w or 10d", errUsage, s, f)
		}
		n, err := strconv.Atoi(f[:len(f)-1])
		if err != nil || n <= 0 || n > 520 {
			return nil, fmt.Errorf("%w: --horizons %q: %q is not a whole number of weeks or days between 1 and 520, e.g. 4w", errUsage, s, f)
		}
		out = append(out, time.Duration(n)*unit)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: --horizons is empty; use e.g. 2w,4w,8w,12w", errUsage)
	}
	return out, nil
}
