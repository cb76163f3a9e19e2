package alerts

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/slack-go/slack"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/store"
)

// Action ids of a finding message's buttons; each button's value is the
// finding id.
const (
	actionAck         = "radar_ack"
	actionSnoozeDay   = "radar_snooze_1d"
	actionSnoozeWeek  = "radar_snooze_1w"
	actionSnoozeWorse = "radar_snooze_worse"
	actionDismiss     = "radar_dismiss"
	actionsBlockID    = "radar_actions"
	// maxButtonValue is Slack's limit on a button's value.
	maxButtonValue = 2000
)

// ackRequests maps a button to the action it asks for.
var ackRequests = map[string]radar.AckRequest{
	actionAck:         {},
	actionSnoozeDay:   {Snooze: "1d"},
	actionSnoozeWeek:  {Snooze: "1w"},
	actionSnoozeWorse: {UntilWorse: true},
	actionDismiss:     {Dismiss: true},
}

// buttons reports whether finding messages carry buttons: Slack can only
// call back when a signing secret verifies it, and only a bot token can
// update the message the button sits on.
func (a *Alerter) buttons() bool { return a.api != nil && a.signingSecret != "" }

// actionsBlock is a finding message's buttons.
func actionsBlock(f radar.Finding) slack.Block {
	button := func(id, label string, style slack.Style) slack.BlockElement {
		b := slack.NewButtonBlockElement(id, f.ID, slack.NewTextBlockObject(slack.PlainTextType, label, false, false))
		if style != "" {
			b = b.WithStyle(style)
		}
		return b
	}
	return slack.NewActionBlock(actionsBlockID,
		button(actionAck, "Acknowledge", slack.StylePrimary),
		button(actionSnoozeDay, "Snooze 1 day", ""),
		button(actionSnoozeWeek, "Snooze 1 week", ""),
		button(actionSnoozeWorse, "Snooze until worse", ""),
		button(actionDismiss, "Not a risk", ""),
	)
}

// ackBlocks are what a finding message shows about its ack: who acted and
// when, and the buttons while the finding is open.
func (a *Alerter) ackBlocks(v findingView) []slack.Block {
	if v.resolved {
		return nil
	}
	var blocks []slack.Block
	if v.ack != nil {
		blocks = append(blocks, contextBlock(ackLine(*v.ack)))
	}
	if a.buttons() && len(v.change.Finding.ID) <= maxButtonValue {
		blocks = append(blocks, actionsBlock(v.change.Finding))
	}
	return blocks
}

// actor names who acted, as mrkdwn: a mention when the action came from
// Slack, else the escaped name.
func actor(k radar.Ack) string {
	if k.SlackUser != "" && slackUserIDRE.MatchString(k.SlackUser) {
		return "<@" + k.SlackUser + ">"
	}
	return escapeN(k.By, maxName)
}

// slackDate renders t in each reader's own time zone, with a UTC fallback.
func slackDate(t time.Time) string {
	return fmt.Sprintf("<!date^%d^{date_short_pretty} {time}|%s>", t.Unix(), t.UTC().Format("2006-01-02 15:04 UTC"))
}

// ackLine says, as mrkdwn, what a person said about a finding.
func ackLine(k radar.Ack) string {
	var s string
	switch k.State {
	case radar.AckSnoozed:
		until := "it gets worse"
		if !k.Until.IsZero() {
			until = slackDate(k.Until)
		}
		s = fmt.Sprintf("😴 Snoozed by %s · %s · quiet until %s", actor(k), slackDate(k.At), until)
	case radar.AckDismissed:
		s = fmt.Sprintf("🙅 Not a risk, says %s · %s · muted until it changes kind or gets more severe", actor(k), slackDate(k.At))
	default:
		s = fmt.Sprintf("👤 Acknowledged by %s · %s · they own it", actor(k), slackDate(k.At))
	}
	if k.Note != "" {
		s += "\n> " + escapeN(k.Note, maxProse)
	}
	return s
}

// ackTag is what a list line adds about a finding's ack: its owner or state.
func ackTag(k *radar.Ack) string {
	if k == nil {
		return ""
	}
	switch k.State {
	case radar.AckSnoozed:
		return " · 😴 snoozed by " + actor(*k)
	case radar.AckDismissed:
		return " · 🙅 not a risk (" + actor(*k) + ")"
	}
	return " · 👤 owner " + actor(*k)
}

// ackReplyNote is what an escalation's reply adds about an earlier ack.
func ackReplyNote(v findingView, t radar.Transition) string {
	if v.ack == nil || t == radar.TransitionResolved {
		return ""
	}
	f, k := v.change.Finding, *v.ack
	worse := ""
	if br := f.BlastRadius(); br > k.BlastRadius && f.Severity == k.Severity {
		worse = fmt.Sprintf(": %d issues wait on it now, %d then", br, k.BlastRadius)
	}
	return "\nRe-alerting once: " + ackSummary(k) + ", and it got worse" + worse + "."
}

