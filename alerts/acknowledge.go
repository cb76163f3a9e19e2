package alerts

import (
	"context"
	"fmt"
	"time"

	"github.com/slack-go/slack"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/store"
)

// Acknowledge records a person's action on an open finding (see
// store.PutAck for its errors), then updates the finding's messages in
// place and says so in their threads. Slack trouble does not undo the
// action: the messages stay in the outbox, and the error says so.
func (a *Alerter) Acknowledge(ctx context.Context, findingID string, ack radar.Ack) (store.KnownFinding, error) {
	k, err := a.st.PutAck(ctx, findingID, ack)
	if err != nil {
		return k, err
	}
	return k, a.TellAck(ctx, k)
}

// TellAck updates, in every route that gave the finding its own message,
// the message to show its ack, and replies in the thread; then flushes.
func (a *Alerter) TellAck(ctx context.Context, k store.KnownFinding) error {
	if k.Finding.Ack == nil {
		return nil
	}
	unlock, err := a.lockSlack(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	told, err := a.planAck(ctx, k)
	if err != nil || !told {
		return err
	}
	if err := a.flush(ctx); err != nil {
		return fmt.Errorf("tell ack of %s (recorded; the Slack update stays in the outbox): %w", k.Finding.ID, err)
	}
	return nil
}

// planAck records in the outbox, for every route where the finding has
// its own open thread, an update of its message and a reply saying who
// did what. It reports whether any route had such a thread.
func (a *Alerter) planAck(ctx context.Context, k store.KnownFinding) (bool, error) {
	a.planMu.Lock()
	defer a.planMu.Unlock()
	m := a.mentions(true)
	ack, id := *k.Finding.Ack, k.Finding.ID
	stamp := ack.At.UTC().Format(runFormat)
	reply := ackLine(ack)
	var p plan
	for _, r := range a.routes {
		threads, err := a.st.SlackThreads(ctx, r.key)
		if err != nil {
			return false, fmt.Errorf("tell ack of %s: %w", id, err)
		}
		if t, ok := threads[id]; !ok || t.InSummary || !t.Open {
			continue
		}
		v := findingView{change: radar.FindingChange{Finding: k.Finding, FirstSeen: k.FirstSeen}, ack: &ack}
		if r.audience == AudienceTeam {
			if v.owner, err = m.owner(ctx, k.Finding); err != nil {
				return false, fmt.Errorf("tell ack of %s: %w", id, err)
			}
			if ack.Owned() {
				v.owner = actor(ack) // who acknowledged it owns it
			}
		}
		p.add(r, fmt.Sprintf("%s|ack|reply|%s", id, stamp), store.OpReply, id, Message{Text: reply, Blocks: slack.Blocks{BlockSet: []slack.Block{section(reply)}}})
		p.add(r, fmt.Sprintf("%s|ack|update|%s", id, stamp), store.OpUpdate, id, a.findingMessage(v, r.audience))
	}
	if len(p.msgs) == 0 {
		return false, nil
	}
	if _, err := a.st.EnqueueSlackPosts(ctx, p.msgs); err != nil {
		return false, fmt.Errorf("tell ack of %s: %w", id, err)
	}
	return true, nil
}

// TellAckLater runs TellAck in the background, for callers that must
// answer first (Slack wants an answer within 3 seconds). Wait waits for it.
func (a *Alerter) TellAckLater(k store.KnownFinding) {
	a.background.Add(1)
	go func() {
		defer a.background.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		if err := a.TellAck(ctx, k); err != nil {
			a.log.Error("update the finding's Slack messages after an action", "finding", k.Finding.ID, "err", err)
		}
	}()
}

// Wait waits for the work started in the background (TellAckLater and
// Slack interactions) to end.
func (a *Alerter) Wait() { a.background.Wait() }
