package alerts_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/alerts"
	"github.com/radarhq/radar/config"
	"github.com/radarhq/radar/slacksim"
	"github.com/radarhq/radar/store"
)

// The in-flight window: Slack has taken a message and its answer never
// reaches radar (a kill, a cut connection, a timeout). The outbox marked the
// send in flight before it went out, and the message carries its outbox key
// in its metadata, so radar looks for it in Slack before posting it again.

// loseAnswer lets Slack take chat.postMessage requests and loses the next
// lost answers on their way back, as a cut connection would; after each it
// calls after (say, to cancel the flush, as a shutdown would).
// With unsent set, the lost requests never reach Slack at all.
type loseAnswer struct {
	next   http.RoundTripper
	mu     sync.Mutex
	skip   int // answers let through before the lost ones
	lost   int
	unsent bool
	after  func()
}

func (l *loseAnswer) RoundTrip(req *http.Request) (*http.Response, error) {
	if !strings.HasSuffix(req.URL.Path, "/chat.postMessage") {
		return l.next.RoundTrip(req)
	}
	l.mu.Lock()
	lose := l.skip == 0 && l.lost > 0
	if lose {
		l.lost--
	} else if l.skip > 0 {
		l.skip--
	}
	l.mu.Unlock()
	if lose && l.unsent {
		return nil, errors.New("dial tcp 127.0.0.1:2: connect: connection refused")
	}
	resp, err := l.next.RoundTrip(req)
	if err != nil || !lose {
		return resp, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if l.after != nil {
		l.after()
	}
	return nil, errors.New("read tcp 127.0.0.1:1->127.0.0.1:2: read: connection reset by peer")
}

// lockedClock is a clock the fake Slack reads from its own goroutines.
type lockedClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *lockedClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *lockedClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// inFlightHarness is a harness whose alerter and fake Slack share a clock,
// as radar's and Slack's clocks roughly agree: the alerter searches
// Slack's history from its own clock's time.
type inFlightHarness struct {
	*harness
	clock *lockedClock
}

// newInFlightHarness starts it with channel #a in the workspace.
func newInFlightHarness(t *testing.T, routes []config.Route) *inFlightHarness {
	t.Helper()
	h := &inFlightHarness{harness: newHarness(t, routes)}
	h.clock = &lockedClock{t: h.now}
	h.slack = slacksim.New(slacksim.Options{Token: testToken, Now: h.clock.now})
	h.slack.AddChannel("#a")
	h.srv = httptest.NewServer(h.slack)
	t.Cleanup(h.srv.Close)
	h.cfg.APIURL = h.srv.URL + "/api/"
	h.restartWith()
	return h
}

// restartWith restarts the alerter on the shared clock, as a new process,
// a minute later, with opts.
func (h *inFlightHarness) restartWith(opts ...alerts.Option) {
	h.clock.advance(time.Minute)
	h.opts = append([]alerts.Option{alerts.WithClock(h.clock.now)}, opts...)
	h.restart()
}

// withLostAnswers restarts h's alerter with a transport that loses the
// next n chat.postMessage answers, calling after each.
func (h *inFlightHarness) withLostAnswers(n int, after func()) {
	h.restartWith(alerts.WithHTTPClient(&http.Client{Transport: &loseAnswer{
		next: &http.Transport{DisableKeepAlives: true}, lost: n, after: after}}))
}

// planThenLoseFirstAnswer plans changes, then flushes with Slack taking the
// first message and its answer lost, the flush stopping there as a kill in
// that moment would leave it.
func (h *inFlightHarness) planThenLoseFirstAnswer(t *testing.T, changes []radar.FindingChange) {
	t.Helper()
	if err := h.a.Plan(context.Background(), reportOf(h.now, changes), changes); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h.withLostAnswers(1, cancel)
	if err := h.a.Flush(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("flush with the first answer lost = %v, want context.Canceled", err)
	}
}

// rowsByKey returns the outbox rows by key.
func rowsByKey(t *testing.T, st *store.Store) map[string]store.OutboxMessage {
	t.Helper()
	rows, err := st.OutboxMessages(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]store.OutboxMessage{}
	for _, r := range rows {
		out[r.Key] = r
	}
	return out
}

// keyOf returns the outbox key a fake Slack message carries.
func keyOf(m slacksim.Message) string {
	if m.Metadata == nil || m.Metadata.EventType != "radar_notification" {
		return ""
	}
	k, _ := m.Metadata.EventPayload["key"].(string)
	return k
}

// checkEachKeyOnce fails unless every sent row is in Slack exactly once,
// with the ts the row records, and Slack holds nothing else.
func checkEachKeyOnce(t *testing.T, h *harness) {
	t.Helper()
	byKey := map[string][]slacksim.Message{}
	for _, m := range h.slack.Messages() {
		byKey[keyOf(m)] = append(byKey[keyOf(m)], m)
	}
	rows := rowsByKey(t, h.st)
	for key, ms := range byKey {
		row, ok := rows[key]
		switch {
		case !ok:
			t.Errorf("Slack holds %d messages with key %q, which no outbox row has", len(ms), key)
		case len(ms) != 1:
			t.Errorf("key %q is in Slack %d times, want once", key, len(ms))
		case row.SentAt.IsZero() || row.TS != ms[0].TS:
			t.Errorf("row %q: sent at %v with ts %q, want sent with Slack's ts %q", key, row.SentAt, row.TS, ms[0].TS)
		case !row.InFlightAt.IsZero():
			t.Errorf("row %q is sent and still marked in flight since %v", key, row.InFlightAt)
		}
	}
	for key, row := range rows {
		if row.Op != store.OpUpdate && len(byKey[key]) == 0 {
			t.Errorf("row %q (%s) is not in Slack", key, row.Op)
		}
	}
}

func TestAnswerLostThenRestartSendsOnce(t *testing.T) {
	h := newInFlightHarness(t, []config.Route{route("#a")})
	h.mustRun()
	h.planThenLoseFirstAnswer(t, newFindings(3))
	if got := len(h.messages("")); got != 1 {
		t.Fatalf("Slack holds %d messages after the lost answer, want 1", got)
	}
	key := keyOf(h.messages("")[0])
	row := rowsByKey(t, h.st)[key]
	if at := h.clock.now(); !row.SentAt.IsZero() || !row.InFlightAt.Equal(at) {
		t.Fatalf("row %q: sent at %v, in flight since %v; want pending, in flight since %v", key, row.SentAt, row.InFlightAt, at)
	}

	// The next process resumes the outbox: it finds the message in the
	// channel's history and posts only the others.
	h.restartWith()
	if err := h.a.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := len(h.messages("")); got != 3 {
		t.Errorf("messages = %d, want 3", got)
	}
	checkEachKeyOnce(t, h.harness)
	if got := h.slack.Requests()["conversations.history"]; got != 1 {
		t.Errorf("conversations.history calls = %d, want 1 (only the message in flight is looked for)", got)
	}
	if h.pending() != 0 {
		t.Errorf("pending = %d, want 0", h.pending())
	}
}

func TestAnswerLostIsFoundInTheSameFlush(t *testing.T) {
	h := newInFlightHarness(t, []config.Route{route("#a")})
	h.mustRun()
	h.withLostAnswers(2, nil)
	h.mustRun(newFindings(2)...)
	if got := len(h.messages("")); got != 2 {
		t.Errorf("messages = %d, want 2", got)
	}
	checkEachKeyOnce(t, h.harness)
	if got := h.slack.Requests()["chat.postMessage"]; got != 2 {
		t.Errorf("chat.postMessage calls = %d, want 2: a message whose answer was lost is looked for, not posted again", got)
	}
	if got := h.metrics.get("sent"); got != 2 {
		t.Errorf("sent metric = %d, want 2", got)
	}
}

func TestThreadReplyAnswerLostIsFoundInTheThread(t *testing.T) {
	h := newInFlightHarness(t, []config.Route{route("#a")})
	h.mustRun()
	f := finding(radar.KindBlocker, "PAY-1", radar.SeverityWarning)
	h.mustRun(change(f, radar.TransitionNew, ""))
	crit := f
	crit.Severity = radar.SeverityCritical
	esc := change(crit, radar.TransitionEscalated, radar.SeverityWarning)
	h.planThenLoseFirstAnswer(t, []radar.FindingChange{esc})
	h.restartWith()
	if err := h.a.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	parents, replies := split(h.messages(""))
	if len(parents) != 1 || len(replies[parents[0].TS]) != 1 {
		t.Fatalf("parents = %d, replies in its thread = %d; want 1 and 1", len(parents), len(replies[parents[0].TS]))
	}
	if got := len(parents[0].Updates); got != 1 {
		t.Errorf("parent edits = %d, want 1", got)
	}
	checkEachKeyOnce(t, h.harness)
	if got := h.slack.Requests()["conversations.replies"]; got != 1 {
		t.Errorf("conversations.replies calls = %d, want 1", got)
	}
	if got := h.slack.Requests()["conversations.history"]; got != 0 {
		t.Errorf("conversations.history calls = %d, want 0: a reply is looked for in its thread", got)
	}
}

func TestCannotReadChannelPostsAgainAndWarns(t *testing.T) {
	tests := []struct {
		name, method, code, hint string
	}{
		{"no channels:history scope", "conversations.history", "missing_scope", "channels:history"},
		{"no channels:read scope to find the channel", "users.conversations", "missing_scope", "channels:read"},
		{"not a member", "conversations.history", "not_in_channel", "/invite"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newInFlightHarness(t, []config.Route{route("#a")})
			h.mustRun()
			h.planThenLoseFirstAnswer(t, newFindings(2))
			h.slack.SetMethodError(tt.method, tt.code)
			h.restartWith()
			if err := h.a.Flush(context.Background()); err != nil {
				t.Fatal(err)
			}
			ms := h.messages("")
			if len(ms) != 3 || keyOf(ms[0]) != keyOf(ms[1]) {
				t.Fatalf("messages = %d (keys %q), want 3: the one in flight posted again (at-least-once)", len(ms), keysOf(ms))
			}
			if h.pending() != 0 {
				t.Errorf("pending = %d, want 0", h.pending())
			}
			logs := h.logs.String()
			var warns []string
			for _, l := range strings.Split(logs, "\n") {
				if strings.Contains(l, "level=WARN") && strings.Contains(l, "cannot look in Slack") {
					warns = append(warns, l)
				}
			}
			if len(warns) != 1 || !strings.Contains(warns[0], "code="+tt.code) || !strings.Contains(warns[0], tt.hint) {
				t.Errorf("warnings = %q, want one naming %s and %q", warns, tt.code, tt.hint)
			}
			if strings.Contains(logs, testToken) {
				t.Error("the token is in the logs")
			}
		})
	}
}

