package alerts_test

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/alerts"
	"github.com/radarhq/radar/config"
	"github.com/radarhq/radar/store"
)

// Two processes delivering on one database (a `radar alert` beside `radar
// serve`) send each notification once: planning and sending are serialised
// by the database's Slack lock.
func TestTwoProcessesDeliverOnce(t *testing.T) {
	h := newHarness(t, []config.Route{route("#a")})
	var changes []radar.FindingChange
	for _, f := range []radar.Finding{
		finding(radar.KindBlocker, "PAY-1", radar.SeverityCritical),
		finding(radar.KindOverdue, "PAY-2", radar.SeverityWarning),
	} {
		changes = append(changes, change(f, radar.TransitionNew, ""))
	}
	// The route has run before, so these are individual messages.
	h.mustRun()
	before := len(h.slack.Messages())

	var wg sync.WaitGroup
	for p := 0; p < 2; p++ {
		st, err := store.Open(context.Background(), h.dbPath) // another process's handle
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		a, err := alerts.New(alerts.NewSettings(h.cfg), st, alerts.WithPacing(0), alerts.WithLogger(slog.New(slog.DiscardHandler)),
			alerts.WithClock(func() time.Time { return h.now }),
			alerts.WithHTTPClient(&http.Client{Transport: slowTransport{http.DefaultTransport, 50 * time.Millisecond}}),
			alerts.WithBackoff(time.Millisecond, 4*time.Millisecond, 6))
		if err != nil {
			t.Fatal(err)
		}
		// Each process records its own run a second apart, as two
		// analyses of the same data would.
		at := h.now.Add(time.Duration(p) * time.Second)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := a.Deliver(context.Background(), reportOf(at, changes), changes); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	got := h.slack.Messages()[before:]
	if len(got) != len(changes) {
		t.Errorf("%d messages for %d new findings delivered by two processes", len(got), len(changes))
	}
	assertNoDuplicates(t, got)
}

// slowTransport delays every request, widening any race between processes.
type slowTransport struct {
	rt    http.RoundTripper
	delay time.Duration
}

func (s slowTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	time.Sleep(s.delay)
	return s.rt.RoundTrip(r)
}