// ackSummary says in a phrase who did what: "it was acknowledged by @ada".
func ackSummary(k radar.Ack) string {
	switch k.State {
	case radar.AckSnoozed:
		return "it was snoozed by " + actor(k)
	case radar.AckDismissed:
		return "it was marked not a risk by " + actor(k)
	}
	return "it was acknowledged by " + actor(k) + " on " + slackDate(k.At)
}

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
	a.planMu.Lock()
	m := a.mentions(true)
	ack := *k.Finding.Ack
	stamp := ack.At.UTC().Format(runFormat)
	told := false
	for _, r := range a.routes {
		threads, err := a.st.SlackThreads(ctx, r.key)
		if err != nil {
			a.planMu.Unlock()
			return fmt.Errorf("tell ack of %s: %w", k.Finding.ID, err)
		}
		t, ok := threads[k.Finding.ID]
		if !ok || t.InSummary || !t.Open {
			continue
		}
		v := findingView{change: radar.FindingChange{Finding: k.Finding, FirstSeen: k.FirstSeen}, ack: &ack}
		if r.audience == AudienceTeam {
			if v.owner, err = m.owner(ctx, k.Finding); err != nil {
				a.planMu.Unlock()
				return fmt.Errorf("tell ack of %s: %w", k.Finding.ID, err)
			}
			if ack.Owned() {
				v.owner = actor(ack) // who acknowledged it owns it
			}
		}
		var p plan
		id := k.Finding.ID
		reply := ackLine(ack)
		p.add(r, fmt.Sprintf("%s|ack|reply|%s", id, stamp), store.OpReply, id, Message{Text: reply, Blocks: slack.Blocks{BlockSet: []slack.Block{section(reply)}}})
		p.add(r, fmt.Sprintf("%s|ack|update|%s", id, stamp), store.OpUpdate, id, a.findingMessage(v, r.audience))
		if _, err := a.st.EnqueueSlackPosts(ctx, p.msgs); err != nil {
			a.planMu.Unlock()
			return fmt.Errorf("tell ack of %s: %w", k.Finding.ID, err)
		}
		told = true
	}
	a.planMu.Unlock()
	if !told {
		return nil
	}
	if err := a.flush(ctx); err != nil {
		return fmt.Errorf("tell ack of %s (recorded; the Slack update stays in the outbox): %w", k.Finding.ID, err)
	}
	return nil
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

// reminders plans, for every finding acknowledged longer than
// slack.ack_reminder ago and still open, one reminder to its owner: a
// reply in each thread the finding has, or a post in the channels whose
// routes cover it when it has none.
func (a *Alerter) reminders(ctx context.Context, acks map[string]radar.Ack, open map[string]bool, at time.Time) error {
	var due []string
	for id, k := range acks {
		if k.Owned() && open[id] && k.RemindedAt.IsZero() && at.Sub(k.At) >= a.cfg.AckReminder && a.cfg.AckReminder > 0 {
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
	for _, id := range due {
		k := acks[id]
		f := known[id].Finding
		days := int(at.Sub(k.At) / (24 * time.Hour))
		text := fmt.Sprintf("⏰ %s, you acknowledged this %d days ago and it is still open: %s. Is it in hand? (Radar reminds once.)",
			actor(k), days, a.headline(f, false))
		msg := Message{Text: text, Blocks: slack.Blocks{BlockSet: []slack.Block{section(text)}}}
		key := fmt.Sprintf("%s|remind|%s", id, k.At.UTC().Format(runFormat))
		var inThread, inScope []route
		for _, r := range a.routes {
			threads, err := a.st.SlackThreads(ctx, r.key)
			if err != nil {
				return fmt.Errorf("plan reminders: %w", err)
			}
			if t, ok := threads[id]; ok && !t.InSummary && t.Open {
				inThread = append(inThread, r)
			} else if r.inScope(f) {
				inScope = append(inScope, r)
			}
		}
		op, rs := store.OpReply, inThread
		if len(rs) == 0 {
			op, rs = store.OpPost, inScope
		}
		var p plan
		for _, r := range rs {
			p.add(r, key, op, id, msg)
			if op == store.OpPost {
				p.msgs[len(p.msgs)-1].FindingID = ""
			}
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

// errNoSigningSecret says why Slack's buttons cannot be verified.
var errNoSigningSecret = errors.New("slack.signing_secret: not set; copy the Signing Secret from your Slack app's Basic Information page into RADAR_SLACK_SIGNING_SECRET or slack.signing_secret_file")
