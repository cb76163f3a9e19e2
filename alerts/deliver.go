package alerts

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/radarhq/radar/config"
	"github.com/radarhq/radar/store"
)

// errorClass sorts a failed send.
type errorClass int

const (
	classTransient   errorClass = iota // 5xx, network: back off and retry
	classRateLimited                   // 429: wait Retry-After and retry
	classPermanent                     // needs a person: keep pending, say what to do
	classGone                          // the target message is gone: nothing left to do
)

// PermanentError is a Slack error no retry will fix; Hint says what to do.
type PermanentError struct {
	Code    string // Slack's error code or "http_<status>"
	Channel string
	Hint    string
}

func (e *PermanentError) Error() string {
	return fmt.Sprintf("slack %s in %s: %s", e.Code, e.Channel, e.Hint)
}

// authCodes break every channel at once.
var authCodes = map[string]bool{
	"invalid_auth": true, "not_authed": true, "account_inactive": true, "token_revoked": true,
	"token_expired": true, "no_permission": true, "missing_scope": true, "org_login_required": true,
	"ekm_access_denied": true, "http_401": true, "http_403": true, "http_404": true, "http_410": true,
}

// messageCodes are refusals of one message, not of its channel: the
// message stays pending, dead-lettered (retried once per flush), and its
// channel goes on. Only its own thread's follow-ups wait behind it.
var messageCodes = map[string]bool{
	"bad_payload": true, "msg_too_long": true, "invalid_blocks": true, "invalid_blocks_format": true,
	"no_text": true, "http_400": true,
}

var transientCodes = map[string]bool{
	"internal_error": true, "fatal_error": true, "service_unavailable": true, "request_timeout": true,
	"ratelimited": true, "team_added_to_org": true,
}

// hintFor says how to fix a Slack error.
func hintFor(code, channel string) string {
	switch code {
	case "channel_not_found":
		return fmt.Sprintf("channel %s does not exist or the app cannot see it; check slack.routes[].channel (a channel id such as C0123456789 is safest) and invite the app to private channels", channel)
	case "not_in_channel":
		return fmt.Sprintf("the app is not a member of %s; invite it there (/invite @YourApp) or give it the chat:write.public scope", channel)
	case "is_archived":
		return fmt.Sprintf("channel %s is archived; unarchive it or route to another channel", channel)
	case "invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive":
		return "Slack rejected the token; set a valid bot token (xoxb-…) in RADAR_SLACK_TOKEN, slack.token or slack.token_file and restart"
	case "missing_scope", "no_permission":
		return "the Slack app lacks a scope; add chat:write (and users:read.email for mentions), reinstall the app and update the token"
	case "msg_too_long", "invalid_blocks", "invalid_blocks_format":
		return "Slack refused the message layout; this is a Radar bug, please report it with the log line"
	case "http_401", "http_403", "http_404", "http_410":
		return "the incoming webhook was refused (revoked, or its channel was deleted); create a new webhook and set slack.webhook_url"
	case "http_400":
		return "the incoming webhook refused the payload; this is a Radar bug, please report it with the log line"
	case "bad_payload", "no_text":
		return "the stored message cannot be sent; this is a Radar bug, please report it with the log line"
	}
	return "check the Slack app's configuration; the message stays in the outbox and is retried on the next run"
}

// errorCode returns Slack's error code for err, "" when it has none.
func errorCode(err error) string {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		return slackCode(se.Err)
	}
	var sc slack.StatusCodeError
	if errors.As(err, &sc) {
		return fmt.Sprintf("http_%d", sc.Code)
	}
	return ""
}

// slackCode returns the error code at the start of what Slack answered in
// "error": Slack's codes are short snake_case words, and anything after one
// (a proxy that echoes the request, token and all) is dropped, never logged.
func slackCode(s string) string {
	n := 0
	for n < len(s) && n < 64 && (s[n] >= 'a' && s[n] <= 'z' || s[n] >= '0' && s[n] <= '9' || s[n] == '_') {
		n++
	}
	if n == 0 {
		return "unknown_error"
	}
	return s[:n]
}

