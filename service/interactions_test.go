package service_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/radarhq/radar/service"
	"github.com/radarhq/radar/slacksim"
)

// post sends body to url with the given headers and returns the status
// and answer.
func post(t *testing.T, url string, header http.Header, body []byte) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// parentOf returns the Slack message that is the finding's own (thread
// parent) message, if it was posted.
func parentOf(s *slacksim.Server, findingID string) (slacksim.Message, bool) {
	for _, m := range s.Messages() {
		if m.ThreadTS != "" || m.Metadata == nil {
			continue
		}
		if k, _ := m.Metadata.EventPayload["key"].(string); strings.Contains(k, "|"+findingID+"|") && strings.Contains(k, "|parent|") {
			return m, true
		}
	}
	return slacksim.Message{}, false
}

// replies returns the replies in the thread of parent containing substr.
func replies(s *slacksim.Server, parent slacksim.Message, substr string) []slacksim.Message {
	var out []slacksim.Message
	for _, m := range s.Messages() {
		if m.ThreadTS == parent.TS && strings.Contains(m.Text, substr) {
			out = append(out, m)
		}
	}
	return out
}

// ackOf returns the "ack" the API shows for a finding, nil when none.
func ackOf(t *testing.T, base, id string) map[string]any {
	t.Helper()
	code, body := get(t, base+"/api/findings", "api-secret")
	if code != 200 {
		t.Fatalf("/api/findings = %d %s", code, body)
	}
	var doc struct {
		Findings []struct {
			ID  string         `json:"id"`
			Ack map[string]any `json:"ack"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatal(err)
	}
	for _, f := range doc.Findings {
		if f.ID == id {
			return f.Ack
		}
	}
	t.Fatalf("/api/findings lacks %s", id)
	return nil
}

func TestSlackButtonsSnoozeUntilWorse(t *testing.T) {
	w := newWorld(t, 80)
	w.cfg.HTTP.Token = "api-secret"
	w.cfg.Slack.SigningSecret = "sign-secret"
	r := start(t, w.cfg, service.Options{})
	base := "http://" + r.addr
	if c := r.cycle(t); c.Err != nil {
		t.Fatalf("first cycle: %v", c.Err)
	}

	// A new blocker after the first run gets its own message, with buttons.
	open := w.openIssues(t)
	w.block(t, open[0], open[1:4]...)
	id := "blocker:" + open[0].Key
	var parent slacksim.Message
	waitFor(t, "the blocker's own message", func() bool {
		var ok bool
		parent, ok = parentOf(w.slack, id)
		return ok
	})
	for _, action := range []string{`"radar_ack"`, `"radar_snooze_1d"`, `"radar_snooze_1w"`, `"radar_snooze_worse"`, `"radar_dismiss"`} {
		if !bytes.Contains(parent.Blocks, []byte(action)) {
			t.Errorf("the finding's message lacks the %s button", action)
		}
	}

	ada := slacksim.User{ID: "U0ADA", Name: "ada"}
	click := func(actionID, value string) []byte {
		return slacksim.BlockActions(slacksim.Click{Message: parent, User: ada, ActionID: actionID, BlockID: "radar_actions",
			Value: value, BaseURL: w.slackTS.URL}, time.Now())
	}
	body := click("radar_snooze_worse", id)
	url := base + "/slack/interactions"
	bad := slacksim.Sign("wrong-secret", time.Now(), body)
	stale := slacksim.Sign("sign-secret", time.Now().Add(-6*time.Minute), body)
	for name, h := range map[string]http.Header{"bad signature": bad, "stale timestamp": stale, "unsigned": {"Content-Type": {"application/x-www-form-urlencoded"}}} {
		if code, answer := post(t, url, h, body); code != http.StatusUnauthorized {
			t.Errorf("%s: got %d %q, want 401", name, code, answer)
		}
	}
	if ack := ackOf(t, base, id); ack != nil {
		t.Fatalf("refused requests recorded %v", ack)
	}

	good := slacksim.Sign("sign-secret", time.Now(), body)
	if code, answer := post(t, url, good, body); code != http.StatusOK {
		t.Fatalf("signed click: got %d %q, want 200", code, answer)
	}
	if code, _ := post(t, url, good, body); code != http.StatusUnauthorized {
		t.Errorf("replayed click: got %d, want 401", code)
	}
	// Slack gets its answer at once; the click is recorded after it.
	var ack map[string]any
	waitFor(t, "the click recorded", func() bool { ack = ackOf(t, base, id); return ack != nil })
	if ack["state"] != "snoozed" || ack["by"] != "ada" || ack["until_worse"] != true {
		t.Errorf("ack after the click = %v; want snoozed by ada until worse", ack)
	}
	waitFor(t, "the message updated in place", func() bool {
		m, _ := parentOf(w.slack, id)
		for _, u := range m.Updates {
			if bytes.Contains(u.Blocks, []byte("Snoozed by ")) && bytes.Contains(u.Blocks, []byte("@U0ADA")) {
				return true
			}
		}
		return false
	})
	waitFor(t, "the reply in the thread", func() bool { return len(replies(w.slack, parent, "Snoozed by <@U0ADA>")) == 1 })

	// A click on a finding Radar does not know gets a polite ephemeral answer.
	unknown := click("radar_ack", "blocker:NOPE-1")
	if code, _ := post(t, url, slacksim.Sign("sign-secret", time.Now(), unknown), unknown); code != http.StatusOK {
		t.Errorf("click on an unknown finding: got %d, want 200", code)
	}
	waitFor(t, "the ephemeral answer", func() bool {
		for _, resp := range w.slack.Responses() {
			if resp.ResponseType == "ephemeral" && strings.Contains(resp.Text, "does not know this finding") {
				return true
			}
		}
		return false
	})

	// Quiet while nothing gets worse.
	before := len(w.slack.Messages())
	r.cycle(t)
	r.cycle(t)
	for _, m := range w.slack.Messages()[before:] {
		if strings.Contains(m.Text, open[0].Key) {
			t.Errorf("snoozed finding spoke: %q", m.Text)
		}
	}

	// Much worse: it blocks eight more issues. One re-alert, naming who snoozed it.
	w.block(t, open[0], open[4:12]...)
	waitFor(t, "the re-alert", func() bool { return len(replies(w.slack, parent, "Re-alerting once")) > 0 })
	r.cycle(t)
	r.cycle(t)
	if got := replies(w.slack, parent, "Re-alerting once"); len(got) != 1 {
		t.Errorf("%d re-alerts, want 1", len(got))
	} else if !strings.Contains(got[0].Text, "snoozed by <@U0ADA>") {
		t.Errorf("re-alert %q does not say who snoozed it", got[0].Text)
	}
	if ack := ackOf(t, base, id); ack != nil {
		t.Errorf("a snooze until worse outlived the finding getting worse: %v", ack)
	}
}

func TestAckAPI(t *testing.T) {
	w := newWorld(t, 40)
	w.cfg.HTTP.Token = "api-secret"
	w.cfg.Schedule.Sync = "@every 1h"
	r := start(t, w.cfg, service.Options{})
	c := r.cycle(t)
	if c.Err != nil || len(c.Report.Findings) == 0 {
		t.Fatalf("first cycle: %v, %d findings", c.Err, len(c.Report.Findings))
	}
	id := c.Report.Findings[0].ID
	base := "http://" + r.addr
	auth := http.Header{"Authorization": {"Bearer api-secret"}, "Content-Type": {"application/json"}}
	tests := []struct {
		name   string
		id     string
		header http.Header
		body   string
		want   int
		says   string
	}{
		{"no token", id, nil, `{"by": "bob"}`, http.StatusUnauthorized, "bearer"},
		{"no by", id, auth, `{}`, http.StatusBadRequest, "by: empty"},
		{"bad snooze", id, auth, `{"by": "bob", "snooze": "soon"}`, http.StatusBadRequest, "snooze:"},
		{"two actions", id, auth, `{"by": "bob", "snooze": "1w", "dismiss": true}`, http.StatusBadRequest, "choose one"},
		{"unknown field", id, auth, `{"by": "bob", "owner": "x"}`, http.StatusBadRequest, "unknown field"},
		{"unknown finding", "blocker:NOPE-1", auth, `{"by": "bob"}`, http.StatusNotFound, "no such finding"},
		{"too large", id, auth, `{"by": "bob", "note": "` + strings.Repeat("x", service.MaxAckBytes) + `"}`, http.StatusRequestEntityTooLarge, "larger"},
		{"snooze a week", id, auth, `{"by": "bob", "snooze": "1w", "note": "waiting on the vendor"}`, http.StatusOK, `"state": "snoozed"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := post(t, base+"/api/findings/"+tt.id+"/ack", tt.header, []byte(tt.body))
			if code != tt.want || !strings.Contains(body, tt.says) {
				t.Errorf("got %d %q, want %d saying %q", code, body, tt.want, tt.says)
			}
		})
	}
	ack := ackOf(t, base, id)
	if ack["state"] != "snoozed" || ack["by"] != "bob" || ack["note"] != "waiting on the vendor" || ack["until"] == nil {
		t.Errorf("/api/findings shows ack %v; want bob's week-long snooze with its note", ack)
	}
	// Acknowledging a finding gives it an owner: its project's and
	// severity's unowned count drops by one (a snooze, above, does not).
	other := c.Report.Findings[1]
	series := fmt.Sprintf(`radar_findings_unowned{project=%q,severity=%q}`, other.Project, other.Severity)
	before := metricValue(t, base, series)
	if before < 1 {
		t.Fatalf("%s = %v before any ack, want at least 1", series, before)
	}
	if code, body := post(t, base+"/api/findings/"+other.ID+"/ack", auth, []byte(`{"by": "ada"}`)); code != http.StatusOK {
		t.Fatalf("acknowledge: %d %q", code, body)
	}
	if after := metricValue(t, base, series); after != before-1 {
		t.Errorf("%s = %v after acknowledging %s, want %v", series, after, other.ID, before-1)
	}
}

