package alerts_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/alerts"
	"github.com/radarhq/radar/config"
	"github.com/radarhq/radar/slacksim"
)

// warnings returns the WARN log lines that contain substr.
func warnings(logs, substr string) []string {
	var out []string
	for _, l := range strings.Split(logs, "\n") {
		if strings.Contains(l, "level=WARN") && strings.Contains(l, substr) {
			out = append(out, l)
		}
	}
	return out
}

// countKeys counts Slack's messages by outbox key.
func countKeys(ms []slacksim.Message) map[string]int {
	n := map[string]int{}
	for _, m := range ms {
		n[keyOf(m)]++
	}
	return n
}

// A lookup that keeps failing with a code Radar has no special answer for
// must not freeze anything: the other channels, and the other findings in
// the message's own channel, keep flowing; only the message waits; and
// after maxLookFails flushes (or an hour in flight) it is posted again,
// once, with a warning that it may show twice.
func TestFailedLookupHoldsOnlyItsMessageThenGivesUp(t *testing.T) {
	tests := []struct {
		name    string
		code    string
		advance time.Duration // clock moved on after the first flush
		flushes int           // the flush that posts it again
	}{
		{"transient internal_error", "internal_error", 0, 5},
		{"permanent invalid_arguments", "invalid_arguments", 0, 5},
		{"auth-like ekm_access_denied", "ekm_access_denied", 0, 5},
		{"in flight for over an hour", "invalid_arguments", time.Hour, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newInFlightHarness(t, []config.Route{route("#a"), route("#b")})
			h.slack.AddChannel("#b")
			h.mustRun()
			h.planThenLoseFirstAnswer(t, newFindings(2))
			if got := len(h.messages("")); got != 1 {
				t.Fatalf("Slack holds %d messages after the lost answer, want 1", got)
			}
			lost := keyOf(h.messages("")[0])

			h.slack.SetMethodError("conversations.history", tt.code)
			h.restartWith()
			posted := 0
			for i := 1; i <= 10 && posted == 0; i++ {
				err := h.a.Flush(context.Background())
				if h.pending() == 0 {
					posted = i
					break
				}
				if err == nil {
					t.Fatalf("flush %d returned nil with a message pending", i)
				}
				if i == 1 {
					if got := len(h.messages("")); got != 4 {
						t.Errorf("Slack holds %d messages after the first flush, want 4: the lost one and every other", got)
					}
					if got := h.pending(); got != 1 {
						t.Errorf("pending = %d after the first flush, want 1: only the message looked for", got)
					}
					for _, want := range []string{"conversations.history", "channels:history"} {
						if !strings.Contains(err.Error(), want) {
							t.Errorf("flush error %q does not name %s", err, want)
						}
					}
					h.clock.advance(tt.advance)
				}
			}
			if posted != tt.flushes {
				t.Errorf("posted again on flush %d, want flush %d", posted, tt.flushes)
			}
			for key, n := range countKeys(h.messages("")) {
				want := 1
				if key == lost {
					want = 2 // at-least-once: the lost answer's message, and the one posted after the give-up
				}
				if n != want {
					t.Errorf("key %q is in Slack %d times, want %d", key, n, want)
				}
			}
			if w := warnings(h.logs.String(), "may show twice"); len(w) != 1 || !strings.Contains(w[0], lost) {
				t.Errorf("warnings that it may show twice = %q, want one naming %s", w, lost)
			}
			if strings.Contains(h.logs.String(), testToken) {
				t.Error("the token is in the logs")
			}
		})
	}
}

