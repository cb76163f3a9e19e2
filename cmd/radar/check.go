package main

import (
	"context"
	"fmt"

	"github.com/radarhq/radar/alerts"
	"github.com/radarhq/radar/connector"
)

// checkRetries bounds the retries of each request radar check sends: a
// person is waiting, and a failure is the answer.
const checkRetries = 1

// runCheck tests the configuration, Jira (sign-in, projects, link types,
// fields) and Slack (sign-in, each route's channel) without syncing,
// posting or writing anything, and says what to fix.
func runCheck(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "check")
	path := fs.String("config", "", "configuration file (YAML)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(e, *path, everything...)
	if err != nil {
		return err
	}
	where := *path
	if where == "" {
		where = "defaults and RADAR_* variables"
	}
	fmt.Fprintf(e.stdout, "ok      config: %s\n", where)

	failed := 0
	report := func(name, detail string, err error, hint string) {
		if err != nil {
			failed++
			fmt.Fprintf(e.stdout, "FAILED  %s: %s\n", name, err)
			if hint != "" {
				fmt.Fprintf(e.stdout, "        fix: %s\n", hint)
			}
			return
		}
		fmt.Fprintf(e.stdout, "ok      %s: %s\n", name, detail)
	}
	jira := connector.SettingsFrom(cfg.Jira)
	jira.MaxRetries = min(jira.MaxRetries, checkRetries)
	conn, err := connector.New(jira, nil, nil, connector.WithLogger(newLogger(e, cfg)))
	if err != nil {
		return err
	}
	for _, r := range conn.Check(ctx) {
		report(r.Name, r.Detail, r.Err, r.Hint)
	}
	if off := cfg.Slack.Off(); off != "" {
		report("slack", off, nil, "")
	} else {
		a, err := alerts.New(alerts.NewSettings(cfg.Slack), nil, alerts.WithLogger(newLogger(e, cfg)))
		if err != nil {
			return err
		}
		for _, r := range a.Check(ctx) {
			report(r.Name, r.Detail, r.Err, r.Hint)
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d check(s) failed; fix them and run radar check again", failed)
	}
	fmt.Fprintln(e.stdout, "all checks passed")
	return nil
}
