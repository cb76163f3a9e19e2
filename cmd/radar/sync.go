package main

import (
	"context"
	"fmt"
	"time"

	"github.com/radarhq/radar/config"
	"github.com/radarhq/radar/connector"
	"github.com/radarhq/radar/store"
)

// runSync syncs Jira into the database once and prints a one-line summary.
func runSync(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "sync")
	cfgPath := fs.String("config", "", "configuration file (YAML)")
	full := fs.Bool("full", false, "fetch everything instead of what changed since the last sync")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(e, *cfgPath, everything...)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	se, progress := withProgress(e)
	res, err := syncOnce(ctx, se, cfg, st, *full, progress...)
	if err != nil {
		return err
	}
	printSyncSummary(e, res)
	return nil
}

// syncOnce runs one sync with the configured connector.
func syncOnce(ctx context.Context, e *env, cfg *config.Config, st *store.Store, full bool, opts ...connector.Option) (connector.Result, error) {
	opts = append([]connector.Option{connector.WithLogger(newLogger(e, cfg))}, opts...)
	c, err := connector.New(connector.SettingsFrom(cfg.Jira), st, nil, opts...)
	if err != nil {
		return connector.Result{}, err
	}
	return c.Sync(ctx, full)
}

func printSyncSummary(e *env, r connector.Result) {
	mode := "incremental"
	if r.Full {
		mode = "full"
	}
	fmt.Fprintf(e.stdout, "synced (%s, %s): %d issues, %d links, %d changelog items, %d removed, %d requests, %d retries in %s\n",
		r.Flavor, mode, r.Issues, r.Links, r.Changes, r.Removed, r.Requests, r.Retries, r.Duration.Round(time.Millisecond))
	if r.Skipped > 0 {
		fmt.Fprintf(e.stdout, "%d issue(s) skipped: Jira returned ids or keys Radar cannot read; the log names them\n", r.Skipped)
	}
}
