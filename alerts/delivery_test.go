package alerts_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/alerts"
	"github.com/radarhq/radar/config"
	"github.com/radarhq/radar/slacksim"
)

// newFindings returns n new warning findings in project P.
func newFindings(n int) []radar.FindingChange {
	var cs []radar.FindingChange
	for i := 0; i < n; i++ {
		cs = append(cs, change(finding(radar.KindOverdue, fmt.Sprintf("P-%d", i+1), radar.SeverityWarning), radar.TransitionNew, ""))
	}
	return cs
}

func TestFaultsThenRecoveryDeliverOnce(t *testing.T) {
	tests := []struct {
		name   string
		inject func(s *slacksim.Server)
		result string // a metric the faults must have moved
	}{
		{"429 with Retry-After", func(s *slacksim.Server) { s.FailNext(3, slacksim.RateLimited, 2) }, "retried"},
		{"500s", func(s *slacksim.Server) { s.FailNext(4, slacksim.ServerError, 0) }, "retried"},
		{"dropped connections", func(s *slacksim.Server) { s.FailNext(4, slacksim.Drop, 0) }, "retried"},
		{"a mix, longer than one flush's retries", func(s *slacksim.Server) {
			s.FailNext(2, slacksim.RateLimited, 1)
			s.FailNext(6, slacksim.ServerError, 0)
			s.FailNext(3, slacksim.Drop, 0)
		}, "failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, []config.Route{route("#a"), route("#b", func(r *config.Route) { r.Audience = "exec" })})
			h.mustRun()
			synctest.Test(t, func(t *testing.T) {
				// The clock is the bubble's fake clock: waits cost no real time.
				h.opts = []alerts.Option{alerts.WithClock(time.Now), alerts.WithPacing(time.Second), alerts.WithBackoff(time.Second, 8*time.Second, 6)}
				h.restart()
				tt.inject(h.slack)
				changes := newFindings(4)
				for i := 0; i < 5 && (i == 0 || h.pending() > 0); i++ {
					// Later runs find nothing new; they only flush what is pending.
					_ = h.a.Deliver(context.Background(), radar.Report{GeneratedAt: h.now}, changes)
				}
			})
			if n := h.pending(); n != 0 {
				t.Fatalf("pending after recovery = %d, want 0", n)
			}
			for _, ch := range []string{"#a", "#b"} {
				if got := len(h.messages(ch)); got != 4 {
					t.Errorf("%s got %d messages, want 4", ch, got)
				}
			}
			assertNoDuplicates(t, h.messages(""))
			if h.metrics.get(tt.result) == 0 {
				t.Errorf("metric %q = 0, want the faults counted", tt.result)
			}
		})
	}
}

func TestRateLimitWaitsRetryAfter(t *testing.T) {
	h := newHarness(t, []config.Route{route("#a")})
	h.mustRun()
	synctest.Test(t, func(t *testing.T) {
		h.opts = []alerts.Option{alerts.WithClock(time.Now)}
		h.restart()
		h.slack.FailNext(1, slacksim.RateLimited, 30)
		start := time.Now()
		c := newFindings(1)
		c[0].Finding.Evidence = nil // no owner to look up: the 429 hits chat.postMessage
		if err := h.a.Deliver(context.Background(), radar.Report{GeneratedAt: start}, c); err != nil {
			t.Fatal(err)
		}
		if waited := time.Since(start); waited < 30*time.Second {
			t.Errorf("waited %v after a 429 with Retry-After: 30, want at least 30s", waited)
		}
	})
	if got := len(h.messages("")); got != 1 {
		t.Errorf("messages = %d, want 1", got)
	}
}

func TestPacingPerChannel(t *testing.T) {
	h := newHarness(t, []config.Route{route("#a"), route("#b")})
	h.mustRun()
	synctest.Test(t, func(t *testing.T) {
		h.opts = []alerts.Option{alerts.WithClock(time.Now), alerts.WithPacing(time.Second)}
		h.restart()
		start := time.Now()
		if err := h.a.Deliver(context.Background(), radar.Report{GeneratedAt: start}, newFindings(5)); err != nil {
			t.Fatal(err)
		}
		// Five messages in each of two channels, sent in order a1..a5 b1..b5:
		// each channel waits a second between its own messages only.
		if got, want := time.Since(start), 8*time.Second; got < want {
			t.Errorf("ten messages to two channels took %v of clock time, want at least %v", got, want)
		}
		if got, max := time.Since(start), 10*time.Second; got > max {
			t.Errorf("took %v, want at most %v: channels should not wait for each other", got, max)
		}
	})
	if got := len(h.messages("")); got != 10 {
		t.Errorf("messages = %d, want 10", got)
	}
}

