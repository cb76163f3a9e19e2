package service_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/radarhq/radar/alerts"
	"github.com/radarhq/radar/jirasim"
	"github.com/radarhq/radar/service"
	"github.com/radarhq/radar/slacksim"
	"github.com/radarhq/radar/store"
)

// waitCycle reads cycles until one satisfies ok.
func (r *running) waitCycle(t *testing.T, what string, ok func(service.Cycle) bool) service.Cycle {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if c := r.cycle(t); ok(c) {
			return c
		}
	}
	t.Fatalf("no cycle where %s", what)
	return service.Cycle{}
}

// metricValue reads one sample from /metrics, -1 when it is absent.
func metricValue(t *testing.T, base, series string) float64 {
	t.Helper()
	_, body := get(t, base+"/metrics", "")
	for _, line := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			return f
		}
	}
	return -1
}

// TestDegradedDependencies takes Jira down and back, then Slack down and
// back, while the service runs: it keeps serving what it has, /readyz stays
// 200 while the data is fresh and says which dependency is failing, and
// radar_dependency_up follows.
func TestDegradedDependencies(t *testing.T) {
	w := newWorld(t, 80)
	var offset atomic.Int64 // the service's clock runs this far ahead
	now := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	// A send Slack did not answer is looked for after a short settle, so
	// the recovery shows within a cycle or two.
	r := start(t, w.cfg, service.Options{Now: now, AlertOptions: []alerts.Option{alerts.WithSettleDelay(100 * time.Millisecond)}})
	base := "http://" + r.addr
	up := func(dep string) float64 {
		return metricValue(t, base, `radar_dependency_up{dependency="`+dep+`"}`)
	}
	readyz := func() (int, string) {
		t.Helper()
		code, body := get(t, base+"/readyz", "")
		t.Logf("/readyz %d:\n%s", code, body)
		for _, secret := range []string{"jira-secret", "xoxb-secret"} {
			if strings.Contains(body, secret) {
				t.Errorf("/readyz leaks %s: %q", secret, body)
			}
		}
		return code, body
	}
	wantLines := func(body string, want ...string) {
		t.Helper()
		for _, w := range want {
			if !regexp.MustCompile(w).MatchString(body) {
				t.Errorf("/readyz body lacks %s:\n%s", w, body)
			}
		}
	}

	if c := r.cycle(t); c.Err != nil {
		t.Fatalf("first cycle: %v", c.Err)
	}
	code, body := readyz()
	if code != 200 {
		t.Fatalf("/readyz = %d %q", code, body)
	}
	wantLines(body, `(?m)^ready$`, `(?m)^jira: ok; last successful sync \d{4}-`, `(?m)^slack: ok; last successful delivery .*; 0 notification\(s\) pending$`)
	if got := up("jira"); got != 1 {
		t.Errorf("jira up = %v, want 1", got)
	}
	if got := up("slack"); got != 1 {
		t.Errorf("slack up = %v, want 1", got)
	}
	if got := metricValue(t, base, `radar_dependency_last_success_timestamp_seconds{dependency="jira"}`); got <= 0 {
		t.Errorf("jira last success = %v, want a time", got)
	}

	// Jira down: every request answers 503.
	t.Run("jira down", func(t *testing.T) {
		w.sim.SetFaults(jirasim.Faults{ServiceUnavailableRate: 1})
		r.waitCycle(t, "the sync failed", func(c service.Cycle) bool { return c.Err != nil })
		code, body := readyz()
		if code != 200 {
			t.Errorf("/readyz = %d while the data is fresh; want 200:\n%s", code, body)
		}
		wantLines(body, `(?m)^ready, degraded: jira is failing, so findings are from the last successful sync at `,
			`(?m)^jira: failing since \d{4}-\S+ \(last error: .*(503|Service Unavailable).*\); last successful sync `, `(?m)^slack: ok`)
		if got := up("jira"); got != 0 {
			t.Errorf("jira up = %v, want 0", got)
		}
		if code, _ := get(t, base+"/api/findings", ""); code != 200 {
			t.Errorf("/api/findings = %d while Jira is down", code)
		}
	})
	t.Run("jira back", func(t *testing.T) {
		w.sim.SetFaults(jirasim.Faults{})
		r.waitCycle(t, "the sync succeeded again", func(c service.Cycle) bool { return c.Err == nil })
		code, body := readyz()
		if code != 200 {
			t.Errorf("/readyz = %d", code)
		}
		wantLines(body, `(?m)^ready$`, `(?m)^jira: ok; `)
		if got := up("jira"); got != 1 {
			t.Errorf("jira up = %v, want 1", got)
		}
	})

	// Slack down while a new blocker appears: its alert waits in the outbox.
	open := w.openIssues(t)
	t.Run("slack down", func(t *testing.T) {
		w.slack.SetOutage(slacksim.ServerError, 0)
		w.block(t, open[0], open[1:4]...)
		r.waitCycle(t, "delivery failed with the new blocker pending", func(c service.Cycle) bool {
			return c.Err != nil && strings.Contains(c.Err.Error(), "deliver alerts")
		})
		code, body := readyz()
		if code != 200 {
			t.Errorf("/readyz = %d while only Slack is down; want 200:\n%s", code, body)
		}
		wantLines(body, `(?m)^ready, degraded: slack is failing, so alerts wait in the outbox until it answers$`,
			`(?m)^jira: ok`, `(?m)^slack: failing since \d{4}-\S+ \(last error: [^)]+.*\); last successful delivery .*; [1-9]\d* notification\(s\) pending$`)
		if got := up("slack"); got != 0 {
			t.Errorf("slack up = %v, want 0", got)
		}
		if got := metricValue(t, base, "radar_slack_outbox_pending"); got <= 0 {
			t.Errorf("radar_slack_outbox_pending = %v, want > 0", got)
		}
		code, body = get(t, base+"/api/findings?kind=blocker", "")
		var doc struct {
			Findings []struct{ ID string } `json:"findings"`
		}
		if code != 200 || json.Unmarshal([]byte(body), &doc) != nil {
			t.Fatalf("/api/findings = %d while Slack is down", code)
		}
		found := false
		for _, f := range doc.Findings {
			found = found || f.ID == "blocker:"+open[0].Key
		}
		if !found {
			t.Errorf("/api/findings lacks the new blocker %s while Slack is down", open[0].Key)
		}
	})
	t.Run("slack back", func(t *testing.T) {
		w.slack.SetOutage(0, 0)
		r.waitCycle(t, "delivery succeeded again", func(c service.Cycle) bool { return c.Err == nil })
		code, body := readyz()
		if code != 200 {
			t.Errorf("/readyz = %d", code)
		}
		wantLines(body, `(?m)^ready$`, `(?m)^slack: ok; .*; 0 notification\(s\) pending$`)
		if got := up("slack"); got != 1 {
			t.Errorf("slack up = %v, want 1", got)
		}
		if got := metricValue(t, base, "radar_slack_outbox_pending"); got != 0 {
			t.Errorf("radar_slack_outbox_pending = %v after recovery, want 0", got)
		}
		mentioned := false
		for _, m := range w.slack.Messages() {
			mentioned = mentioned || strings.Contains(m.Text, open[0].Key)
		}
		if !mentioned {
			t.Errorf("the blocker %s held back during the outage never reached Slack", open[0].Key)
		}
	})

	// Jira down for longer than http.ready_max_age: now not ready.
	t.Run("jira down too long", func(t *testing.T) {
		w.sim.SetFaults(jirasim.Faults{Unauthorized: true})
		r.waitCycle(t, "the sync failed", func(c service.Cycle) bool { return c.Err != nil })
		offset.Store(int64(w.cfg.HTTP.ReadyMaxAge + time.Minute))
		code, body := readyz()
		if code != 503 {
			t.Errorf("/readyz = %d with data older than http.ready_max_age; want 503", code)
		}
		wantLines(body, `(?m)^not ready: last successful sync at \S+ is older than http.ready_max_age \(1h0m0s\)$`,
			`(?m)^jira: failing since .*401`)
	})
}