// After an unanswered send, Slack may still be working on the post, or its
// history may lag: the message is left alone (its thread's follow-ups
// waiting behind it, the rest flowing) until the settle delay has passed,
// then looked for, found, and not posted again.
func TestUnansweredSendSettlesBeforeItIsLookedFor(t *testing.T) {
	h := newInFlightHarness(t, []config.Route{route("#a")})
	h.mustRun()
	h.restartWith(alerts.WithSettleDelay(30*time.Second), alerts.WithHTTPClient(&http.Client{Transport: &loseAnswer{
		next: &http.Transport{DisableKeepAlives: true}, lost: 1}}))
	f1 := finding(radar.KindBlocker, "PAY-1", radar.SeverityWarning)
	f2 := finding(radar.KindBlocker, "PAY-2", radar.SeverityWarning)
	news := []radar.FindingChange{change(f1, radar.TransitionNew, ""), change(f2, radar.TransitionNew, "")}
	if err := h.a.Plan(context.Background(), reportOf(h.now, news), news); err != nil {
		t.Fatal(err)
	}
	err := h.a.Flush(context.Background())
	if err == nil || !strings.Contains(err.Error(), "looked for in Slack after") {
		t.Errorf("flush with an unanswered send = %v, want it to say the message is looked for later", err)
	}
	if got := len(h.messages("")); got != 2 {
		t.Errorf("Slack holds %d messages, want 2: the unanswered one and the other finding's", got)
	}

	// The escalation's reply and edit wait behind their unsent parent.
	crit := f1
	crit.Severity = radar.SeverityCritical
	esc := []radar.FindingChange{change(crit, radar.TransitionEscalated, radar.SeverityWarning)}
	if err := h.a.Plan(context.Background(), reportOf(h.now, append(esc, news[1])), esc); err != nil {
		t.Fatal(err)
	}
	h.clock.advance(29 * time.Second)
	if err := h.a.Flush(context.Background()); err == nil {
		t.Error("flush inside the settle delay succeeded, want the message still pending")
	}
	if got, want := h.slack.Requests()["conversations.history"], 0; got != want {
		t.Errorf("conversations.history calls inside the settle delay = %d, want %d", got, want)
	}
	if got, want := h.slack.Requests()["chat.postMessage"], 2; got != want {
		t.Errorf("chat.postMessage calls inside the settle delay = %d, want %d", got, want)
	}
	if got, want := h.pending(), 3; got != want {
		t.Errorf("pending = %d, want %d: the unanswered parent, its reply and its edit", got, want)
	}

	h.clock.advance(2 * time.Second)
	if err := h.a.Flush(context.Background()); err != nil {
		t.Fatalf("flush after the settle delay: %v", err)
	}
	if got, want := h.slack.Requests()["conversations.history"], 1; got != want {
		t.Errorf("conversations.history calls = %d, want %d", got, want)
	}
	if got, want := h.slack.Requests()["chat.postMessage"], 3; got != want {
		t.Errorf("chat.postMessage calls = %d, want %d: the parent found, only the reply posted", got, want)
	}
	checkEachKeyOnce(t, h.harness)
	if h.pending() != 0 {
		t.Errorf("pending = %d, want 0", h.pending())
	}
}

// endlessHistory records the window of each conversations.history request
// and makes every answer say more pages follow, as a channel busier than a
// search reads would.
type endlessHistory struct {
	next    http.RoundTripper
	mu      sync.Mutex
	windows []url.Values
}

func (e *endlessHistory) RoundTrip(req *http.Request) (*http.Response, error) {
	if !strings.HasSuffix(req.URL.Path, "/conversations.history") {
		return e.next.RoundTrip(req)
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	form, _ := url.ParseQuery(string(body))
	e.mu.Lock()
	e.windows = append(e.windows, form)
	e.mu.Unlock()
	resp, err := e.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var doc map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		return nil, err
	}
	doc["has_more"] = true
	doc["response_metadata"] = map[string]any{"next_cursor": base64.StdEncoding.EncodeToString([]byte("offset:0"))}
	b, _ := json.Marshal(doc)
	resp.Body = io.NopCloser(bytes.NewReader(b))
	resp.ContentLength = int64(len(b))
	resp.Header.Del("Content-Length")
	return resp, nil
}

