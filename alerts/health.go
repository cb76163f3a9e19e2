package alerts

import (
	"errors"
	"sync"
	"time"
)

// Health reports whether Slack is reachable and accepts Radar's
// credentials, as the latest requests found it: lastOK is when Slack last
// answered one (zero before any), and lastErr is set when the latest
// request since then failed in transport: no answer, a 5xx or Slack's
// internal_error, rate limits Radar gave up waiting out, or refused
// credentials. Slack refusing one message (msg_too_long) or a channel
// (channel_not_found) is an answer: Slack is up. lastErr carries no
// secret. Health is safe to call from any goroutine.
func (a *Alerter) Health() (lastOK time.Time, lastErr error) {
	return a.health.get()
}

// health is what the latest Slack requests found, behind its own lock.
type health struct {
	now     func() time.Time
	secrets redactor

	mu      sync.Mutex
	lastOK  time.Time // when Slack last answered a request
	lastErr error     // the last request's transport failure; nil once Slack answers
}

func (h *health) get() (time.Time, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.lastOK, h.lastErr
}

// observe records the outcome of one Slack request. A single rate limit
// says nothing either way: it is waited out.
func (h *health) observe(err error) {
	if rateLimited(err) {
		return
	}
	if transportDown(err) {
		h.down(errors.New(h.secrets.redact(err)))
		return
	}
	h.mu.Lock()
	h.lastOK, h.lastErr = h.now(), nil
	h.mu.Unlock()
}

// observeLookup records a lookup's outcome: a channel the app cannot read
// is an answer, not an outage.
func (h *health) observeLookup(err error) {
	if _, cannot := lookCodes[errorCode(err)]; cannot {
		err = nil
	}
	h.observe(err)
}

// down records that Slack is unreachable or refuses Radar.
func (h *health) down(err error) {
	h.mu.Lock()
	h.lastErr = err
	h.mu.Unlock()
}

// answeredSince reports whether Slack answered a request of this process
// after t.
func (h *health) answeredSince(t time.Time) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.lastOK.After(t)
}
