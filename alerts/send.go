package alerts

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/slack-go/slack"

	"github.com/radarhq/radar/internal/wait"
	"github.com/radarhq/radar/store"
)

// sendWithRetry sends one message until it is sent, fails permanently, or
// runs out of attempts, recording the outcome in the outbox.
//
// A post is marked in flight, in its own commit, before it goes out. If no
// answer comes back (a kill, a timeout, a dropped connection, a 5xx) the
// message may be in Slack already, or land there shortly: it is left
// pending for the settle delay (its thread's follow-ups wait behind it),
// then looked for in the channel (or its thread) by the outbox key in its
// metadata, and if found recorded as sent. A lookup that keeps failing
// gives up after maxLookFails tries or lookGiveUp, and the message is
// posted again (at-least-once). Edits are not looked for: sending one
// twice leaves the same text. Webhooks cannot be read back, so a webhook
// message cut off mid-send may show twice.
func (a *Alerter) sendWithRetry(ctx context.Context, m store.OutboxMessage) error {
	msg, err := decodeMessage(m.Payload)
	if err != nil {
		return a.refuse(ctx, m, "bad_payload", err.Error())
	}
	t := newAttempt(m, a.api != nil && m.Op != store.OpUpdate)
	for {
		if t.unknown {
			if err := a.lost.settling(t.m); err != nil {
				return err
			}
		}
		if err := a.pace.wait(ctx, t.m.Channel); err != nil {
			return err
		}
		var err error
		if t.unknown {
			var found bool
			found, err = a.findSent(ctx, t.m)
			if found {
				a.lost.forget(t.m.ID)
				return nil
			}
			var le *lookupError
			if err != nil && !errors.As(err, &le) {
				// The store's own failure (the message was found and could
				// not be recorded): neither a failed lookup nor a reason to
				// post again. The in-flight mark finds it on a later flush.
				return err
			}
			t.lookedUp(err == nil)
		}
		if err == nil {
			var done bool
			if done, err = a.post(ctx, &t, msg); done {
				return err
			}
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		v := classify(err)
		var le *lookupError
		lookup := errors.As(err, &le)
		if lookup && v.class != classTransient && v.class != classRateLimited {
			// No retry now will fix it: look again on a later flush, or give up.
			if err := a.lookupSpent(ctx, &t, le); err != nil {
				return err
			}
			continue
		}
		var delay time.Duration
		switch v.class {
		case classGone:
			a.log.Warn("parent message is gone; skipping its update", "channel", t.m.Channel, "code", v.code)
			if err := a.st.MarkOutboxSent(context.WithoutCancel(ctx), t.m, "", "", a.now()); err != nil {
				return err
			}
			a.notification("failed")
			return nil
		case classPermanent:
			if v.code == "thread_not_found" && t.m.Op == store.OpReply {
				// The parent was deleted: say it in the channel instead.
				t.m.ParentTS = ""
				continue
			}
			if messageCodes[v.code] {
				return a.refuse(ctx, t.m, v.code, "")
			}
			pe := &PermanentError{Code: v.code, Channel: t.m.Channel, Hint: v.hint(t.m.Channel)}
			if v.code == "" {
				pe.Code = "error"
			}
			a.notification("permanent_error")
			a.log.Error("slack refused a notification; it stays pending", "channel", t.m.Channel,
				"code", pe.Code, "hint", pe.Hint)
			_ = a.st.MarkOutboxFailed(context.WithoutCancel(ctx), t.m.ID, pe.Code)
			return pe
		case classRateLimited:
			n := t.rateLimited()
			delay = max(v.wait, time.Second)
			if n > 2*a.retry.attempts {
				a.notification("failed")
				a.health.down(fmt.Errorf("slack kept answering 429 rate limited (%d times in a row)", n))
				if lookup {
					if err := a.lookupSpent(ctx, &t, le); err != nil {
						return err
					}
					continue
				}
				_ = a.st.MarkOutboxFailed(context.WithoutCancel(ctx), t.m.ID, "rate limited")
				return fmt.Errorf("send to %s: still rate limited after %d waits", t.m.Channel, n)
			}
			a.log.Warn("slack rate limit; waiting", "channel", t.m.Channel, "retry_after", delay)
		case classTransient:
			n := t.failed()
			if lookup && n >= a.retry.attempts {
				if err := a.lookupSpent(ctx, &t, le); err != nil {
					return err
				}
				continue
			}
			if !lookup && t.unknown && a.lost.settle > 0 {
				// Slack may have the message, or get it shortly: leave it to
				// settle, then look for it before sending it again.
				msg := a.redact(err)
				_ = a.st.MarkOutboxFailed(context.WithoutCancel(ctx), t.m.ID, msg)
				a.notification("retried")
				a.log.Warn("slack did not answer a send; the notification is looked for in Slack before it is sent again",
					"channel", t.m.Channel, "key", t.m.Key, "settle", a.lost.settle, "err", msg)
				return a.lost.leaveToSettle(t.m)
			}
			if n >= a.retry.attempts {
				a.notification("failed")
				msg := a.redact(err)
				_ = a.st.MarkOutboxFailed(context.WithoutCancel(ctx), t.m.ID, msg)
				a.log.Warn("slack unreachable; notification stays pending", "channel", t.m.Channel,
					"attempts", n, "err", msg)
				return fmt.Errorf("send to %s: %s", t.m.Channel, msg)
			}
			delay = a.retry.backoff(n)
			a.log.Warn("slack send failed; retrying", "channel", t.m.Channel, "attempt", n, "wait", delay, "err", a.redact(err))
		}
		a.notification("retried")
		if err := wait.Sleep(ctx, delay); err != nil {
			return err
		}
	}
}

// post sends t's message once. done reports that the delivery is over,
// with err its outcome (nil: sent and recorded); otherwise err is Slack's
// failure, to be classified.
func (a *Alerter) post(ctx context.Context, t *attempt, msg Message) (done bool, err error) {
	if t.findable {
		if err := a.markInFlight(ctx, t); err != nil {
			return true, err
		}
	}
	// Once a request is out, it finishes (or times out) even if ctx is
	// cancelled: aborting it could leave a message Slack accepted marked
	// unsent, to be sent again.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.retry.timeout)
	channelID, ts, asked, err := a.send(sctx, t.m, msg)
	cancel()
	if asked {
		a.health.observe(err)
		a.pace.sent(t.m.Channel)
	}
	if err == nil {
		a.lost.forget(t.m.ID)
		if channelID != "" {
			a.lost.noteChannel(t.m.Channel, channelID)
		}
		if err := a.st.MarkOutboxSent(context.WithoutCancel(ctx), t.m, channelID, ts, a.now()); err != nil {
			// Slack has it; the in-flight mark will find it on the next run.
			a.log.Error("mark notification sent; the next run looks for it in Slack", "key", t.m.Key, "err", err)
			return true, err
		}
		a.notification("sent")
		a.log.Debug("notification sent", "channel", t.m.Channel, "op", t.m.Op, "ts", ts)
		return true, nil
	}
	t.postFailed(answered(err))
	switch {
	case !t.findable:
	case t.unknown:
		a.lost.unanswered(t.m.ID)
	default:
		// Slack said no: nothing was posted.
		if err := a.st.ClearOutboxInFlight(context.WithoutCancel(ctx), t.m.ID); err != nil {
			return true, err
		}
		a.lost.refused(t.m.ID)
	}
	return false, err
}

// markInFlight records, in its own commit, that a send of t's message
// begins now (see attempt.startSend). A new lookup episode drops the
// failed lookups counted so far.
func (a *Alerter) markInFlight(ctx context.Context, t *attempt) error {
	now := a.now()
	if t.startSend(now) {
		if err := a.st.ResetOutboxInFlight(ctx, t.m.ID, now); err != nil {
			return err
		}
		a.lost.newEpisode(t.m.ID)
		return nil
	}
	return a.st.MarkOutboxInFlight(ctx, t.m.ID, now)
}

// findSent looks in Slack for m, whose send was cut off, and reports
// whether it is there (and now recorded as sent). An error is the
// lookup's own failure (a *lookupError) or the store's.
func (a *Alerter) findSent(ctx context.Context, m store.OutboxMessage) (bool, error) {
	lctx, cancel := context.WithTimeout(ctx, a.retry.timeout)
	defer cancel()
	channelID, ts, err := a.lost.find(lctx, m)
	a.pace.sent(m.Channel)
	if err != nil || ts == "" {
		return false, err
	}
	if err := a.st.MarkOutboxSent(context.WithoutCancel(ctx), m, channelID, ts, a.now()); err != nil {
		return false, err
	}
	a.notification("sent")
	a.log.Info("notification whose send was cut off was already in Slack; not sent again", "channel", m.Channel, "key", m.Key, "ts", ts)
	return true, nil
}

// lookupSpent decides what follows a lookup of t's message that failed for
// good in this flush: give up looking and post it again (nil: go on), at
// most once per call, or keep it pending (the error).
func (a *Alerter) lookupSpent(ctx context.Context, t *attempt, le *lookupError) error {
	if t.mayGiveUp() && a.lost.giveUpLooking(t.m, le) {
		t.giveUp()
		return nil
	}
	return a.lookupFailed(ctx, t.m, le)
}

// lookupFailed records a failed lookup of m and hands it back: m stays
// pending, its thread waits, and it is looked for again on a later flush.
// A lookup Slack did not answer (no answer, a 5xx, rate limits) holds the
// channel too, until the next flush, as an unanswered send does.
func (a *Alerter) lookupFailed(ctx context.Context, m store.OutboxMessage, le *lookupError) error {
	le.down = unreachable(le.err)
	a.notification("failed")
	a.log.Warn("looking in Slack for a notification whose send was cut off failed; it stays pending, its thread waits, and it is looked for again on the next flush",
		"channel", m.Channel, "key", m.Key, "failed_lookups", a.lost.failures(m.ID), "err", le.Error())
	_ = a.st.MarkOutboxFailed(context.WithoutCancel(ctx), m.ID, le.Error())
	return le
}

// refuse records that Slack (or the outbox) refused one message for itself:
// it stays pending, dead-lettered, and is retried once on each later flush.
func (a *Alerter) refuse(ctx context.Context, m store.OutboxMessage, code, detail string) error {
	pe := &PermanentError{Code: code, Channel: m.Channel, Hint: hintFor(code, m.Channel)}
	a.notification("permanent_error")
	args := []any{"channel", m.Channel, "key", m.Key, "op", m.Op, "code", code, "attempts", m.Attempts + 1, "hint", pe.Hint}
	if detail != "" {
		args = append(args, "detail", detail)
	}
	a.log.Error("slack refused one notification; it stays pending, is retried once per flush, and the channel goes on", args...)
	_ = a.st.MarkOutboxFailed(context.WithoutCancel(ctx), m.ID, code)
	return pe
}

// send performs one outbox message and returns the channel id and ts Slack
// answered (both empty for webhooks and skipped updates). asked reports
// whether a request was made: an edit a webhook cannot make, or of a
// message that never existed, asks Slack nothing.
func (a *Alerter) send(ctx context.Context, m store.OutboxMessage, msg Message) (channelID, ts string, asked bool, err error) {
	if a.api == nil {
		if m.Op == store.OpUpdate {
			return "", "", false, nil // webhooks cannot edit
		}
		wm := &slack.WebhookMessage{Text: msg.Text, Blocks: &msg.Blocks}
		return "", "", true, slack.PostWebhookCustomHTTPContext(ctx, a.webhookURL, a.client, wm)
	}
	opts := []slack.MsgOption{
		slack.MsgOptionText(msg.Text, false),
		slack.MsgOptionBlocks(msg.Blocks.BlockSet...),
		slack.MsgOptionDisableLinkUnfurl(),
	}
	if m.Op != store.OpUpdate {
		// The key lets a later run recognise the message if this send's
		// answer never comes back.
		opts = append(opts, slack.MsgOptionMetadata(slack.SlackMetadata{EventType: metadataEventType,
			EventPayload: map[string]any{"key": m.Key}}))
	}
	switch m.Op {
	case store.OpUpdate:
		if m.ParentTS == "" {
			return "", "", false, nil // never got its own message: nothing to edit
		}
		channelID, ts, _, err = a.api.UpdateMessageContext(ctx, m.ParentChannel, m.ParentTS, opts...)
		return channelID, ts, true, err
	case store.OpReply:
		channel := m.Channel
		if m.ParentTS != "" {
			opts = append(opts, slack.MsgOptionTS(m.ParentTS))
			if m.ParentChannel != "" {
				channel = m.ParentChannel
			}
		}
		channelID, ts, err = a.api.PostMessageContext(ctx, channel, opts...)
		return channelID, ts, true, err
	}
	channelID, ts, err = a.api.PostMessageContext(ctx, m.Channel, opts...)
	return channelID, ts, true, err
}
