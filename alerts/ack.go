package alerts

import (
	"fmt"
	"time"

	"github.com/slack-go/slack"

	"github.com/radarhq/radar"
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
