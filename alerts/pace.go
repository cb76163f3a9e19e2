package alerts

import (
	"context"
	"sync"
	"time"

	"github.com/radarhq/radar/internal/wait"
)

// pacer keeps sends to one channel about gap apart (Slack's
// chat.postMessage allows about one a second per channel), behind its own
// lock.
type pacer struct {
	gap time.Duration // minimum gap between two requests to one channel; 0: none
	now func() time.Time

	mu   sync.Mutex
	last map[string]time.Time // by channel as configured
}

// wait waits until channel's turn comes, or ctx ends.
func (p *pacer) wait(ctx context.Context, channel string) error {
	p.mu.Lock()
	last, ok := p.last[channel]
	p.mu.Unlock()
	if !ok || p.gap <= 0 {
		return nil
	}
	return wait.Sleep(ctx, p.gap-p.now().Sub(last))
}

// sent records a request to channel now.
func (p *pacer) sent(channel string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.last == nil {
		p.last = map[string]time.Time{}
	}
	p.last[channel] = p.now()
}

// retryPolicy says how often and how patiently a message is retried
// after a 5xx or a network error within one flush. A 429 waits its
// Retry-After instead, up to 2×attempts times in a row.
type retryPolicy struct {
	first    time.Duration // first wait
	max      time.Duration // longest wait
	attempts int           // per message per flush, at least 1
	// timeout bounds one Slack request. Requests do not inherit the
	// caller's cancellation: a shutdown must not abort a message Slack may
	// already have accepted.
	timeout time.Duration
}

// backoff is the wait after the nth failed attempt (n from 1): doubling
// from first, at most max.
func (p retryPolicy) backoff(n int) time.Duration {
	wait := p.first << (n - 1)
	if wait > p.max || wait <= 0 {
		wait = p.max
	}
	return wait
}