// classify sorts a send error and says how long to wait before a retry.
func classify(err error) (errorClass, time.Duration) {
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		return classRateLimited, rl.RetryAfter
	}
	var sc slack.StatusCodeError
	if errors.As(err, &sc) {
		switch {
		case sc.Code == http.StatusTooManyRequests:
			return classRateLimited, 0
		case sc.Code >= 500 || sc.Code == http.StatusRequestTimeout:
			return classTransient, 0
		}
		return classPermanent, 0
	}
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		switch code := slackCode(se.Err); {
		case transientCodes[code]:
			return classTransient, 0
		case code == "message_not_found" || code == "cant_update_message" || code == "edit_window_closed":
			return classGone, 0
		}
		return classPermanent, 0
	}
	return classTransient, 0 // network errors, dropped connections
}

// redact returns err's text without the secrets: url.Error and friends
// quote the webhook URL, which is the secret, and Slack's own error text is
// reduced to its code, since whatever answers may echo the request's token.
func (a *Alerter) redact(err error) string {
	if err == nil {
		return ""
	}
	s := err.Error()
	var se slack.SlackErrorResponse
	if errors.As(err, &se) && se.Err != "" {
		s = strings.ReplaceAll(s, se.Err, slackCode(se.Err))
	}
	if a.webhookURL != "" {
		s = strings.ReplaceAll(s, a.webhookURL, "[redacted webhook url]")
	}
	return config.RedactSecrets(s, a.webhookURL, a.token, a.signingSecret)
}

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
	stuck := map[string]error{}     // channel -> why it stopped
	held := map[string]bool{}       // route and finding -> its thread waits behind an unsent message
	unanswered := map[string]bool{} // channel -> a send there went unanswered in this flush
	var refused []error             // messages Slack refused for themselves, or left to settle or be looked for
	var authErr error
	for _, m := range pending {
		if ctx.Err() != nil {
			// Stop between messages, never in the middle of one.
			a.reportPending(ctx)
			return fmt.Errorf("flush: %w", ctx.Err())
		}
		if authErr != nil || stuck[m.Channel] != nil {
			continue
		}
		// A finding's thread waits behind its unsent messages; a route's
		// messages without a finding (summary and digest parts) wait, in
		// order, behind one of them whose send is unanswered or looked for.
		thread := m.Route + "\x00" + m.FindingID
		if held[thread] {
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
				held[thread] = true
				continue
			}
			m.ParentTS, m.ParentChannel = p.TS, p.Channel
		}
		err := a.sendWithRetry(ctx, m)
		if err == nil {
			continue
		}
		if m.FindingID != "" {
			held[thread] = true
		}
		if ctx.Err() != nil {
			a.reportPending(ctx)
			return fmt.Errorf("flush: %w", ctx.Err())
		}
		var pe *PermanentError
		if errors.As(err, &pe) && messageCodes[pe.Code] {
			refused = append(refused, err)
			continue
		}
		// A failed lookup holds only its message's thread: it is neither the
		// channel's fault nor the token's.
		// A lookup Slack did not answer holds the channel until the next
		// flush, as Slack is down: the channel's other lookups would fail
		// the same way, each after its own retries.
		var le *lookupError
		if errors.As(err, &le) {
			held[thread] = true
			if le.down {
				stuck[m.Channel] = err
				continue
			}
			refused = append(refused, err)
			continue
		}
		// A message left to settle holds its thread; the channel goes on
		// unless a second send there goes unanswered too.
		var se *settlingError
		if errors.As(err, &se) {
			held[thread] = true
			if se.fresh && unanswered[m.Channel] {
				stuck[m.Channel] = err
				continue
			}
			unanswered[m.Channel] = unanswered[m.Channel] || se.fresh
			refused = append(refused, err)
			continue
		}
		if errors.As(err, &pe) && authCodes[pe.Code] {
			authErr = err
		}
		stuck[m.Channel] = err
	}
	n := a.reportPending(ctx)
	if authErr != nil {
		return fmt.Errorf("flush: %d notifications pending: %w", n, authErr)
	}
	if len(stuck) > 0 || len(refused) > 0 {
		errs := make([]error, 0, len(stuck)+len(refused))
		for _, err := range stuck {
			errs = append(errs, err)
		}
		errs = append(errs, refused...)
		return fmt.Errorf("flush: %d notifications pending: %w", n, errors.Join(errs...))
	}
	return nil
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
	findable := a.api != nil && m.Op != store.OpUpdate
	unknown := findable && !m.InFlightAt.IsZero() // an earlier send's answer never came
	attempts, limited := 0, 0
	looked := false // a lookup concluded that m must be posted (again): the next post starts a new episode
	gaveUp := false // this call gave up looking: at most once
	for {
		if unknown {
			if err := a.settling(m); err != nil {
				return err
			}
		}
		if err := a.waitTurn(ctx, m.Channel); err != nil {
			return err
		}
		var err error
		if unknown {
			var found bool
			found, err = a.findSent(ctx, m)
			if found {
				a.forget(m.ID)
				return nil
			}
			var le *lookupError
			if err != nil && !errors.As(err, &le) {
				// The store's own failure (the message was found and could
				// not be recorded): neither a failed lookup nor a reason to
				// post again. The in-flight mark finds it on a later flush.
				return err
			}
			looked = err == nil
		}
		if err == nil {
			if findable {
				if err := a.markInFlight(ctx, &m, looked); err != nil {
					return err
				}
			}
			// Once a request is out, it finishes (or times out) even if ctx is
			// cancelled: aborting it could leave a message Slack accepted marked
			// unsent, to be sent again.
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.requestTimeout)
			var channelID, ts string
			var asked bool
			channelID, ts, asked, err = a.send(sctx, m, msg)
			cancel()
			if asked {
				a.observe(err)
				a.lastSend[m.Channel] = a.now()
			}
			if err == nil {
				a.forget(m.ID)
				if channelID != "" {
					a.channelIDs[m.Channel] = channelID
				}
				if err := a.st.MarkOutboxSent(context.WithoutCancel(ctx), m, channelID, ts, a.now()); err != nil {
					// Slack has it; the in-flight mark will find it on the next run.
					a.log.Error("mark notification sent; the next run looks for it in Slack", "key", m.Key, "err", err)
					return err
				}
				a.notification("sent")
				a.log.Debug("notification sent", "channel", m.Channel, "op", m.Op, "ts", ts)
				return nil
			}
			looked = false
			if findable {
				if unknown = !answered(err); !unknown {
					// Slack said no: nothing was posted.
					if err := a.st.ClearOutboxInFlight(context.WithoutCancel(ctx), m.ID); err != nil {
						return err
					}
					m.InFlightAt = time.Time{}
					delete(a.lastTry, m.ID)
				} else {
					a.lastTry[m.ID] = a.now()
				}
			}
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		class, wait := classify(err)
		code := errorCode(err)
		var le *lookupError
		lookup := errors.As(err, &le)
		if lookup && class != classTransient && class != classRateLimited {
			// No retry now will fix it: look again on a later flush, or give up.
			if !gaveUp && a.giveUpLooking(m, le) {
				gaveUp, looked, unknown, attempts, limited = true, true, false, 0, 0
				continue
			}
			return a.lookupFailed(ctx, m, le)
		}
		switch class {
		case classGone:
			a.log.Warn("parent message is gone; skipping its update", "channel", m.Channel, "code", code)
			if err := a.st.MarkOutboxSent(context.WithoutCancel(ctx), m, "", "", a.now()); err != nil {
				return err
			}
			a.notification("failed")
			return nil
		case classPermanent:
			if code == "thread_not_found" && m.Op == store.OpReply {
				// The parent was deleted: say it in the channel instead.
				m.ParentTS = ""
				continue
			}
			if messageCodes[code] {
				return a.refuse(ctx, m, code, "")
			}
			pe := &PermanentError{Code: code, Channel: m.Channel, Hint: hintFor(code, m.Channel)}
			if code == "" {
				pe.Code = "error"
			}
			a.notification("permanent_error")
			a.log.Error("slack refused a notification; it stays pending", "channel", m.Channel,
				"code", pe.Code, "hint", pe.Hint)
			_ = a.st.MarkOutboxFailed(context.WithoutCancel(ctx), m.ID, pe.Code)
			return pe
		case classRateLimited:
			limited++
			if wait < time.Second {
				wait = time.Second
			}
			if limited > 2*a.maxAttempts {
				a.notification("failed")
				a.observeDown(fmt.Errorf("slack kept answering 429 rate limited (%d times in a row)", limited))
				if lookup {
					if !gaveUp && a.giveUpLooking(m, le) {
						gaveUp, looked, unknown, attempts, limited = true, true, false, 0, 0
						continue
					}
					return a.lookupFailed(ctx, m, le)
				}
				_ = a.st.MarkOutboxFailed(context.WithoutCancel(ctx), m.ID, "rate limited")
				return fmt.Errorf("send to %s: still rate limited after %d waits", m.Channel, limited)
			}
			a.log.Warn("slack rate limit; waiting", "channel", m.Channel, "retry_after", wait)
		case classTransient:
			attempts++
			if lookup && attempts >= a.maxAttempts {
				if !gaveUp && a.giveUpLooking(m, le) {
					gaveUp, looked, unknown, attempts, limited = true, true, false, 0, 0
					continue
				}
				return a.lookupFailed(ctx, m, le)
			}
			if !lookup && unknown && a.settle > 0 {
				// Slack may have the message, or get it shortly: leave it to
				// settle, then look for it before sending it again.
				msg := a.redact(err)
				_ = a.st.MarkOutboxFailed(context.WithoutCancel(ctx), m.ID, msg)
				a.notification("retried")
				a.log.Warn("slack did not answer a send; the notification is looked for in Slack before it is sent again",
					"channel", m.Channel, "key", m.Key, "settle", a.settle, "err", msg)
				return &settlingError{channel: m.Channel, key: m.Key, until: a.lastTry[m.ID].Add(a.settle), fresh: true}
			}
			if attempts >= a.maxAttempts {
				a.notification("failed")
				msg := a.redact(err)
				_ = a.st.MarkOutboxFailed(context.WithoutCancel(ctx), m.ID, msg)
				a.log.Warn("slack unreachable; notification stays pending", "channel", m.Channel,
					"attempts", attempts, "err", msg)
				return fmt.Errorf("send to %s: %s", m.Channel, msg)
			}
			wait = a.backoff << (attempts - 1)
			if wait > a.maxBackoff || wait <= 0 {
				wait = a.maxBackoff
			}
			a.log.Warn("slack send failed; retrying", "channel", m.Channel, "attempt", attempts, "wait", wait, "err", a.redact(err))
		}
		a.notification("retried")
		if err := sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// settlingError says a message whose send went unanswered is left pending
// until its settle delay has passed.
type settlingError struct {
	channel, key string
	until        time.Time
	fresh        bool // a send went unanswered just now, rather than in an earlier flush
}

func (e *settlingError) Error() string {
	return fmt.Sprintf("send to %s: Slack did not answer; the message is looked for in Slack after %s, before it is sent again",
		e.channel, e.until.UTC().Format(time.RFC3339))
}

// settling returns a *settlingError while m's last unanswered send in this
// process is more recent than the settle delay, nil once it may be looked
// for. A send that has just gone unanswered returns its own
// *settlingError (fresh), never nil.
func (a *Alerter) settling(m store.OutboxMessage) error {
	last, ok := a.lastTry[m.ID]
	if !ok || a.settle <= 0 {
		return nil
	}
	until := last.Add(a.settle)
	if !a.now().Before(until) {
		return nil
	}
	return &settlingError{channel: m.Channel, key: m.Key, until: until}
}

// markInFlight records, in its own commit, that a send of m begins now.
// A send after a lookup concluded that m is not in Slack (or could not be
// looked for, or was given up on) begins a new lookup episode: the in-flight
// time is this send's, and the failed lookups counted so far are dropped.
// Otherwise an earlier unanswered send's time is kept.
func (a *Alerter) markInFlight(ctx context.Context, m *store.OutboxMessage, looked bool) error {
	now := a.now()
	if looked && !m.InFlightAt.IsZero() {
		if err := a.st.ResetOutboxInFlight(ctx, m.ID, now); err != nil {
			return err
		}
		m.InFlightAt = now
		delete(a.lookFails, m.ID)
		return nil
	}
	if err := a.st.MarkOutboxInFlight(ctx, m.ID, now); err != nil {
		return err
	}
	if m.InFlightAt.IsZero() {
		m.InFlightAt = now
	}
	return nil
}

// forget drops what the alerter remembers of a message now sent.
func (a *Alerter) forget(id int64) {
	delete(a.lastTry, id)
	delete(a.lookFails, id)
}

// After maxLookFails flushes whose lookups failed in a process, or once a
// message has been in flight for lookGiveUp, a message whose send was cut
// off is posted again without knowing whether Slack has it
// (at-least-once): a lookup that keeps failing must not hold its thread
// for ever. Each lookup episode (from the send whose answer never came)
// gives up at most once; a repost that goes unanswered starts a new one.
const (
	maxLookFails = 5
	lookGiveUp   = time.Hour
)

// giveUpLooking counts a flush whose lookup of m failed once its retries
// were used up (a rate limit not counted: it is waited out up to
// lookGiveUp) and reports whether to stop looking and post m again; if so
// it warns that m may show twice. It never gives up while Slack has
// answered nothing since m's episode began: that is an outage, which a
// repost cannot get through either, and when Slack answers again the lookup
// works. So a steady outage posts a message at most twice.
func (a *Alerter) giveUpLooking(m store.OutboxMessage, le *lookupError) bool {
	if !rateLimited(le.err) {
		a.lookFails[m.ID]++
	}
	n := a.lookFails[m.ID]
	if n < maxLookFails && a.now().Sub(m.InFlightAt) < lookGiveUp {
		return false
	}
	if !a.answeredSince(m.InFlightAt) {
		return false
	}
	delete(a.lookFails, m.ID)
	a.log.Warn("cannot look in Slack for a notification whose send was cut off; posting it again, so it may show twice",
		"channel", m.Channel, "key", m.Key, "failed_lookups", n, "in_flight_since", m.InFlightAt, "err", le.detail)
	return true
}

// lookupFailed records a failed lookup of m and hands it back: m stays
// pending, its thread waits, and it is looked for again on a later flush.
// A lookup Slack did not answer (no answer, a 5xx, rate limits) holds the
// channel too, until the next flush, as an unanswered send does.
func (a *Alerter) lookupFailed(ctx context.Context, m store.OutboxMessage, le *lookupError) error {
	le.down = unreachable(le.err)
	a.notification("failed")
	a.log.Warn("looking in Slack for a notification whose send was cut off failed; it stays pending, its thread waits, and it is looked for again on the next flush",
		"channel", m.Channel, "key", m.Key, "failed_lookups", a.lookFails[m.ID], "err", le.Error())
	_ = a.st.MarkOutboxFailed(context.WithoutCancel(ctx), m.ID, le.Error())
	return le
}

// unreachable reports whether err says Slack did not answer a request:
// no answer at all, a 5xx or 408, or a rate limit.
func unreachable(err error) bool {
	if err == nil {
		return false
	}
	if rateLimited(err) {
		return true
	}
	var sc slack.StatusCodeError
	if errors.As(err, &sc) {
		return sc.Code >= 500 || sc.Code == http.StatusRequestTimeout
	}
	var se slack.SlackErrorResponse
	return !errors.As(err, &se)
}

// answered reports whether err is Slack's own answer that it did not post
// the message. No answer (a dropped connection, a timeout) is not one, nor
// a 5xx or an internal_error, after which part of the work may be done.
func answered(err error) bool {
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		return true
	}
	var sc slack.StatusCodeError
	if errors.As(err, &sc) {
		return sc.Code < 500 && sc.Code != http.StatusRequestTimeout
	}
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		switch slackCode(se.Err) {
		case "internal_error", "fatal_error", "service_unavailable", "request_timeout":
			return false
		}
		return true
	}
	return false
}