// TestSlackRefusingOneMessageStaysUp: Slack refusing one message for
// itself (msg_too_long, dead-lettered and retried on every flush) fails the
// deliveries but says nothing about Slack: radar_dependency_up stays 1 and
// /readyz's slack line ok, with the message counted pending and its error
// kept in the outbox. A real outage still takes Slack down.
func TestSlackRefusingOneMessageStaysUp(t *testing.T) {
	w := newWorld(t, 80)
	r := start(t, w.cfg, service.Options{AlertOptions: []alerts.Option{alerts.WithSettleDelay(100 * time.Millisecond)}})
	base := "http://" + r.addr
	up := func() float64 { return metricValue(t, base, `radar_dependency_up{dependency="slack"}`) }
	if c := r.cycle(t); c.Err != nil {
		t.Fatalf("first cycle: %v", c.Err)
	}
	open := w.openIssues(t)

	t.Run("one message refused", func(t *testing.T) {
		w.slack.SetMessageError(open[0].Key, "msg_too_long")
		w.block(t, open[0], open[1:4]...)
		// Two failing cycles: the refusal, then its retry on the next flush.
		for i := 0; i < 2; i++ {
			r.waitCycle(t, "delivery failed on the refused message", func(c service.Cycle) bool {
				return c.Err != nil && strings.Contains(c.Err.Error(), "msg_too_long")
			})
		}
		code, body := get(t, base+"/readyz", "")
		t.Logf("/readyz %d:\n%s", code, body)
		if code != 200 || !regexp.MustCompile(`(?m)^ready$`).MatchString(body) ||
			!regexp.MustCompile(`(?m)^slack: ok; last successful delivery .*; [1-9]\d* notification\(s\) pending$`).MatchString(body) {
			t.Errorf("/readyz = %d, want 200, ready, and slack ok with the refused message pending:\n%s", code, body)
		}
		if got := up(); got != 1 {
			t.Errorf("slack up = %v with one message refused, want 1", got)
		}
		st, err := store.Open(context.Background(), w.cfg.Store.Path)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		rows, err := st.OutboxMessages(context.Background(), "")
		if err != nil {
			t.Fatal(err)
		}
		refused := 0
		for _, row := range rows {
			if row.SentAt.IsZero() && row.LastError == "msg_too_long" {
				refused++
			}
		}
		if refused == 0 {
			t.Error("no pending outbox row records msg_too_long")
		}
	})
	t.Run("outage", func(t *testing.T) {
		w.slack.SetOutage(slacksim.ServerError, 0)
		r.waitCycle(t, "delivery failed in the outage", func(c service.Cycle) bool {
			return c.Err != nil && !strings.Contains(c.Err.Error(), "msg_too_long")
		})
		if got := up(); got != 0 {
			t.Errorf("slack up = %v in an outage, want 0", got)
		}
		_, body := get(t, base+"/readyz", "")
		if !regexp.MustCompile(`(?m)^slack: failing since `).MatchString(body) {
			t.Errorf("/readyz in an outage lacks a failing slack line:\n%s", body)
		}
	})
}

