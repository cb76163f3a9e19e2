package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/radarhq/radar/service"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/alerts"
	"github.com/radarhq/radar/analysis"
	"github.com/radarhq/radar/config"
)

// runAlert analyses the synced data once and delivers the Slack
// notifications the changes call for; --dry-run prints them as Block Kit
// JSON instead, recording and sending nothing.
func runAlert(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "alert")
	path := fs.String("config", "", "configuration file (YAML)")
	dryRun := fs.Bool("dry-run", false, "print the Block Kit JSON of what would be sent; record and send nothing")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(e, *path, config.SectionStore, config.SectionAnalysis, config.SectionSlack)
	if err != nil {
		return err
	}
	st, err := openSyncedStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	if !*dryRun {
		if err := refuseBesideServe(cfg.Store.Path, "alert", "Use radar alert --dry-run to see what it would send, or stop serve first."); err != nil {
			return err
		}
	}
	if err := needSlack(cfg); err != nil {
		return err
	}
	log := newLogger(e, cfg)

	opts := []alerts.Option{alerts.WithLogger(log), alerts.WithJiraURL(cfg.Jira.URL)}
	if *dryRun {
		opts = append(opts, alerts.WithoutTransport())
	}
	a, err := alerts.New(alerts.NewSettings(cfg.Slack), st, opts...)
	if err != nil {
		return err
	}
	snap, err := st.LoadSnapshot(ctx)
	if err != nil {
		return fmt.Errorf("alert: %w", err)
	}
	aopts := service.AnalysisOptions(cfg, time.Now())
	if aopts.TrackRecord, err = trackRecord(ctx, st, snap, aopts, false); err != nil {
		return err
	}

	if *dryRun {
		msgs, err := a.DryRun(ctx, analysis.Analyze(snap, aopts))
		if err != nil {
			return err
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if msgs == nil {
			msgs = []alerts.DryRunMessage{}
		}
		return enc.Encode(msgs)
	}

	// The cycle radar serve runs after each sync, without the sync.
	recorded := false
	cyc := service.Pass{Store: st, Alerter: a, Recorded: func(err error) { recorded = err == nil }}.Run(ctx, snap, aopts)
	if !recorded {
		return cyc.Err // nothing recorded, so nothing delivered
	}
	counts := map[radar.Transition]int{}
	for _, c := range cyc.Changes {
		counts[c.Transition]++
	}
	pending, err := st.PendingOutboxCount(ctx)
	if err != nil {
		return errors.Join(cyc.Err, err)
	}
	fmt.Fprintf(e.stdout, "%d open findings (%d new, %d escalated, %d resolved, %d back); %d notifications pending\n",
		len(cyc.Report.Findings), counts[radar.TransitionNew], counts[radar.TransitionEscalated],
		counts[radar.TransitionResolved], counts[radar.TransitionReopened], pending)
	return cyc.Err
}
