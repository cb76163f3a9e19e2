package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/radarhq/radar/alerts"
	"github.com/radarhq/radar/analysis"
	"github.com/radarhq/radar/report"
	"github.com/radarhq/radar/service"
)

// runReport writes the delivery status report: per release progress and
// forecast, top risks with owners, blockers, what changed since the last
// report (with the reasons forecasts moved) and next steps. Each run is
// recorded, so the next one says what changed since. With --now it is
// the report as of then, replayed from the changelogs, and not recorded.
func runReport(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "report")
	path := fs.String("config", "", "configuration file (YAML)")
	project := fs.String("project", "", "report on this project only, or several: PAY,WEB (default: every project)")
	audience := fs.String("audience", report.AudienceTeam, "team (names issues, owners, notes) or exec (short, decisions)")
	sinceFlag := fs.String("since", "7d", "how far back \"what changed\" looks when there is no earlier report, or before --now (7d, 2w, 48h)")
	format := fs.String("format", "markdown", "markdown, html or slack (Block Kit JSON)")
	nowFlag := fs.String("now", "", "report as of this time (RFC 3339), replayed from the changelogs, what changed too; implies --dry-run; default: now")
	dryRun := fs.Bool("dry-run", false, "do not record this report: the next one compares with the last recorded")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	req, err := report.ParseQuery(report.Query{Project: *project, Audience: *audience, Since: *sinceFlag, Format: *format,
		Replay: *nowFlag != ""}, flagValue)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	write := reportWriters[req.Format]
	sy, err := loadSyncedAt(ctx, e, *path, *nowFlag)
	if err != nil {
		return err
	}
	cfg, st, snap, now, replay := sy.cfg, sy.st, sy.snap, sy.now, sy.replay
	defer st.Close()
	// The projects a report can be about are the synced ones, as the web
	// UI's /report checks; a replay asks about the present's.
	if err := req.CheckProjects(sy.present.ProjectKeys(), flagValue); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	opts := service.AnalysisOptions(cfg, now)
	// The forecasts' track record: the last recorded backtest, else one
	// now; for a replay, a backtest of the past, which knows no later outcome.
	if opts.TrackRecord, err = trackRecord(ctx, st, snap, opts, replay != nil); err != nil {
		return err
	}
	rep := analysis.Analyze(snap, opts)
	rep.Replay = replay
	sreq := service.ReportRequest{Now: now, Project: req.Project, Audience: req.Audience, Window: req.Window, Record: !*dryRun}
	if replay != nil {
		sreq.Replay = &service.ReportReplay{Present: sy.present, Options: opts} // never recorded
	}
	sr, err := service.StatusReport(ctx, st, rep, snap, sreq)
	if err != nil {
		return err
	}
	return write(e.stdout, report.Lay(sr))
}

// reportWriters writes a report in each of report.Formats.
var reportWriters = map[string]func(io.Writer, report.Document) error{
	"markdown": report.WriteMarkdown,
	"html":     report.WriteHTML,
	"slack":    writeSlackReport,
}

// writeSlackReport writes the Slack messages of a report as Block Kit JSON.
func writeSlackReport(w io.Writer, d report.Document) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(alerts.ReportMessages(d))
}