func TestRestartMidwaySendsNothingTwice(t *testing.T) {
	h := newHarness(t, []config.Route{route("#a")})
	h.mustRun()
	f := finding(radar.KindBlocker, "PAY-1", radar.SeverityWarning)
	h.mustRun(change(f, radar.TransitionNew, ""))

	// Slack goes down for longer than a flush retries: the escalation's
	// reply and update, and six new findings, stay in the outbox.
	h.slack.SetOutage(slacksim.ServerError, 0)
	crit := f
	crit.Severity = radar.SeverityCritical
	changes := append(newFindings(6), change(crit, radar.TransitionEscalated, radar.SeverityWarning))
	report := radar.Report{GeneratedAt: h.now}
	if err := h.a.Deliver(context.Background(), report, changes); err == nil {
		t.Fatal("deliver while Slack is down succeeded, want an error")
	}
	if n := h.pending(); n != 8 {
		t.Fatalf("pending while Slack is down = %d, want 8", n)
	}

	// Restart: a new process on the same database. The caller redelivers
	// the same run (it does not know what got out) and Slack is back.
	h.st.Close()
	h.open()
	h.restart()
	h.slack.SetOutage(0, 0)
	if err := h.a.Deliver(context.Background(), report, changes); err != nil {
		t.Fatalf("deliver after restart: %v", err)
	}
	if err := h.a.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	ms := h.messages("")
	assertNoDuplicates(t, ms)
	parents, replies := split(ms)
	if len(parents) != 7 {
		t.Errorf("parents = %d, want 7 (1 blocker + 6 new)", len(parents))
	}
	if got := len(replies[parents[0].TS]); got != 1 {
		t.Errorf("replies to the blocker = %d, want 1", got)
	}
	if got := len(parents[0].Updates); got != 1 {
		t.Errorf("updates of the blocker = %d, want 1", got)
	}
	if n := h.pending(); n != 0 {
		t.Errorf("pending = %d, want 0", n)
	}
}

func TestPermanentErrorsKeepPendingAndSayWhatToDo(t *testing.T) {
	h := newHarness(t, []config.Route{route("#gone"), route("#ok")})
	h.mustRun()
	h.slack.SetChannelError("#gone", "channel_not_found")
	err := h.run(newFindings(2)...)
	var pe *alerts.PermanentError
	if !errors.As(err, &pe) || pe.Code != "channel_not_found" {
		t.Fatalf("deliver error = %v, want a PermanentError channel_not_found", err)
	}
	if !strings.Contains(err.Error(), "slack.routes[].channel") {
		t.Errorf("error %q does not say what to fix", err)
	}
	if got := len(h.messages("#ok")); got != 2 {
		t.Errorf("#ok got %d messages, want 2: one bad channel must not stop the others", got)
	}
	if n := h.pending(); n != 2 {
		t.Errorf("pending = %d, want 2 (kept, not dropped)", n)
	}
	if h.metrics.get("permanent_error") == 0 || h.metrics.pending != 2 {
		t.Errorf("metrics = %v pending %d, want permanent_error counted and 2 pending", h.metrics.results, h.metrics.pending)
	}
	if !strings.Contains(h.logs.String(), "channel_not_found") {
		t.Errorf("logs do not mention channel_not_found:\n%s", h.logs)
	}
	// Fixed (the app was invited): the next flush delivers them, in order.
	h.slack.SetChannelError("#gone", "")
	if err := h.a.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := len(h.messages("#gone")); got != 2 {
		t.Errorf("#gone got %d messages after the fix, want 2", got)
	}
}

