package service

import (
	"testing"
	"time"
)

// TestSigninThrottle: a client's delay doubles with each failure up to the
// cap, other clients are not slowed, and success or a quiet spell forgets.
func TestSigninThrottle(t *testing.T) {
	var th signinThrottle
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	steps := []struct {
		name   string
		client string
		at     time.Time
		want   time.Duration
	}{
		{"first failure", "10.0.0.1", t0, signinBaseDelay},
		{"second failure doubles", "10.0.0.1", t0.Add(time.Second), 2 * signinBaseDelay},
		{"third failure doubles again", "10.0.0.1", t0.Add(2 * time.Second), 4 * signinBaseDelay},
		{"another client starts at the base", "10.0.0.2", t0.Add(3 * time.Second), signinBaseDelay},
		{"after a quiet spell the base again", "10.0.0.1", t0.Add(signinForget + 3*time.Second), signinBaseDelay},
	}
	for _, s := range steps {
		if got := th.failed(s.client, s.at); got != s.want {
			t.Errorf("%s: got %s, want %s", s.name, got, s.want)
		}
	}
	for i := 0; i < 20; i++ {
		th.failed("10.0.0.3", t0)
	}
	if got := th.failed("10.0.0.3", t0); got != signinMaxDelay {
		t.Errorf("many failures: got %s, want the cap %s", got, signinMaxDelay)
	}
	th.succeeded("10.0.0.3")
	if got := th.failed("10.0.0.3", t0); got != signinBaseDelay {
		t.Errorf("after a success: got %s, want %s", got, signinBaseDelay)
	}
}
