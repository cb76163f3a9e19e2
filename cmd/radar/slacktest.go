package main

import (
	"context"
	"fmt"

	"github.com/radarhq/radar/alerts"
	"github.com/radarhq/radar/config"
)

// runSlackTest sends one test message to each route's channel and reports
// what Slack said, with the fix when it refused.
func runSlackTest(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "slack-test")
	path := fs.String("config", "", "configuration file (YAML)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(e, *path, config.SectionStore, config.SectionSlack)
	if err != nil {
		return err
	}
	if err := needSlack(cfg); err != nil {
		return err
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	a, err := alerts.New(alerts.NewSettings(cfg.Slack), st, alerts.WithLogger(newLogger(e, cfg)), alerts.WithJiraURL(cfg.Jira.URL))
	if err != nil {
		return err
	}
	failed := 0
	results := a.Test(ctx)
	for _, r := range results {
		name := r.Channel
		if a.Webhook() {
			name = "webhook"
		}
		if r.Err != nil {
			failed++
			fmt.Fprintf(e.stdout, "%s (%s): FAILED: %v\n    fix: %s\n", name, r.Audience, r.Err, r.Hint)
			continue
		}
		if r.Warning != "" {
			fmt.Fprintf(e.stdout, "%s (%s): ok, but %s\n", name, r.Audience, r.Warning)
			continue
		}
		if r.TS != "" {
			fmt.Fprintf(e.stdout, "%s (%s): ok, channel %s, ts %s\n", name, r.Audience, r.ChannelID, r.TS)
		} else {
			fmt.Fprintf(e.stdout, "%s (%s): ok\n", name, r.Audience)
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d test messages failed; see the fixes above", failed, len(results))
	}
	return nil
}