// metadataEventType names the metadata every posted message carries; its
// payload's "key" is the outbox key, so a message whose send was cut off
// can be recognised in the channel.
const metadataEventType = "radar_notification"

// lookBack widens a search for a message whose send was cut off on both
// sides of the unanswered attempts: room for a clock that differs from
// Slack's, and for a post Slack stamps late.
const lookBack = 15 * time.Minute

// lookPages bounds a search, at 200 messages a page.
const lookPages = 50

// lookCodes are lookup errors that leave nothing to do but post again:
// the app cannot read the channel.
var lookCodes = map[string]string{
	"missing_scope":     "add the channels:history scope (groups:history for private channels; channels:read and groups:read to find a channel by #name), reinstall the app and update the token",
	"no_permission":     "add the channels:history scope (groups:history for private channels), reinstall the app and update the token",
	"not_in_channel":    "invite the app to the channel (/invite @YourApp): it can post there but not read it",
	"channel_not_found": "set the route's channel to its id (C…): the app cannot find the channel by name",
	"thread_not_found":  "the thread's parent message is gone",
	"access_denied":     "the workspace does not let the app read the channel",
}

// lookupError is a failed request of a search for a message whose send was
// cut off. It holds only that message (and its thread), never the channel
// or the other channels, whatever the code.
type lookupError struct {
	method  string // conversations.history, conversations.replies or users.conversations
	channel string
	detail  string // the error, secrets removed
	err     error
	down    bool // Slack did not answer (set when the flush's retries are used up): the channel waits too
}

