package alerts

import (
	"context"
	"fmt"
	"time"

	"github.com/slack-go/slack"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/store"
)

// reminders plans, for every finding acknowledged longer than
// slack.ack_reminder ago and still open, one reminder to its owner: a
// reply in each thread the finding has, or a post in the channels whose
// routes cover it when it has none.
func (a *Alerter) reminders(ctx context.Context, acks map[string]radar.Ack, open map[string]bool, at time.Time) error {
	if a.settings.AckReminder <= 0 {
		return nil
	}
	var due []string
	for id, k := range acks {
		if k.Owned() && open[id] && k.RemindedAt.IsZero() && at.Sub(k.At) >= a.settings.AckReminder {
			due = append(due, id)
		}
	}
	if len(due) == 0 {
		return nil
	}
	known, err := a.st.FindingsByID(ctx, due)
	if err != nil {
		return fmt.Errorf("plan reminders: %w", err)
	}
	threads := make([]map[string]store.SlackThread, len(a.routes)) // each route's, read once
	for i, r := range a.routes {
		if threads[i], err = a.st.SlackThreads(ctx, r.key); err != nil {
			return fmt.Errorf("plan reminders: %w", err)
		}
	}
	for _, id := range due {
		k := acks[id]
		f := known[id].Finding
		days := int(at.Sub(k.At) / (24 * time.Hour))
		text := fmt.Sprintf("⏰ %s, you acknowledged this %d days ago and it is still open: %s. Is it in hand? (Radar reminds once.)",
			actor(k), days, a.headline(f, false))
		msg := Message{Text: text, Blocks: slack.Blocks{BlockSet: []slack.Block{section(text)}}}
		key := fmt.Sprintf("%s|remind|%s", id, k.At.UTC().Format(runFormat))
		var inThread, inScope []route
		for i, r := range a.routes {
			if t, ok := threads[i][id]; ok && !t.InSummary && t.Open {
				inThread = append(inThread, r)
			} else if r.inScope(f) {
				inScope = append(inScope, r)
			}
		}
		op, rs := store.OpReply, inThread
		if len(rs) == 0 {
			op, rs = store.OpPost, inScope
		}
		findingID := id // a reply belongs to the finding's thread; a post starts none
		if op == store.OpPost {
			findingID = ""
		}
		var p plan
		for _, r := range rs {
			p.add(r, key, op, findingID, msg)
		}
		if _, err := a.st.EnqueueSlackPosts(ctx, p.msgs); err != nil {
			return fmt.Errorf("plan reminders: %w", err)
		}
		if err := a.st.MarkAckReminded(ctx, id, at); err != nil {
			return err
		}
		a.log.Info("reminded an owner that an acknowledged finding is still open", "finding", id, "channels", len(rs))
	}
	return nil
}
