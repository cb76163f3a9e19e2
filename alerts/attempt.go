package alerts

import (
	"time"

	"github.com/radarhq/radar/store"
)

// attempt is the state of one outbox message's delivery within one call
// of sendWithRetry: what is known of its earlier sends, and how many
// failures it has met. Its methods are the only transitions.
type attempt struct {
	m store.OutboxMessage
	// findable: a bot token posts it (not a webhook, not an edit), so a
	// send whose answer is lost can be looked for in Slack.
	findable bool
	// unknown: a send's answer never came, so m may be in Slack: it is
	// looked for before it is posted.
	unknown bool
	// looked: a lookup concluded that m must be posted (again), so the next
	// post starts a new lookup episode.
	looked bool
	// gaveUp: this call gave up looking for m and posted it again, which it
	// does at most once.
	gaveUp   bool
	failures int // 5xx and network errors
	limited  int // rate limits in a row
}

// newAttempt starts the delivery of m. A message left in flight (by this
// process or an earlier one) is findable's unknown: it is looked for first.
func newAttempt(m store.OutboxMessage, findable bool) attempt {
	return attempt{m: m, findable: findable, unknown: findable && !m.InFlightAt.IsZero()}
}

// lookedUp records a lookup's outcome: ok when it concluded that m is not
// in Slack (or cannot be looked for), false when it failed.
func (t *attempt) lookedUp(ok bool) { t.looked = ok }

// startSend records that a post of m begins at now and reports whether it
// begins a new lookup episode: after a lookup concluded that m must be
// posted again, the in-flight time is this send's; otherwise an earlier
// unanswered send's time is kept.
func (t *attempt) startSend(now time.Time) (newEpisode bool) {
	if t.looked && !t.m.InFlightAt.IsZero() {
		t.m.InFlightAt = now
		return true
	}
	if t.m.InFlightAt.IsZero() {
		t.m.InFlightAt = now
	}
	return false
}

// postFailed records a post Slack did not take. answered: Slack said no,
// so nothing was posted and m is no longer in flight. Otherwise (no
// answer, a 5xx) a findable m may be in Slack and is looked for before it
// is posted again.
func (t *attempt) postFailed(answered bool) {
	t.looked = false
	t.unknown = t.findable && !answered
	if t.findable && answered {
		t.m.InFlightAt = time.Time{}
	}
}

// mayGiveUp reports whether this call may still give up looking for m.
func (t *attempt) mayGiveUp() bool { return !t.gaveUp }

// giveUp stops looking for m: it is posted again, as a new episode, with
// its retries counted afresh.
func (t *attempt) giveUp() {
	t.gaveUp, t.looked, t.unknown, t.failures, t.limited = true, true, false, 0, 0
}

// failed counts a 5xx or network error and returns the count so far.
func (t *attempt) failed() int {
	t.failures++
	return t.failures
}

// rateLimited counts a rate limit and returns the count so far.
func (t *attempt) rateLimited() int {
	t.limited++
	return t.limited
}
