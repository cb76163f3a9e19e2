package alerts_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/alerts"
	"github.com/radarhq/radar/config"
	"github.com/radarhq/radar/slacksim"
)

// bubbleHarness is a harness for a synctest bubble: the fake Slack runs
// outside it, so its message ts come from the time the alerter last read
// its clock (the bubble's), as Slack's and Radar's clocks roughly agree.
// Build the alerter inside the bubble with clock.
func bubbleHarness(t *testing.T, routes []config.Route) (h *harness, clock func() time.Time) {
	t.Helper()
	h = newHarness(t, routes)
	var at atomic.Int64
	h.slack = slacksim.New(slacksim.Options{Token: testToken, Now: func() time.Time { return time.Unix(0, at.Load()).UTC() }})
	h.slack.AddChannel("#a")
	h.srv = httptest.NewServer(h.slack)
	t.Cleanup(h.srv.Close)
	h.cfg.APIURL = h.srv.URL + "/api/"
	clock = func() time.Time {
		n := time.Now()
		at.Store(n.UnixNano())
		return n
	}
	return h, clock
}

// realTiming is the production settle delay and retry policy.
func realTiming(clock func() time.Time) []alerts.Option {
	return []alerts.Option{alerts.WithClock(clock), alerts.WithPacing(time.Second),
		alerts.WithBackoff(time.Second, time.Minute, 6), alerts.WithSettleDelay(30 * time.Second)}
}

// openFindings delivers runs whose report lists every finding opened so far.
type openFindings struct {
	h    *harness
	open []radar.Finding
}

func (o *openFindings) deliver(changes ...radar.FindingChange) error {
	for _, c := range changes {
		o.open = append(o.open, c.Finding)
	}
	return o.h.a.Deliver(context.Background(), radar.Report{GeneratedAt: time.Now(), Findings: o.open}, changes)
}

// unmentioned returns n new findings in project whose assignee has no
// email, so delivering them asks Slack for nothing but the posts.
func unmentioned(project string, n int) []radar.FindingChange {
	var cs []radar.FindingChange
	for i := 0; i < n; i++ {
		f := finding(radar.KindBlocker, fmt.Sprintf("%s-%d", project, i+1), radar.SeverityWarning)
		f.Evidence = radar.BlockerFacts{IssueFacts: radar.IssueFacts{Assignee: "Ada Lovelace"}}
		cs = append(cs, change(f, radar.TransitionNew, ""))
	}
	return cs
}

// In a long outage where Slack takes each post and answers 500 (so every
// send's outcome is unknown) and its history answers 500 too, a message
// whose send was cut off is looked for, and posted again at most once per
// lookup episode: once Slack has answered nothing since a give-up's repost
// went unanswered, it waits for Slack to answer rather than posting again
// on every flush. After recovery the lookups find what Slack has, and
// nothing is posted again.
func TestSteadyOutageShowsEachNotificationAtMostTwice(t *testing.T) {
	h, clock := bubbleHarness(t, []config.Route{route("#a")})
	var cutOff string
	var before, after map[string]int
	synctest.Test(t, func(t *testing.T) {
		h.opts = realTiming(clock)
		h.restart()
		o := &openFindings{h: h}
		if err := o.deliver(); err != nil {
			t.Fatal(err)
		}
		// The first post of the run is taken and answered 500; the second
		// is answered: Slack was up when the first went in flight.
		h.slack.FailNext(1, slacksim.AcceptThenFail, 0)
		if err := o.deliver(unmentioned("PAY", 2)...); err == nil {
			t.Fatal("deliver with an unanswered send succeeded")
		}
		if ms := h.messages(""); len(ms) != 2 {
			t.Fatalf("Slack holds %d messages, want 2", len(ms))
		}
		cutOff = keyOf(h.messages("")[0])
		h.slack.SetOutage(slacksim.AcceptThenFail, 0)
		for i := 0; i < 20; i++ { // five hours, a run every 15 minutes
			time.Sleep(15 * time.Minute)
			if i == 10 {
				h.restart()
			}
			if err := o.deliver(unmentioned(fmt.Sprintf("OPS%d", i), 1)...); err == nil {
				t.Fatalf("run %d: deliver in the outage succeeded", i)
			}
		}
		before = countKeys(h.messages(""))
		h.slack.SetOutage(0, 0)
		time.Sleep(15 * time.Minute)
		if err := h.a.Flush(context.Background()); err != nil {
			t.Errorf("flush after recovery: %v", err)
		}
		after = countKeys(h.messages(""))
		h.st.Close()
	})
	h.open()
	if n := h.pending(); n != 0 {
		t.Errorf("pending after recovery = %d, want 0", n)
	}
	rows := rowsByKey(t, h.st)
	for key, row := range rows {
		want := 1
		if key == cutOff {
			want = 2 // given up on once, an hour in, and posted again into the outage
		}
		if got := after[key]; got != want {
			t.Errorf("key %q is in Slack %d times, want %d", key, got, want)
		}
		if before[key] > 0 && after[key] != before[key] {
			t.Errorf("key %q: %d copies before recovery, %d after: posted again though a lookup could find it", key, before[key], after[key])
		}
		if row.SentAt.IsZero() || !row.InFlightAt.IsZero() {
			t.Errorf("row %q: sent at %v, in flight since %v; want sent, not in flight", key, row.SentAt, row.InFlightAt)
		}
	}
	if w := warnings(h.logs.String(), "may show twice"); len(w) != 1 || !strings.Contains(w[0], cutOff) {
		t.Errorf("warnings that a message may show twice = %d, want 1 naming %s:\n%s", len(w), cutOff, strings.Join(w, "\n"))
	}
}