// TestReadyzShowsNoSecrets: a Jira that echoes the request's credentials in
// its error body must not get them onto /readyz, in any encoding.
func TestReadyzShowsNoSecrets(t *testing.T) {
	w := newWorld(t, 10)
	const token = "SECRET+jira/7f3a"
	w.cfg.Jira.Token = token
	w.cfg.Slack.Token, w.cfg.Slack.Routes = "", nil
	echo := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "application/json")
		rw.WriteHeader(http.StatusForbidden)
		fmt.Fprintf(rw, `{"errorMessages":["request with Authorization: %s refused; token %s; escaped %s"]}`,
			r.Header.Get("Authorization"), token, url.QueryEscape(token))
	}))
	defer echo.Close()
	w.cfg.Jira.URL = echo.URL
	r := start(t, w.cfg, service.Options{})
	r.waitCycle(t, "the sync failed", func(c service.Cycle) bool { return c.Err != nil })
	code, body := get(t, "http://"+r.addr+"/readyz", "")
	t.Logf("/readyz %d:\n%s", code, body)
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "jira: failing since") || !strings.Contains(body, "403") {
		t.Errorf("/readyz = %d %q; want 503 naming Jira's 403", code, body)
	}
	basic := base64.StdEncoding.EncodeToString([]byte(w.cfg.Jira.Email + ":" + token))
	for name, form := range map[string]string{"token": token, "url-escaped token": url.QueryEscape(token), "basic auth": basic,
		"base64 token": base64.StdEncoding.EncodeToString([]byte(token))} {
		if strings.Contains(body, form) {
			t.Errorf("/readyz shows the %s:\n%s", name, body)
		}
	}
}

// TestSlackLastSuccessIsWhenSlackLastAnswered: a cycle with nothing to
// deliver asks Slack nothing, so Slack's last success stays when it last
// answered, not the time of the cycle.
func TestSlackLastSuccessIsWhenSlackLastAnswered(t *testing.T) {
	w := newWorld(t, 20)
	var offset atomic.Int64
	now := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	r := start(t, w.cfg, service.Options{Now: now})
	base := "http://" + r.addr
	if c := r.cycle(t); c.Err != nil {
		t.Fatalf("first cycle: %v", c.Err)
	}
	if w.slack.Requests()["chat.postMessage"] == 0 {
		t.Fatal("the first cycle posted nothing to Slack")
	}
	series := `radar_dependency_last_success_timestamp_seconds{dependency="slack"}`
	answered := metricValue(t, base, series)
	if answered <= 0 {
		t.Fatalf("slack last success = %v after a delivery, want a time", answered)
	}
	offset.Store(int64(time.Hour))
	asked := total(w.slack.Requests())
	// The first cycle may have begun before the clock moved: wait for two.
	for i := 0; i < 2; i++ {
		r.waitCycle(t, "a cycle an hour later succeeded", func(c service.Cycle) bool { return c.Err == nil })
	}
	if n := total(w.slack.Requests()); n != asked {
		t.Fatalf("Slack got %d requests in cycles with nothing to deliver, want none", n-asked)
	}
	if got := metricValue(t, base, series); got != answered {
		t.Errorf("slack last success = %v, want %v: Slack answered nothing since", got, answered)
	}
	if got := metricValue(t, base, `radar_dependency_up{dependency="slack"}`); got != 1 {
		t.Errorf("slack up = %v, want 1", got)
	}
}

func total(requests map[string]int) int {
	n := 0
	for _, v := range requests {
		n += v
	}
	return n
}