// The search is bounded on both sides of the unanswered send, and one that
// reads its last page without reaching the window's start says so (the
// message may be further back) before posting again. Here the send never
// reached Slack, so it shows once.
func TestSearchWindowAndExhaustedSearch(t *testing.T) {
	h := newInFlightHarness(t, []config.Route{route("#a")})
	h.mustRun()
	hist := &endlessHistory{next: &http.Transport{DisableKeepAlives: true}}
	h.restartWith(alerts.WithSettleDelay(30*time.Second), alerts.WithHTTPClient(&http.Client{Transport: &loseAnswer{next: hist, lost: 1, unsent: true}}))
	sentAt := h.clock.now()
	if err := h.run(newFindings(1)...); err == nil {
		t.Fatal("deliver with the answer lost succeeded, want the message pending")
	}
	h.clock.advance(time.Minute)
	if err := h.a.Flush(context.Background()); err != nil {
		t.Fatalf("flush after the settle delay: %v", err)
	}
	hist.mu.Lock()
	windows := hist.windows
	hist.mu.Unlock()
	if got, want := len(windows), 50; got != want {
		t.Fatalf("conversations.history calls = %d, want %d", got, want)
	}
	ts := func(t time.Time) string { return t.Format("2006-01-02T15:04:05") }
	parse := func(v string) string {
		sec, _, _ := strings.Cut(v, ".")
		var n int64
		for _, c := range sec {
			n = n*10 + int64(c-'0')
		}
		return ts(time.Unix(n, 0).UTC())
	}
	if got, want := parse(windows[0].Get("oldest")), ts(sentAt.Add(-15*time.Minute)); got != want {
		t.Errorf("oldest = %s, want %s: 15 minutes before the send", got, want)
	}
	if got, want := parse(windows[0].Get("latest")), ts(sentAt.Add(15*time.Minute)); got != want {
		t.Errorf("latest = %s, want %s: 15 minutes after the last unanswered send", got, want)
	}
	if w := warnings(h.logs.String(), "without reaching the time it was sent"); len(w) != 1 {
		t.Errorf("warnings about the search running out = %q, want 1", w)
	}
	if got := len(h.messages("")); got != 1 {
		t.Errorf("Slack holds %d messages, want 1: not found in the pages read, posted again", got)
	}
	if h.pending() != 0 {
		t.Errorf("pending = %d, want 0", h.pending())
	}
}

// A reply whose thread's parent was deleted goes to the channel instead; if
// that send is cut off, the rerun must look for it in the channel, not in
// the thread that is gone, and must not post it again.
func TestReplyToDeletedParentCutOffIsFoundInTheChannel(t *testing.T) {
	h := newInFlightHarness(t, []config.Route{route("#a")})
	h.mustRun()
	f := finding(radar.KindBlocker, "PAY-1", radar.SeverityWarning)
	h.mustRun(change(f, radar.TransitionNew, ""))
	parents, _ := split(h.messages(""))
	if len(parents) != 1 || !h.slack.DeleteMessage("#a", parents[0].TS) {
		t.Fatalf("parents = %d, want 1 to delete", len(parents))
	}
	crit := f
	crit.Severity = radar.SeverityCritical
	esc := []radar.FindingChange{change(crit, radar.TransitionEscalated, radar.SeverityWarning)}
	if err := h.a.Plan(context.Background(), reportOf(h.now, esc), esc); err != nil {
		t.Fatal(err)
	}
	// The reply in the thread answers thread_not_found; its post to the
	// channel instead is taken and its answer lost.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h.restartWith(alerts.WithHTTPClient(&http.Client{Transport: &loseAnswer{
		next: &http.Transport{DisableKeepAlives: true}, skip: 1, lost: 1, after: cancel}}))
	if err := h.a.Flush(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("flush with the reply's answer lost = %v, want context.Canceled", err)
	}
	if got := len(h.messages("")); got != 1 {
		t.Fatalf("Slack holds %d messages, want the reply in the channel", got)
	}
	reply := keyOf(h.messages("")[0])

	h.restartWith()
	if err := h.a.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := countKeys(h.messages(""))[reply]; got != 1 {
		t.Errorf("the reply is in Slack %d times, want once", got)
	}
	if row := rowsByKey(t, h.st)[reply]; row.SentAt.IsZero() || row.TS != h.messages("")[0].TS {
		t.Errorf("reply row: sent at %v with ts %q, want sent with the channel message's ts %q", row.SentAt, row.TS, h.messages("")[0].TS)
	}
	if got := h.slack.Requests()["conversations.history"]; got != 1 {
		t.Errorf("conversations.history calls = %d, want 1: the reply is looked for in the channel", got)
	}
	if h.pending() != 0 {
		t.Errorf("pending = %d, want 0", h.pending())
	}
}
