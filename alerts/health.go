package alerts

import (
	"errors"
	"net/http"
	"time"

	"github.com/slack-go/slack"
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
	a.healthMu.Lock()
	defer a.healthMu.Unlock()
	return a.healthOK, a.healthErr
}

// observe records the outcome of one Slack request for Health. A single
// rate limit says nothing either way: it is waited out.
func (a *Alerter) observe(err error) {
	if rateLimited(err) {
		return
	}
	if transportDown(err) {
		a.observeDown(errors.New(a.redact(err)))
		return
	}
	a.healthMu.Lock()
	a.healthOK, a.healthErr = a.now(), nil
	a.healthMu.Unlock()
}

// observeDown records that Slack is unreachable or refuses Radar.
func (a *Alerter) observeDown(err error) {
	a.healthMu.Lock()
	a.healthErr = err
	a.healthMu.Unlock()
}

func rateLimited(err error) bool {
	var rl *slack.RateLimitedError
	var sc slack.StatusCodeError
	return errors.As(err, &rl) || errors.As(err, &sc) && sc.Code == http.StatusTooManyRequests
}

// transportDown reports whether err says Slack cannot be reached or will
// not take Radar's credentials, rather than refusing one request.
func transportDown(err error) bool {
	if err == nil {
		return false
	}
	if authCodes[errorCode(err)] {
		return true
	}
	class, _ := classify(err)
	return class == classTransient
}

// answeredSince reports whether Slack answered a request of this process
// after t.
func (a *Alerter) answeredSince(t time.Time) bool {
	a.healthMu.Lock()
	defer a.healthMu.Unlock()
	return a.healthOK.After(t)
}