func TestInvalidAuthStopsEverything(t *testing.T) {
	h := newHarness(t, []config.Route{route("#a"), route("#b")})
	h.mustRun()
	h.cfg.Token = "xoxb-wrong-token-value"
	h.restart()
	err := h.run(newFindings(1)...)
	if err == nil || !strings.Contains(err.Error(), "invalid_auth") || !strings.Contains(err.Error(), "slack.token") {
		t.Fatalf("error = %v, want invalid_auth with a hint naming slack.token", err)
	}
	if got := h.slack.Requests()["chat.postMessage"]; got != 1 {
		t.Errorf("chat.postMessage requests = %d, want 1: a bad token stops every channel", got)
	}
	if n := h.pending(); n != 2 {
		t.Errorf("pending = %d, want 2", n)
	}
	if strings.Contains(h.logs.String(), "xoxb-wrong") || strings.Contains(err.Error(), "xoxb-wrong") {
		t.Error("the token appears in logs or errors")
	}
}

func TestWebhookPostsOnly(t *testing.T) {
	h := newHarness(t, []config.Route{route("#alerts")})
	hook := h.srv.URL + slacksim.DefaultWebhookPath
	h.cfg.Token = ""
	h.cfg.WebhookURL = config.Secret(hook)
	h.restart()
	if !h.a.Webhook() {
		t.Fatal("alerter does not use the webhook")
	}
	h.mustRun()
	f := finding(radar.KindBlocker, "PAY-1", radar.SeverityWarning)
	h.mustRun(change(f, radar.TransitionNew, ""))
	f.Severity = radar.SeverityCritical
	h.mustRun(change(f, radar.TransitionEscalated, radar.SeverityWarning))
	ms := h.messages("")
	if len(ms) != 2 || !ms[0].Webhook || ms[1].ThreadTS != "" || len(ms[0].Updates) != 0 {
		t.Fatalf("webhook messages = %+v, want a post and a standalone follow-up, no edits", ms)
	}
	if h.pending() != 0 {
		t.Errorf("pending = %d, want 0 (updates are skipped on webhooks)", h.pending())
	}
	if n := h.slack.Requests()["users.lookupByEmail"]; n != 0 {
		t.Errorf("webhook alerter looked up %d users", n)
	}
	// A dropped connection's error quotes the URL: it must not reach logs.
	h.slack.FailNext(20, slacksim.Drop, 0)
	err := h.run(newFindings(1)...)
	if err == nil {
		t.Fatal("deliver with a dead webhook succeeded")
	}
	secretPart := strings.TrimPrefix(slacksim.DefaultWebhookPath, "/services/")
	if strings.Contains(err.Error(), secretPart) || strings.Contains(h.logs.String(), secretPart) {
		t.Errorf("webhook URL leaked:\nerr: %v\nlogs:\n%s", err, h.logs)
	}
}

// TestSlackTestWebhookHint: a webhook that fails points at
// slack.webhook_url, not at slack.api_url, which webhooks never use.
func TestSlackTestWebhookHint(t *testing.T) {
	h := newHarness(t, []config.Route{route("#alerts")})
	h.cfg.Token = ""
	h.cfg.WebhookURL = config.Secret(h.srv.URL + "/services/T0/B0/revoked")
	h.restart()
	res := h.a.Test(context.Background())
	if len(res) != 1 || res[0].Err == nil {
		t.Fatalf("results = %+v, want one failure", res)
	}
	if strings.Contains(res[0].Hint, "api_url") || !strings.Contains(res[0].Hint, "slack.webhook_url") {
		t.Errorf("hint %q, want it to name slack.webhook_url and not slack.api_url", res[0].Hint)
	}
}