// TestSlackClickUpdatesUnowned: an Acknowledge click gives a finding an
// owner, and radar_findings_unowned follows at once, not at the next sync
// (an hour away here).
func TestSlackClickUpdatesUnowned(t *testing.T) {
	w := newWorld(t, 40)
	w.cfg.Slack.SigningSecret = "sign-secret"
	w.cfg.Schedule.Sync = "@every 1h"
	r := start(t, w.cfg, service.Options{})
	c := r.cycle(t)
	if c.Err != nil || len(c.Report.Findings) == 0 {
		t.Fatalf("first cycle: %v, %d findings", c.Err, len(c.Report.Findings))
	}
	base := "http://" + r.addr
	ms := w.slack.Messages()
	if len(ms) == 0 {
		t.Fatal("the first cycle posted nothing to click on")
	}
	owned := c.Report.Findings[0]
	series := fmt.Sprintf(`radar_findings_unowned{project=%q,severity=%q}`, owned.Project, owned.Severity)
	before := metricValue(t, base, series)
	if before < 1 {
		t.Fatalf("%s = %v before any click, want at least 1", series, before)
	}
	body := slacksim.BlockActions(slacksim.Click{Message: ms[0], User: slacksim.User{ID: "U0ADA", Name: "ada"}, ActionID: "radar_ack",
		BlockID: "radar_actions", Value: owned.ID, BaseURL: w.slackTS.URL}, time.Now())
	if code, answer := post(t, base+"/slack/interactions", slacksim.Sign("sign-secret", time.Now(), body), body); code != http.StatusOK {
		t.Fatalf("acknowledge click: got %d %q, want 200", code, answer)
	}
	waitFor(t, series+" to drop by one", func() bool { return metricValue(t, base, series) == before-1 })
}

func TestReportsRunOnTheirSchedule(t *testing.T) {
	w := newWorld(t, 80)
	w.cfg.Schedule.Sync = "@every 1h" // only the start-up cycle
	w.cfg.Slack.Routes[0].Projects = []string{"PAY"}
	w.cfg.Slack.Routes[0].Report = "@every 1s"
	r := start(t, w.cfg, service.Options{})
	if c := r.cycle(t); c.Err != nil {
		t.Fatal(c.Err)
	}
	waitFor(t, "a status report in Slack", func() bool {
		for _, m := range w.slack.Messages() {
			if strings.HasPrefix(m.Text, "Status report · PAY") {
				return true
			}
		}
		return false
	})
	// The next one compares with the first.
	waitFor(t, "a second report saying what changed since the first", func() bool {
		for _, m := range w.slack.Messages() {
			if strings.Contains(string(m.Blocks), "(the last report)") {
				return true
			}
		}
		return false
	})
}