func (e *lookupError) Error() string {
	scope := "channels:history (groups:history for private channels)"
	if e.method == "users.conversations" {
		scope = "channels:read (groups:read for private channels)"
	}
	return fmt.Sprintf("look in %s for a message whose send was cut off: %s (needs the %s scope): %s; it is looked for again on the next flush, and posted again after %d failed lookups or %s in flight",
		e.channel, e.method, scope, e.detail, maxLookFails, lookGiveUp)
}

func (e *lookupError) Unwrap() error { return e.err }

// errSearchExhausted says a search read lookPages pages without reaching
// the start of its window: the message may be there, further back.
var errSearchExhausted = errors.New("search exhausted")

// findSent looks in Slack for a message of m whose send was cut off. It
// reports whether it found one (and recorded it as sent). An error is
// the lookup's own failure (a *lookupError), to be retried; a channel the
// app cannot read, or a search that ran out of pages, is warned about and
// reported as not found, so the message is posted again (at-least-once).
func (a *Alerter) findSent(ctx context.Context, m store.OutboxMessage) (bool, error) {
	lctx, cancel := context.WithTimeout(ctx, a.requestTimeout)
	defer cancel()
	channelID, ts, err := a.lookFor(lctx, m)
	a.lastSend[m.Channel] = a.now()
	if errors.Is(err, errSearchExhausted) {
		a.log.Warn("searched Slack for a notification whose send was cut off without reaching the time it was sent; posting it again, so it may show twice",
			"channel", m.Channel, "key", m.Key, "pages", lookPages, "in_flight_since", m.InFlightAt)
		return false, nil
	}
	if err != nil {
		code := errorCode(err)
		hint, cannot := lookCodes[code]
		if errors.Is(err, errNotMember) {
			code, hint, cannot = "not_in_channel", "invite the app to the channel (/invite @YourApp): it can post there but not read it", true
		}
		if !cannot {
			return false, err
		}
		if !a.warnedLook[code] {
			a.warnedLook[code] = true
			a.log.Warn("cannot look in Slack for a notification whose send was cut off; posting it again, so it may show twice",
				"channel", m.Channel, "key", m.Key, "code", code, "hint", hint)
		}
		return false, nil
	}
	if ts == "" {
		a.log.Info("notification whose send was cut off is not in Slack; posting it", "channel", m.Channel, "key", m.Key)
		return false, nil
	}
	if err := a.st.MarkOutboxSent(context.WithoutCancel(ctx), m, channelID, ts, a.now()); err != nil {
		return false, err
	}
	a.notification("sent")
	a.log.Info("notification whose send was cut off was already in Slack; not sent again", "channel", m.Channel, "key", m.Key, "ts", ts)
	return true, nil
}