func TestMentionsLookedUpOnceAndCached(t *testing.T) {
	h := newHarness(t, []config.Route{route("#a")})
	h.slack.AddUser(slacksim.User{ID: "U0ADA", Name: "ada", Email: "ada@example.com"})
	h.mustRun()
	known := finding(radar.KindBlocker, "PAY-1", radar.SeverityWarning)
	unknown := finding(radar.KindBlocker, "PAY-2", radar.SeverityWarning)
	unknown.Evidence = radar.BlockerFacts{IssueFacts: radar.IssueFacts{Assignee: "Bob <script>", AssigneeEmail: "bob@example.com"}}
	h.mustRun(change(known, radar.TransitionNew, ""), change(unknown, radar.TransitionNew, ""))
	ms := h.messages("")
	if len(ms) != 2 {
		t.Fatalf("messages = %d, want 2", len(ms))
	}
	if !strings.Contains(blockText(ms[0]), "<@U0ADA>") {
		t.Errorf("PAY-1 message does not mention <@U0ADA>: %s", ms[0].Blocks)
	}
	if !strings.Contains(blockText(ms[1]), "Bob &lt;script&gt;") {
		t.Errorf("PAY-2 message does not fall back to the escaped name: %s", ms[1].Blocks)
	}
	// A new process: answers come from SQLite, not Slack.
	h.restart()
	var esc []radar.FindingChange
	for _, f := range []radar.Finding{known, unknown} {
		f.Severity = radar.SeverityCritical
		esc = append(esc, change(f, radar.TransitionEscalated, radar.SeverityWarning))
	}
	h.mustRun(esc...)
	if got := h.slack.Requests()["users.lookupByEmail"]; got != 2 {
		t.Errorf("users.lookupByEmail requests = %d, want 2 (one per email, then cached)", got)
	}
}

func TestCrashMidFlushResumesWithoutDuplicates(t *testing.T) {
	h := newHarness(t, []config.Route{route("#a")})
	h.mustRun()
	synctest.Test(t, func(t *testing.T) {
		h.opts = []alerts.Option{alerts.WithClock(time.Now), alerts.WithPacing(time.Second)}
		h.restart()
		// The process dies 2.5s into a paced flush of eight messages.
		ctx, cancel := context.WithTimeout(context.Background(), 2500*time.Millisecond)
		defer cancel()
		err := h.a.Deliver(ctx, radar.Report{GeneratedAt: time.Now()}, newFindings(8))
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("deliver = %v, want the deadline", err)
		}
		if got := len(h.messages("")); got != 3 {
			t.Errorf("sent before the crash = %d, want 3 (t=0s, 1s, 2s)", got)
		}
		h.restart()
		if err := h.a.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
	ms := h.messages("")
	if len(ms) != 8 {
		t.Errorf("messages = %d, want 8", len(ms))
	}
	assertNoDuplicates(t, ms)
}

func TestSlackTestReportsEachRoute(t *testing.T) {
	h := newHarness(t, []config.Route{route("#ok"), route("#secret", func(r *config.Route) { r.Audience = "exec" })})
	h.slack.SetChannelError("#secret", "not_in_channel")
	res := h.a.Test(context.Background())
	if len(res) != 2 {
		t.Fatalf("results = %d, want 2", len(res))
	}
	if res[0].Err != nil || res[0].TS == "" || !strings.HasPrefix(res[0].ChannelID, "C") {
		t.Errorf("#ok result = %+v, want a ts and channel id", res[0])
	}
	if res[1].Err == nil || !strings.Contains(res[1].Err.Error(), "not_in_channel") || !strings.Contains(res[1].Hint, "/invite") {
		t.Errorf("#secret result = %+v, want not_in_channel with an /invite hint", res[1])
	}
	if h.pending() != 0 {
		t.Errorf("slack-test used the outbox: %d pending", h.pending())
	}
}

func TestSlackTestWarnsWhenItCannotReadBack(t *testing.T) {
	for _, tc := range []struct {
		name, method, code, want string
	}{
		{"can read", "", "", ""},
		{"no history scope", "conversations.history", "missing_scope", "channels:history"},
		{"no channel listing", "users.conversations", "missing_scope", "channels:read"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, []config.Route{route("#ok")})
			if tc.method != "" {
				h.slack.SetMethodError(tc.method, tc.code)
			}
			res := h.a.Test(context.Background())
			if len(res) != 1 || res[0].Err != nil {
				t.Fatalf("results = %+v, want one success", res)
			}
			got := res[0].Warning
			if tc.want == "" && got != "" || tc.want != "" && !strings.Contains(got, tc.want) {
				t.Errorf("warning = %q, want one naming %q", got, tc.want)
			}
		})
	}
}

