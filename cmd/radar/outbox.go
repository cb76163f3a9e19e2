package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/radarhq/radar/config"
	"github.com/radarhq/radar/store"
)

// runOutbox lists the Slack notifications still pending, and drops the ones
// an operator gives up on (a channel the bot will never join, a route
// removed from the configuration).
func runOutbox(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "outbox")
	cfgPath := fs.String("config", "", "configuration file (YAML)")
	drop := fs.Int64("drop", 0, "drop the pending message with this id (a parent takes its pending follow-ups along)")
	dropChannel := fs.String("drop-channel", "", "drop every pending message to this channel (with or without its #)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *drop != 0 && *dropChannel != "" {
		return fmt.Errorf("%w: give --drop or --drop-channel, not both", errUsage)
	}
	cfg, err := loadConfig(e, *cfgPath, config.SectionStore)
	if err != nil {
		return err
	}
	if _, err := os.Stat(cfg.Store.Path); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("no database at %s (store.path); check --config", cfg.Store.Path)
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	if *drop != 0 || *dropChannel != "" {
		// Not while a sender is mid-flush: wait for the Slack lock.
		l, err := st.WaitLock(ctx, store.LockSlack)
		if err != nil {
			return err
		}
		defer l.Unlock()
		n, err := st.DropOutbox(ctx, *drop, *dropChannel, time.Now())
		if err != nil {
			return err
		}
		if n == 0 && *dropChannel != "" {
			return fmt.Errorf("no pending notification to channel %q, so nothing was dropped; radar outbox lists the pending ones and their channels", *dropChannel)
		}
		fmt.Fprintf(e.stdout, "dropped %d pending notification(s)\n", n)
		return nil
	}
	pending, err := st.PendingOutbox(ctx)
	if err != nil {
		return err
	}
	if len(pending) == 0 {
		fmt.Fprintln(e.stdout, "no Slack notifications pending")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tQUEUED\tCHANNEL\tOP\tFINDING\tATTEMPTS\tLAST ERROR")
	inFlight := 0
	for _, m := range pending {
		last := m.LastError
		if !m.InFlightAt.IsZero() {
			inFlight++
			last = "in flight since " + m.InFlightAt.UTC().Format("2006-01-02 15:04:05") + "; " + last
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%s\n", m.ID, m.CreatedAt.Format("2006-01-02 15:04"), m.Channel, m.Op,
			m.FindingID, m.Attempts, plainLine(last, 80))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if inFlight > 0 {
		serving, err := serveRunning(cfg.Store.Path)
		if err != nil {
			return err
		}
		if serving {
			fmt.Fprintf(e.stdout, "%d are being sent by the radar serve running on this database (or were, when a send got no answer: it looks for them in Slack before sending again)\n", inFlight)
		} else {
			fmt.Fprintf(e.stdout, "%d were being sent when the last sender stopped: the next delivery first looks for them in Slack, so dropping them may leave a message Slack already shows\n", inFlight)
		}
	}
	fmt.Fprintf(e.stdout, "%d pending; drop one with --drop ID, or a channel's with --drop-channel NAME\n", len(pending))
	return nil
}

// plainLine keeps s on one line and at most n runes.
func plainLine(s string, n int) string {
	r := []rune(s)
	for i, c := range r {
		if c < ' ' {
			r[i] = ' '
		}
	}
	if len(r) > n {
		r = append(r[:n-1], '…')
	}
	return string(r)
}
