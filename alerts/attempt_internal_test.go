package alerts

import (
	"testing"
	"time"

	"github.com/radarhq/radar/store"
)

func TestAttemptTransitions(t *testing.T) {
	earlier := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	now := earlier.Add(time.Hour)
	fresh := store.OutboxMessage{ID: 1, Channel: "#a", Key: "k"}
	inFlight := fresh
	inFlight.InFlightAt = earlier

	type state struct {
		unknown, looked, gaveUp bool
		failures, limited       int
		inFlightAt              time.Time
	}
	stateOf := func(a attempt) state {
		return state{a.unknown, a.looked, a.gaveUp, a.failures, a.limited, a.m.InFlightAt}
	}
	tests := []struct {
		name       string
		m          store.OutboxMessage
		findable   bool
		steps      func(a *attempt) bool // returns what startSend returned, if called
		newEpisode bool
		want       state
	}{
		{"never sent: posted at once", fresh, true, nil, false, state{}},
		{"left in flight: looked for first", inFlight, true, nil, false, state{unknown: true, inFlightAt: earlier}},
		{"webhook left in flight: cannot be looked for", inFlight, false, nil, false, state{inFlightAt: earlier}},
		{"first send stamps the in-flight time", fresh, true, func(a *attempt) bool {
			return a.startSend(now)
		}, false, state{inFlightAt: now}},
		{"send after a lookup that found nothing starts a new episode", inFlight, true, func(a *attempt) bool {
			a.lookedUp(true)
			return a.startSend(now)
		}, true, state{unknown: true, looked: true, inFlightAt: now}},
		{"send after a failed lookup keeps the episode", inFlight, true, func(a *attempt) bool {
			a.lookedUp(false)
			return a.startSend(now)
		}, false, state{unknown: true, inFlightAt: earlier}},
		{"Slack said no: nothing in flight", fresh, true, func(a *attempt) bool {
			a.startSend(now)
			a.postFailed(true)
			return false
		}, false, state{}},
		{"no answer: looked for before the next post", fresh, true, func(a *attempt) bool {
			a.lookedUp(true)
			a.startSend(now)
			a.postFailed(false)
			return false
		}, false, state{unknown: true, inFlightAt: now}},
		{"no answer to an edit: sent again", fresh, false, func(a *attempt) bool {
			a.postFailed(false)
			return false
		}, false, state{}},
		{"failures and rate limits count", fresh, true, func(a *attempt) bool {
			a.failed()
			a.failed()
			a.rateLimited()
			return false
		}, false, state{failures: 2, limited: 1}},
		{"giving up resets the episode once", inFlight, true, func(a *attempt) bool {
			a.failed()
			a.rateLimited()
			a.giveUp()
			return false
		}, false, state{looked: true, gaveUp: true, inFlightAt: earlier}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newAttempt(tt.m, tt.findable)
			newEpisode := false
			if tt.steps != nil {
				newEpisode = tt.steps(&a)
			}
			if got := stateOf(a); got != tt.want {
				t.Errorf("state = %+v, want %+v", got, tt.want)
			}
			if newEpisode != tt.newEpisode {
				t.Errorf("startSend = %v, want %v", newEpisode, tt.newEpisode)
			}
		})
	}
}

func TestAttemptGivesUpOnce(t *testing.T) {
	a := newAttempt(store.OutboxMessage{ID: 1, InFlightAt: time.Now()}, true)
	if !a.mayGiveUp() {
		t.Fatal("a new attempt may not give up")
	}
	a.giveUp()
	if a.mayGiveUp() {
		t.Error("an attempt that gave up may give up again")
	}
	if n := a.failed(); n != 1 {
		t.Errorf("failures after giving up = %d, want 1: counted afresh", n)
	}
}

func TestRetryPolicyBackoff(t *testing.T) {
	p := retryPolicy{first: time.Second, max: 5 * time.Second, attempts: 6}
	for n, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 4: 5 * time.Second, 70: 5 * time.Second} {
		if got := p.backoff(n); got != want {
			t.Errorf("backoff(%d) = %s, want %s", n, got, want)
		}
	}
}