func TestNewWithoutTransportSaysWhatToSet(t *testing.T) {
	s := alerts.Settings{Routes: []alerts.Route{{Channel: "#a", Audience: alerts.AudienceTeam, MinSeverity: radar.SeverityWarning}}}
	_, err := alerts.New(s, nil)
	if err == nil || !strings.Contains(err.Error(), "RADAR_SLACK_TOKEN") {
		t.Fatalf("error = %v, want it to name RADAR_SLACK_TOKEN", err)
	}
	if _, err := alerts.New(s, nil, alerts.WithoutTransport()); err != nil {
		t.Errorf("New for a dry run: %v", err)
	}
}

// A thread's follow-ups planned while its parent could not be sent go out in
// the parent's thread once it is sent, in the same flush.
func TestFollowUpsWaitBehindUnsentParent(t *testing.T) {
	h := newHarness(t, []config.Route{route("#a")})
	h.mustRun()
	h.slack.SetChannelError("#a", "not_in_channel")
	f := finding(radar.KindBlocker, "PAY-1", radar.SeverityWarning)
	if err := h.run(change(f, radar.TransitionNew, "")); err == nil {
		t.Fatal("deliver to a channel the app is not in succeeded")
	}
	res := change(f, radar.TransitionResolved, radar.SeverityWarning)
	res.ResolvedAt = h.now
	if err := h.run(res); err == nil {
		t.Fatal("deliver to a channel the app is not in succeeded")
	}
	if n := h.pending(); n != 3 {
		t.Fatalf("pending = %d, want 3 (parent, reply, update)", n)
	}
	h.slack.SetChannelError("#a", "") // the app was invited
	if err := h.a.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	parents, replies := split(h.messages(""))
	if len(parents) != 1 {
		var texts []string
		for _, m := range parents {
			texts = append(texts, m.Text)
		}
		t.Fatalf("top-level messages = %d, want 1 (the parent; the reply belongs in its thread): %q", len(parents), texts)
	}
	if got := len(replies[parents[0].TS]); got != 1 {
		t.Errorf("replies in the parent's thread = %d, want 1", got)
	}
	if got := len(parents[0].Updates); got != 1 || !strings.Contains(parents[0].CurrentText, "Resolved") {
		t.Errorf("parent has %d updates, text %q; want 1 update saying Resolved", got, parents[0].CurrentText)
	}
	if got := h.slack.Requests()["chat.update"]; got != 1 {
		t.Errorf("chat.update requests = %d, want 1", got)
	}
	if n := h.pending(); n != 0 {
		t.Errorf("pending = %d, want 0", n)
	}
}

// cancelAfterAnswer is the client's view of the network when a shutdown
// lands while Slack is answering: after Slack has accepted the first
// chat.postMessage it cancels the flush, and a request whose context is
// cancelled by then is lost to the client, as a real aborted request is.
type cancelAfterAnswer struct {
	next   http.RoundTripper
	once   sync.Once
	cancel context.CancelFunc
}

func (c *cancelAfterAnswer) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(req)
	if err != nil || !strings.HasSuffix(req.URL.Path, "/chat.postMessage") {
		return resp, err
	}
	c.once.Do(c.cancel)
	if err := req.Context().Err(); err != nil {
		resp.Body.Close()
		return nil, err
	}
	return resp, nil
}

func TestShutdownDuringSendSendsNothingTwice(t *testing.T) {
	h := newHarness(t, []config.Route{route("#a")})
	h.mustRun()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h.opts = []alerts.Option{alerts.WithHTTPClient(&http.Client{Transport: &cancelAfterAnswer{
		next: &http.Transport{DisableKeepAlives: true}, cancel: cancel}})}
	h.restart()
	changes := newFindings(3)
	if err := h.a.Plan(context.Background(), reportOf(h.now, changes), changes); err != nil {
		t.Fatal(err)
	}
	if err := h.a.Flush(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("flush during shutdown = %v, want context.Canceled", err)
	}
	if got := len(h.messages("")); got != 1 {
		t.Errorf("sent before stopping = %d, want 1 (stop between messages, not after the first)", got)
	}
	// The next process resumes the outbox.
	h.opts = nil
	h.restart()
	if err := h.a.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	ms := h.messages("")
	if len(ms) != 3 {
		t.Errorf("messages = %d, want 3", len(ms))
	}
	assertNoDuplicates(t, ms)
}