func keysOf(ms []slacksim.Message) []string {
	var out []string
	for _, m := range ms {
		out = append(out, keyOf(m))
	}
	return out
}

// Slack's own error answer says nothing was posted: the in-flight mark is
// cleared and the next send does not look first.
func TestErrorAnswerClearsInFlight(t *testing.T) {
	h := newInFlightHarness(t, []config.Route{route("#a")})
	h.mustRun()
	h.slack.SetChannelError("#a", "not_in_channel")
	if err := h.run(newFindings(1)...); err == nil {
		t.Fatal("deliver to a channel the app is not in succeeded")
	}
	for key, row := range rowsByKey(t, h.st) {
		if !row.InFlightAt.IsZero() {
			t.Errorf("row %q: in flight since %v after Slack answered not_in_channel, want cleared", key, row.InFlightAt)
		}
	}
	h.slack.SetChannelError("#a", "")
	if err := h.a.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	checkEachKeyOnce(t, h.harness)
	if got := h.slack.Requests()["conversations.history"]; got != 0 {
		t.Errorf("conversations.history calls = %d, want 0", got)
	}
}

// A request that failed before Slack saw it looks the same to radar: the
// message is looked for, not found, and posted once.
func TestDroppedBeforeSlackPostsOnce(t *testing.T) {
	h := newInFlightHarness(t, []config.Route{route("#a")})
	h.mustRun()
	h.restartWith(alerts.WithHTTPClient(&http.Client{Transport: &loseAnswer{
		next: &http.Transport{DisableKeepAlives: true}, lost: 1, unsent: true}}))
	h.mustRun(newFindings(1)...)
	if got := len(h.messages("")); got != 1 {
		t.Errorf("messages = %d, want 1", got)
	}
	checkEachKeyOnce(t, h.harness)
	if got := h.slack.Requests()["conversations.history"]; got != 1 {
		t.Errorf("conversations.history calls = %d, want 1", got)
	}
}
