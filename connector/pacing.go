package connector

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Rates the pacer works with, in requests per second.
const (
	// cloudRate is Jira Cloud's burst limit per tenant and endpoint: the
	// automatic ceiling on Cloud.
	cloudRate = 100
	// dataCenterRate is the automatic ceiling on Data Center, whose rate
	// limit is off unless an admin turns it on and then says so only in
	// its headers: a small instance must not be flooded on a guess.
	dataCenterRate = 20
	// minRate is as slow as Jira's signals can push the pacer.
	minRate = 1
	// cloudConcurrency and dataCenterConcurrency are the automatic request
	// slots (jira.concurrency 0): on Cloud, where a page takes 0.5–1 s and
	// the pacer keeps the rate under the burst limit, enough to use it; on
	// Data Center, whose searches load the instance itself, few.
	cloudConcurrency      = 16
	dataCenterConcurrency = 4
)

// slots is how many requests may be in flight: jira.concurrency, or when
// it is 0 (automatic) cloudConcurrency or dataCenterConcurrency.
func (c *Connector) slots(cloud bool) int {
	switch {
	case c.cfg.Concurrency > 0:
		return c.cfg.Concurrency
	case cloud:
		return cloudConcurrency
	}
	return dataCenterConcurrency
}

// pacer spaces the requests of every worker to one shared rate. The rate
// starts at its ceiling and follows Jira's own signals: it slows down when
// an answer says the limit is near (X-RateLimit-NearLimit, or
// X-RateLimit-Remaining under a fifth of X-RateLimit-Limit), halves on a
// 429 or 503 (and pauses everyone for Retry-After), and climbs back to the
// ceiling on answers without those signals. The ceiling is
// jira.requests_per_second when set (a hard cap), else cloudRate on Cloud
// and dataCenterRate on Data Center, raised or lowered to the fill rate a
// Data Center rate limit announces (X-RateLimit-FillRate per
// X-RateLimit-Interval-Seconds), never past cloudRate.
type pacer struct {
	mu        sync.Mutex
	now       func() time.Time
	sleep     func(context.Context, time.Duration) error
	cap       float64 // jira.requests_per_second; 0: automatic
	ceiling   float64
	rate      float64
	next      time.Time // when the next request may go
	lastSlow  time.Time
	slowdowns int
}

func newPacer(capRate float64, now func() time.Time, sleep func(context.Context, time.Duration) error) *pacer {
	p := &pacer{now: now, sleep: sleep, cap: capRate}
	p.setCeiling(dataCenterRate) // until discovery names the flavour
	if capRate > 0 {
		p.setCeiling(capRate)
	}
	p.rate = p.ceiling
	return p
}

func (p *pacer) setCeiling(r float64) {
	if p.cap > 0 {
		r = min(r, p.cap)
	}
	p.ceiling = max(r, minRate)
	p.rate = min(p.rate, p.ceiling)
}

// forFlavor sets the automatic ceiling once the flavour is known; a
// configured jira.requests_per_second stays the ceiling.
func (p *pacer) forFlavor(cloud bool) {
	if p.cap > 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	old := p.ceiling
	if cloud {
		p.setCeiling(cloudRate)
	} else {
		p.setCeiling(dataCenterRate)
	}
	if p.rate == old {
		p.rate = p.ceiling // not slowed by Jira: start at the new ceiling
	}
}

// wait blocks until the caller may send a request.
func (p *pacer) wait(ctx context.Context) error {
	p.mu.Lock()
	now := p.now()
	at := p.next
	if at.Before(now) {
		at = now
	}
	p.next = at.Add(time.Duration(float64(time.Second) / p.rate))
	p.mu.Unlock()
	return p.sleep(ctx, at.Sub(now))
}

// pause holds every request back until d from now (Retry-After on a 429 or
// 503) and halves the rate, once per pause.
func (p *pacer) pause(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if until := now.Add(d); until.After(p.next) {
		p.next = until
	}
	p.slowDown(now, 0.5)
}

// slowDown cuts the rate by factor, at most once a second: the answers of
// every request in flight carry the same signal.
func (p *pacer) slowDown(now time.Time, factor float64) {
	if now.Sub(p.lastSlow) < time.Second {
		return
	}
	p.lastSlow = now
	p.rate = max(p.rate*factor, minRate)
	p.slowdowns++
}

// observe reads the rate limit headers of an answer.
func (p *pacer) observe(status int, h http.Header) {
	limit, hasLimit := headerFloat(h, "X-RateLimit-Limit")
	remaining, hasRemaining := headerFloat(h, "X-RateLimit-Remaining")
	near := strings.EqualFold(strings.TrimSpace(h.Get("X-RateLimit-NearLimit")), "true") ||
		hasLimit && hasRemaining && limit > 0 && remaining < limit/5
	fill, hasFill := headerFloat(h, "X-RateLimit-FillRate")
	interval, hasInterval := headerFloat(h, "X-RateLimit-Interval-Seconds")
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cap == 0 && hasFill && fill > 0 {
		if !hasInterval || interval <= 0 {
			interval = 1
		}
		old := p.ceiling
		p.setCeiling(min(fill/interval, cloudRate))
		if p.rate == old {
			p.rate = p.ceiling // not slowed by Jira: go at what it allows
		}
	}
	switch {
	case near:
		p.slowDown(p.now(), 0.75)
	case status >= 200 && status <= 299 && p.rate < p.ceiling:
		// Clear again: climb back, about fifty answers from the floor to
		// the ceiling.
		p.rate = min(p.rate+p.ceiling/50, p.ceiling)
	}
}

// state reports the current rate and how often Jira's signals slowed it.
func (p *pacer) state() (rate float64, slowdowns int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.rate, p.slowdowns
}

func headerFloat(h http.Header, name string) (float64, bool) {
	v := strings.TrimSpace(h.Get(name))
	if v == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(v, 64)
	return f, err == nil && f >= 0
}