// In an outage the lookups of messages in flight fail; the first one that
// fails after its retries holds its channel until the next flush, as an
// unanswered send does, so a flush takes no longer however many messages
// are in flight there.
func TestOutageFlushTimeDoesNotGrowWithMessagesInFlight(t *testing.T) {
	h, clock := bubbleHarness(t, []config.Route{route("#a")})
	var took []time.Duration
	var inFlight []int
	synctest.Test(t, func(t *testing.T) {
		h.opts = realTiming(clock)
		h.restart()
		o := &openFindings{h: h}
		if err := o.deliver(); err != nil {
			t.Fatal(err)
		}
		h.slack.SetOutage(slacksim.AcceptThenFail, 0)
		for i := 0; i < 8; i++ {
			start := time.Now()
			if err := o.deliver(unmentioned(fmt.Sprintf("OPS%d", i), 2)...); err == nil {
				t.Fatalf("run %d: deliver in the outage succeeded", i)
			}
			took = append(took, time.Since(start))
			n := 0
			for _, row := range rowsByKey(t, h.st) {
				if row.SentAt.IsZero() && !row.InFlightAt.IsZero() {
					n++
				}
			}
			inFlight = append(inFlight, n)
			time.Sleep(15*time.Minute - time.Since(start))
		}
		h.slack.SetOutage(0, 0)
		if err := h.a.Flush(context.Background()); err != nil {
			t.Errorf("flush after recovery: %v", err)
		}
		h.st.Close()
	})
	h.open()
	t.Logf("flush times %v with %v messages in flight", took, inFlight)
	// Run 0 only posts; run 1 is the first to look for messages in flight.
	for i := 2; i < len(took); i++ {
		if took[i] > took[1] {
			t.Errorf("run %d took %v with %d messages in flight, longer than run 1's %v with %d: flush time grows with the messages in flight",
				i, took[i], inFlight[i-1], took[1], inFlight[0])
		}
	}
	if n := h.pending(); n != 0 {
		t.Errorf("pending after recovery = %d, want 0", n)
	}
	checkEachKeyOnce(t, h)
}

// A store failure right after a message cut off mid-send was found in Slack
// is the store's error: it is not a failed lookup (so it never leads to a
// give-up and a second copy), nor a settle (so the flush never reports an
// unsent message as sent).
func TestStoreErrorAfterFindingIsReturned(t *testing.T) {
	for _, settle := range []time.Duration{30 * time.Second, 0} {
		t.Run(fmt.Sprint("settle ", settle), func(t *testing.T) {
			h := newInFlightHarness(t, []config.Route{route("#a")})
			h.mustRun()
			h.planThenLoseFirstAnswer(t, newFindings(1))
			h.restartWith(alerts.WithSettleDelay(settle))
			db, err := sql.Open("sqlite3", h.dbPath)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Exec(`CREATE TRIGGER refuse_sent BEFORE UPDATE OF sent_at ON slack_outbox
				WHEN NEW.sent_at IS NOT NULL BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END`); err != nil {
				t.Fatal(err)
			}
			for i := 1; i <= 6; i++ {
				err := h.a.Flush(context.Background())
				if err == nil || !strings.Contains(err.Error(), "disk I/O error") {
					t.Fatalf("flush %d = %v, want the store's error: the message found could not be recorded as sent", i, err)
				}
				h.clock.advance(time.Minute)
			}
			if _, err := db.Exec(`DROP TRIGGER refuse_sent`); err != nil {
				t.Fatal(err)
			}
			if err := h.a.Flush(context.Background()); err != nil {
				t.Fatal(err)
			}
			checkEachKeyOnce(t, h.harness)
			if h.pending() != 0 {
				t.Errorf("pending = %d, want 0", h.pending())
			}
			if w := warnings(h.logs.String(), "may show twice"); len(w) != 0 {
				t.Errorf("warnings that a message may show twice = %q, want none", w)
			}
		})
	}
}

