package connector

import (
	"context"
	"net/http"
	"testing"
	"time"
)

func TestPacerFollowsJirasSignals(t *testing.T) {
	hdr := func(kv ...string) http.Header {
		h := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			h.Set(kv[i], kv[i+1])
		}
		return h
	}
	type step struct {
		status  int
		h       http.Header
		advance time.Duration // clock moves before the answer is read
	}
	tests := []struct {
		name  string
		cap   float64
		cloud bool
		steps []step
		want  float64
	}{
		{"cloud starts at its burst limit", 0, true, nil, 100},
		{"data center starts safe", 0, false, nil, 20},
		{"a configured rate is the ceiling", 40, true, nil, 40},
		{"a data center fill rate raises the ceiling", 0, false,
			[]step{{200, hdr("X-RateLimit-FillRate", "50", "X-RateLimit-Interval-Seconds", "1"), 0}}, 50},
		{"a fill rate never passes the configured cap", 30, false,
			[]step{{200, hdr("X-RateLimit-FillRate", "50", "X-RateLimit-Interval-Seconds", "1"), 0}}, 30},
		{"near the limit slows down", 0, true,
			[]step{{200, hdr("X-RateLimit-NearLimit", "true"), 0}}, 75},
		{"a low remaining slows down", 0, true,
			[]step{{200, hdr("X-RateLimit-Limit", "100", "X-RateLimit-Remaining", "10"), 0}}, 75},
		{"signals in one second slow down once", 0, true,
			[]step{{200, hdr("X-RateLimit-NearLimit", "true"), 0}, {200, hdr("X-RateLimit-NearLimit", "true"), 100 * time.Millisecond}}, 75},
		{"signals a second apart slow down again", 0, true,
			[]step{{200, hdr("X-RateLimit-NearLimit", "true"), 0}, {200, hdr("X-RateLimit-NearLimit", "true"), time.Second}}, 56.25},
		{"clear answers climb back", 0, true,
			[]step{{200, hdr("X-RateLimit-NearLimit", "true"), 0}, {200, hdr("X-RateLimit-Remaining", "90", "X-RateLimit-Limit", "100"), 0}}, 77},
		{"errors do not climb", 0, true,
			[]step{{200, hdr("X-RateLimit-NearLimit", "true"), 0}, {500, hdr(), 0}}, 75},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
			p := newPacer(tt.cap, func() time.Time { return now }, func(context.Context, time.Duration) error { return nil })
			p.forFlavor(tt.cloud)
			for _, s := range tt.steps {
				now = now.Add(s.advance)
				p.observe(s.status, s.h)
			}
			if got, _ := p.state(); got != tt.want {
				t.Errorf("rate = %g, want %g", got, tt.want)
			}
		})
	}
}

// A 429 halves the rate and holds every request back for its Retry-After.
func TestPacerPause(t *testing.T) {
	now := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	var slept []time.Duration
	p := newPacer(0, func() time.Time { return now }, func(_ context.Context, d time.Duration) error {
		slept = append(slept, d)
		return nil
	})
	p.forFlavor(true)
	p.pause(3 * time.Second)
	if err := p.wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(slept) != 1 || slept[0] != 3*time.Second {
		t.Errorf("waits %v, want one of 3s", slept)
	}
	if got, n := p.state(); got != 50 || n != 1 {
		t.Errorf("rate %g after %d slowdowns, want 50 after 1", got, n)
	}
}