var errNotMember = errors.New("the app is not a member of the channel")

// lookFor returns the channel id and ts of m's message in Slack, ts empty
// when no message carries m's key. A reply is looked for in its thread,
// or in the channel when the thread is gone: a reply whose parent was
// deleted is sent to the channel instead.
func (a *Alerter) lookFor(ctx context.Context, m store.OutboxMessage) (channelID, ts string, err error) {
	if m.Op == store.OpReply && m.ParentTS != "" {
		if channelID = m.ParentChannel; channelID == "" {
			if channelID, err = a.channelID(ctx, m.Channel); err != nil {
				return "", "", err
			}
		}
		ts, err = a.search(ctx, m, channelID, m.ParentTS)
		if errorCode(err) != "thread_not_found" {
			return channelID, ts, err
		}
		a.log.Info("the thread of a reply whose send was cut off is gone; looking for the reply in the channel", "channel", m.Channel, "key", m.Key)
	}
	if channelID, err = a.channelID(ctx, m.Channel); err != nil {
		return "", "", err
	}
	ts, err = a.search(ctx, m, channelID, "")
	return channelID, ts, err
}

// search pages through a channel's history (or, with parentTS, a thread)
// around m's unanswered sends for a message carrying m's key, and returns
// its ts, empty when none does. The window runs from lookBack before the
// first unanswered send to lookBack after the last one this process made
// (to now for a send an earlier process made).
func (a *Alerter) search(ctx context.Context, m store.OutboxMessage, channelID, parentTS string) (string, error) {
	oldest := slackTS(m.InFlightAt.Add(-lookBack))
	latest := ""
	if last, ok := a.lastTry[m.ID]; ok {
		if last.Before(m.InFlightAt) {
			last = m.InFlightAt
		}
		latest = slackTS(last.Add(lookBack))
	}
	method := "conversations.history"
	if parentTS != "" {
		method = "conversations.replies"
	}
	cursor := ""
	for page := 0; page < lookPages; page++ {
		var msgs []slack.Message
		var err error
		if parentTS != "" {
			msgs, _, cursor, err = a.api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{
				ChannelID: channelID, Timestamp: parentTS, Oldest: oldest, Latest: latest, Limit: 200, Cursor: cursor, IncludeAllMetadata: true})
		} else {
			var r *slack.GetConversationHistoryResponse
			r, err = a.api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{
				ChannelID: channelID, Oldest: oldest, Latest: latest, Limit: 200, Cursor: cursor, IncludeAllMetadata: true})
			if r != nil {
				msgs, cursor = r.Messages, r.ResponseMetaData.NextCursor
			}
		}
		a.observeLookup(err)
		if err != nil {
			return "", &lookupError{method: method, channel: m.Channel, detail: a.redact(err), err: err}
		}
		for _, msg := range msgs {
			if msg.Metadata.EventType == metadataEventType && msg.Metadata.EventPayload["key"] == m.Key {
				return msg.Timestamp, nil
			}
		}
		if cursor == "" {
			return "", nil
		}
	}
	return "", fmt.Errorf("look for %s in %s with %s: %d pages read: %w", m.Key, m.Channel, method, lookPages, errSearchExhausted)
}

