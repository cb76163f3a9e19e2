package alerts

import (
	"context"
	"errors"
	"fmt"

	"github.com/radarhq/radar/store"
)

// Flush sends every pending outbox message in order, pacing each channel,
// retrying rate limits and transient errors, and marking each sent with
// Slack's ts. A channel that fails permanently (or runs out of retries)
// keeps its messages pending, in order, for the next flush; other channels
// go on. A finding's replies and updates go out only after its thread's
// parent: while the parent is unsent they stay pending behind it. The error
// lists what is still pending and why.
func (a *Alerter) Flush(ctx context.Context) error {
	if a.api == nil && a.webhookURL == "" {
		return fmt.Errorf("flush: %w", errNoTransport)
	}
	unlock, err := a.lockSlack(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	return a.flush(ctx)
}

func (a *Alerter) flush(ctx context.Context) error {
	if a.api == nil && a.webhookURL == "" {
		return fmt.Errorf("flush: %w", errNoTransport)
	}
	a.flushMu.Lock()
	defer a.flushMu.Unlock()
	pending, err := a.st.PendingOutbox(ctx)
	if err != nil {
		return fmt.Errorf("flush: %w", err)
	}
	var s scheduler
	for _, m := range pending {
		if ctx.Err() != nil {
			// Stop between messages, never in the middle of one.
			a.reportPending(ctx)
			return fmt.Errorf("flush: %w", ctx.Err())
		}
		if s.waits(m) {
			continue
		}
		if m.FindingID != "" && (m.Op == store.OpReply || m.Op == store.OpUpdate) {
			// The parent may have gone out earlier in this flush: read it now.
			p, err := a.st.SlackThreadParent(ctx, m.Route, m.FindingID)
			if err != nil {
				return fmt.Errorf("flush: %w", err)
			}
			if p.TS == "" && p.Pending {
				// Never post a follow-up without its thread, nor drop an
				// update: wait for the parent.
				s.hold(m)
				continue
			}
			m.ParentTS, m.ParentChannel = p.TS, p.Channel
		}
		err := a.sendWithRetry(ctx, m)
		if err == nil {
			continue
		}
		if ctx.Err() != nil {
			a.reportPending(ctx)
			return fmt.Errorf("flush: %w", ctx.Err())
		}
		s.failed(m, err)
	}
	return s.result(a.reportPending(ctx))
}

func (a *Alerter) reportPending(ctx context.Context) int {
	n, err := a.st.PendingOutboxCount(context.WithoutCancel(ctx))
	if err != nil {
		a.log.Error("count outbox", "err", err)
		return 0
	}
	if a.metrics != nil {
		a.metrics.OutboxPending(n)
	}
	return n
}

// scheduler decides, message by message, what one flush still sends once
// sends have failed. Whatever it stops stays pending, in order, for the
// next flush:
//   - a channel stops (stuck) when Slack refuses it or cannot be reached
//     there, and all channels stop when Slack refuses the token;
//   - a finding's thread waits (held) behind its unsent messages, and a
//     route's messages without a finding (summary and digest parts) wait,
//     in order, behind one of them;
//   - a channel goes on past one message Slack refused for itself, one
//     left to settle after an unanswered send, or one whose lookup failed,
//     but stops at a second unanswered send there in the same flush.
//
// The zero value is ready to use.
type scheduler struct {
	stuck      map[string]error // channel -> why it stopped
	held       map[string]bool  // route and finding -> its thread waits behind an unsent message
	unanswered map[string]bool  // channel -> a send there went unanswered in this flush
	refused    []error          // messages refused for themselves, or left to settle or be looked for
	authErr    error            // Slack refused the token: nothing more goes out
}

func threadOf(m store.OutboxMessage) string { return m.Route + "\x00" + m.FindingID }

// waits reports whether m must wait for a later flush.
func (s *scheduler) waits(m store.OutboxMessage) bool {
	return s.authErr != nil || s.stuck[m.Channel] != nil || s.held[threadOf(m)]
}

// hold makes m's thread wait.
func (s *scheduler) hold(m store.OutboxMessage) {
	if s.held == nil {
		s.held = map[string]bool{}
	}
	s.held[threadOf(m)] = true
}

func (s *scheduler) stop(channel string, err error) {
	if s.stuck == nil {
		s.stuck = map[string]error{}
	}
	s.stuck[channel] = err
}

// failed records that m could not be sent, and why.
func (s *scheduler) failed(m store.OutboxMessage, err error) {
	if m.FindingID != "" {
		s.hold(m)
	}
	var pe *PermanentError
	if errors.As(err, &pe) && messageCodes[pe.Code] {
		s.refused = append(s.refused, err)
		return
	}
	// A failed lookup holds only its message's thread: it is neither the
	// channel's fault nor the token's.
	// A lookup Slack did not answer holds the channel until the next
	// flush, as Slack is down: the channel's other lookups would fail
	// the same way, each after its own retries.
	var le *lookupError
	if errors.As(err, &le) {
		s.hold(m)
		if le.down {
			s.stop(m.Channel, err)
			return
		}
		s.refused = append(s.refused, err)
		return
	}
	// A message left to settle holds its thread; the channel goes on
	// unless a second send there goes unanswered too.
	var se *settlingError
	if errors.As(err, &se) {
		s.hold(m)
		if se.fresh && s.unanswered[m.Channel] {
			s.stop(m.Channel, err)
			return
		}
		if s.unanswered == nil {
			s.unanswered = map[string]bool{}
		}
		s.unanswered[m.Channel] = s.unanswered[m.Channel] || se.fresh
		s.refused = append(s.refused, err)
		return
	}
	if errors.As(err, &pe) && authCodes[pe.Code] {
		s.authErr = err
	}
	s.stop(m.Channel, err)
}

// result is the flush's error, given how many messages are still pending:
// nil when nothing failed.
func (s *scheduler) result(pending int) error {
	if s.authErr != nil {
		return fmt.Errorf("flush: %d notifications pending: %w", pending, s.authErr)
	}
	if len(s.stuck) == 0 && len(s.refused) == 0 {
		return nil
	}
	errs := make([]error, 0, len(s.stuck)+len(s.refused))
	for _, err := range s.stuck {
		errs = append(errs, err)
	}
	errs = append(errs, s.refused...)
	return fmt.Errorf("flush: %d notifications pending: %w", pending, errors.Join(errs...))
}