// A message Slack refuses for itself (not for its channel) waits alone,
// retried once per flush; the channel's other messages go on, and only its
// own thread's follow-ups wait behind it.
func TestUnsendableMessageDoesNotBlockItsChannel(t *testing.T) {
	h := newHarness(t, []config.Route{route("#a")})
	h.mustRun()
	// P-1's own message (the only text linking P-1 after a colon) is refused.
	h.slack.SetMessageError("browse/P-1|P-1>:", "msg_too_long")
	p1 := finding(radar.KindOverdue, "P-1", radar.SeverityWarning)
	p2 := finding(radar.KindOverdue, "P-2", radar.SeverityWarning)
	p3 := finding(radar.KindOverdue, "P-3", radar.SeverityWarning)
	posts := func() int { return h.slack.Requests()["chat.postMessage"] }

	err := h.run(change(p1, radar.TransitionNew, ""), change(p2, radar.TransitionNew, ""))
	var pe *alerts.PermanentError
	if !errors.As(err, &pe) || pe.Code != "msg_too_long" {
		t.Fatalf("deliver = %v, want a PermanentError msg_too_long", err)
	}
	if got := len(h.messages("#a")); got != 1 {
		t.Errorf("#a got %d messages, want 1 (P-2): one bad message must not block the channel", got)
	}
	if h.metrics.get("permanent_error") != 1 {
		t.Errorf("permanent_error metric = %d, want 1", h.metrics.get("permanent_error"))
	}
	if !strings.Contains(h.logs.String(), "msg_too_long") || !strings.Contains(h.logs.String(), "report it") {
		t.Errorf("logs do not name msg_too_long and what to do:\n%s", h.logs)
	}

	// P-1 escalates and P-3 is new: P-3 goes out, P-1's follow-ups wait.
	before := posts()
	crit := p1
	crit.Severity = radar.SeverityCritical
	if err := h.run(change(crit, radar.TransitionEscalated, radar.SeverityWarning),
		change(p2, radar.TransitionUnchanged, p2.Severity), change(p3, radar.TransitionNew, "")); err == nil {
		t.Fatal("deliver with a refused message pending succeeded, want its error")
	}
	if got := posts() - before; got != 2 {
		t.Errorf("chat.postMessage requests in the second flush = %d, want 2 (P-1 once, P-3)", got)
	}
	parents, replies := split(h.messages(""))
	if len(parents) != 2 || len(replies) != 0 || h.slack.Requests()["chat.update"] != 0 {
		t.Errorf("#a has %d parents, %d threads, %d updates; want P-2 and P-3 only, P-1's follow-ups held",
			len(parents), len(replies), h.slack.Requests()["chat.update"])
	}
	before = posts()
	if err := h.a.Flush(context.Background()); err == nil {
		t.Fatal("flush with a refused message pending succeeded")
	}
	if got := posts() - before; got != 1 {
		t.Errorf("chat.postMessage requests in a flush with only the refused message = %d, want 1", got)
	}
	rows, err := h.st.OutboxMessages(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range rows {
		if m.Op == "parent" && m.FindingID == p1.ID && (m.Attempts != 3 || m.LastError != "msg_too_long" || !m.SentAt.IsZero()) {
			t.Errorf("P-1 row: %d attempts, last error %q, sent %v; want 3, msg_too_long, pending", m.Attempts, m.LastError, m.SentAt)
		}
	}
	if n := h.pending(); n != 3 {
		t.Errorf("pending = %d, want 3 (P-1's parent, reply, update)", n)
	}

	// Fixed: P-1's message goes out, then its thread follows.
	h.slack.SetMessageError("browse/P-1|P-1>:", "")
	if err := h.a.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	parents, replies = split(h.messages(""))
	if len(parents) != 3 {
		t.Fatalf("parents = %d, want 3", len(parents))
	}
	last := parents[2]
	if !strings.Contains(last.Text, "P-1") || len(replies[last.TS]) != 1 || len(last.Updates) != 1 {
		t.Errorf("P-1 = %q with %d replies and %d updates, want its message, one reply and one update",
			last.Text, len(replies[last.TS]), len(last.Updates))
	}
	if n := h.pending(); n != 0 {
		t.Errorf("pending = %d, want 0", n)
	}
}
