package jirasim

import (
	"math"
	"net/http"
	"strconv"
	"time"
)

// tokenBucket is the state of a Faults.BurstLimit. It runs on the real
// clock, as the limit it imitates does, whatever the scenario's clock says.
type tokenBucket struct {
	rate   float64 // tokens per second and capacity; 0: no limit
	tokens float64
	last   time.Time
}

// take refills the bucket up to now and takes a token if there is one. It
// returns the tokens left and, when there was none, how long until the
// next.
func (b *tokenBucket) take(now time.Time) (left float64, wait time.Duration, ok bool) {
	if b.last.IsZero() {
		b.tokens, b.last = b.rate, now
	}
	b.tokens = math.Min(b.rate, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	if b.tokens < 1 {
		return b.tokens, time.Duration((1 - b.tokens) / b.rate * float64(time.Second)), false
	}
	b.tokens--
	return b.tokens, 0, true
}

// takeBurstToken applies the burst limit to one request: it sets the
// X-RateLimit-* headers of the answer and, when the bucket is empty, the
// 429's Retry-After, and says whether the request may go on.
func (s *Server) takeBurstToken(w http.ResponseWriter) bool {
	fs := &s.faults
	fs.mu.Lock()
	if fs.bucket.rate <= 0 {
		fs.mu.Unlock()
		return true
	}
	left, wait, ok := fs.bucket.take(time.Now())
	limit := fs.bucket.rate
	if !ok {
		fs.counts[FaultBurstLimit]++
	}
	fs.mu.Unlock()
	h := w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(int(limit)))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(int(left)))
	if left < limit/5 {
		h.Set("X-RateLimit-NearLimit", "true")
	}
	if ok {
		return true
	}
	secs := max(1, int(math.Ceil(wait.Seconds())))
	h.Set("Retry-After", strconv.Itoa(secs))
	h.Set("X-RateLimit-Reset", time.Now().Add(time.Duration(secs)*time.Second).UTC().Format("2006-01-02T15:04:05.000Z"))
	h.Set("RateLimit-Reason", "jira-burst-based")
	return false
}