// A send that makes no request (an edit over a webhook, which cannot edit)
// says nothing about Slack: it must not mark a Slack that is down as up.
func TestSendWithoutRequestLeavesHealthAlone(t *testing.T) {
	h := newHarness(t, []config.Route{
		route("#a", func(r *config.Route) { r.Projects = []string{"PAY"} }),
		route("#b", func(r *config.Route) { r.Projects = []string{"OPS"} }),
	})
	h.cfg.Token = ""
	h.cfg.WebhookURL = config.Secret(h.srv.URL + slacksim.DefaultWebhookPath)
	h.restart()
	h.mustRun()
	ops := finding(radar.KindBlocker, "OPS-1", radar.SeverityCritical)
	h.mustRun(change(ops, radar.TransitionNew, ""))
	if _, down := h.a.Health(); down != nil {
		t.Fatalf("health with Slack up = %v", down)
	}
	// Slack goes down: the PAY post (in #a, first) fails; the OPS edit (in
	// #b, after it) makes no request over a webhook.
	h.slack.SetOutage(slacksim.ServerError, 0)
	pay := finding(radar.KindBlocker, "PAY-1", radar.SeverityWarning)
	calmer := ops
	calmer.Severity = radar.SeverityWarning
	changes := []radar.FindingChange{change(pay, radar.TransitionNew, ""), change(calmer, radar.TransitionDeescalated, radar.SeverityCritical)}
	if err := h.run(changes...); err == nil {
		t.Fatal("deliver with Slack down succeeded")
	}
	if _, down := h.a.Health(); down == nil {
		t.Error("health after a failed post and an edit that made no request = up, want down")
	}
}

// A backlog summary in several parts keeps its order when part 0's send
// goes unanswered: the later parts wait behind it while it settles, and go
// out after it is found.
func TestSummaryPartsWaitBehindAnUnansweredPart(t *testing.T) {
	h := newInFlightHarness(t, []config.Route{route("#a")})
	h.mustRun()
	var changes []radar.FindingChange
	for i := 0; i < 500; i++ {
		changes = append(changes, change(finding(radar.KindStale, fmt.Sprintf("OLD-%d", i+1), radar.SeverityWarning), radar.TransitionNew, ""))
	}
	h.restartWith(alerts.WithSettleDelay(30*time.Second), alerts.WithHTTPClient(&http.Client{Transport: &loseAnswer{
		next: &http.Transport{DisableKeepAlives: true}, lost: 1}}))
	if err := h.run(changes...); err == nil {
		t.Fatal("deliver with part 0's answer lost succeeded")
	}
	var parts []string
	for key := range rowsByKey(t, h.st) {
		if strings.Contains(key, "|summary|") {
			parts = append(parts, key)
		}
	}
	if len(parts) < 2 {
		t.Fatalf("summary parts = %d, want at least 2", len(parts))
	}
	if got := len(h.messages("")); got != 1 {
		t.Errorf("Slack holds %d messages while part 0 settles, want 1: the later parts wait", got)
	}
	h.clock.advance(31 * time.Second)
	if err := h.a.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	checkEachKeyOnce(t, h.harness)
	var order []string
	for _, m := range h.messages("") {
		if k := keyOf(m); strings.Contains(k, "|summary|") {
			order = append(order, k)
		}
	}
	for i := 1; i < len(order); i++ {
		if order[i] < order[i-1] {
			t.Errorf("summary parts arrived as %q, want in order", order)
			break
		}
	}
}