// observeLookup records a lookup's outcome for Health: a channel the app
// cannot read is an answer, not an outage.
func (a *Alerter) observeLookup(err error) {
	if _, cannot := lookCodes[errorCode(err)]; cannot {
		err = nil
	}
	a.observe(err)
}

// slackTS renders t as a Slack timestamp.
func slackTS(t time.Time) string {
	return fmt.Sprintf("%d.%06d", t.Unix(), t.Nanosecond()/1000)
}

// channelID returns the id of a channel given as an id or a #name: the
// reading methods take ids only. A name is resolved from an earlier post's
// answer, or else among the channels the app is a member of.
func (a *Alerter) channelID(ctx context.Context, channel string) (string, error) {
	if id := a.channelIDs[channel]; id != "" {
		return id, nil
	}
	if isChannelID(channel) {
		return channel, nil
	}
	name := strings.TrimPrefix(channel, "#")
	cursor := ""
	for page := 0; page < 100; page++ {
		chans, next, err := a.api.GetConversationsForUserContext(ctx, &slack.GetConversationsForUserParameters{
			Types: []string{"public_channel", "private_channel"}, ExcludeArchived: true, Limit: 200, Cursor: cursor})
		a.observeLookup(err)
		if err != nil {
			return "", &lookupError{method: "users.conversations", channel: channel, detail: a.redact(err), err: err}
		}
		for _, c := range chans {
			a.channelIDs["#"+c.Name] = c.ID
			if c.Name == name {
				return c.ID, nil
			}
		}
		if cursor = next; cursor == "" {
			break
		}
	}
	return "", fmt.Errorf("find channel %s: %w", channel, errNotMember)
}

// isChannelID reports whether ch looks like a Slack conversation id.
func isChannelID(ch string) bool {
	if len(ch) < 2 || (ch[0] != 'C' && ch[0] != 'G' && ch[0] != 'D') {
		return false
	}
	for _, r := range ch[1:] {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
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

// waitTurn paces sends to about one per a.pace per channel.
func (a *Alerter) waitTurn(ctx context.Context, channel string) error {
	last, ok := a.lastSend[channel]
	if !ok || a.pace <= 0 {
		return nil
	}
	return sleep(ctx, a.pace-a.now().Sub(last))
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
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
