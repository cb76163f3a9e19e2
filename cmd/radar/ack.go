package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/alerts"
	"github.com/radarhq/radar/config"
	"github.com/radarhq/radar/store"
)

// runAck records an action on an open finding, as the Slack buttons do:
// acknowledge (the person owns it), snooze for a while or until it gets
// worse, or dismiss (not a risk). With Slack set up, the finding's
// messages are updated in place.
func runAck(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "ack")
	path := fs.String("config", "", "configuration file (YAML)")
	snooze := fs.String("snooze", "", "snooze for 1d, 1w or a duration such as 48h")
	untilWorse := fs.Bool("until-worse", false, "snooze until the finding gets worse")
	dismiss := fs.Bool("dismiss", false, "not a risk: mute until it changes kind or gets more severe")
	by := fs.String("by", "", "who acts (default: $USER)")
	note := fs.String("note", "", "what is being done about it (shown in Slack and the status report)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: radar ack FINDING-ID [--snooze 1w | --until-worse | --dismiss] [--by NAME] [--note TEXT]")
		fs.PrintDefaults()
	}
	// The finding id may come before the flags or after them.
	var id string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		id, args = args[0], args[1:]
	}
	if err := parseFlags(fs, args); err != nil {
		if id != "" || !errors.As(err, new(extraArgError)) {
			return err
		}
	}
	if id == "" {
		id = fs.Arg(0)
		if fs.NArg() > 1 {
			return fmt.Errorf("%w: %w", errUsage, extraArgError{fs.Arg(1)})
		}
	}
	if id == "" {
		return fmt.Errorf("%w: no finding id; copy one from radar analyze (e.g. blocker:PAY-12)", errUsage)
	}
	if *by == "" {
		*by = e.getenv("USER")
	}
	ack, err := radar.AckRequest{Snooze: *snooze, UntilWorse: *untilWorse, Dismiss: *dismiss, By: *by, Note: *note}.Ack(time.Now())
	if err != nil {
		return fmt.Errorf("%w: %s", errUsage, flagNames(err.Error()))
	}
	cfg, err := loadConfig(e, *path, config.SectionStore, config.SectionSlack)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	var k store.KnownFinding
	if cfg.Slack.Token != "" && cfg.Slack.Off() == "" {
		a, aerr := alerts.New(alerts.NewSettings(cfg.Slack), st, alerts.WithLogger(newLogger(e, cfg)), alerts.WithJiraURL(cfg.Jira.URL))
		if aerr != nil {
			return aerr
		}
		// Assigns the outer err: a Slack failure must reach the exit code.
		k, err = a.Acknowledge(ctx, id, ack)
	} else {
		k, err = st.PutAck(ctx, id, ack)
	}
	if k.Finding.Ack != nil {
		// Recorded, even when Slack could not be told yet.
		fmt.Fprintf(e.stdout, "%s %s by %s%s\n", id, ack.State, ack.By, until(ack))
	}
	return err
}

// until says how long a snooze lasts.
func until(a radar.Ack) string {
	switch {
	case a.UntilWorse:
		return " until it gets worse"
	case !a.Until.IsZero():
		return " until " + a.Until.UTC().Format("2006-01-02 15:04 UTC")
	}
	return ""
}

// flagNames renders an AckRequest error in the command line's terms.
func flagNames(s string) string {
	return strings.NewReplacer("snooze, until_worse and dismiss", "--snooze, --until-worse and --dismiss",
		"until_worse", "--until-worse", "by:", "--by:", "note:", "--note:", "snooze:", "--snooze:", "\n", "; ").Replace(s)
}
