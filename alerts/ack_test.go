package alerts_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/config"
	"github.com/radarhq/radar/slacksim"
)

// record records the findings open in a run, as the service does before
// delivering, so they can be acknowledged.
func (h *harness) record(fs ...radar.Finding) {
	h.t.Helper()
	if _, err := h.st.RecordFindings(context.Background(), h.now, fs); err != nil {
		h.t.Fatal(err)
	}
}

// ack records a person's action on f through the alerter.
func (h *harness) ack(f radar.Finding, req radar.AckRequest) {
	h.t.Helper()
	a, err := req.Ack(h.now)
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.a.Acknowledge(context.Background(), f.ID, a); err != nil {
		h.t.Fatalf("acknowledge: %v", err)
	}
}

// threadReplies returns the replies in the first parent's thread.
func threadReplies(h *harness) []slacksim.Message {
	parents, replies := split(h.messages(""))
	if len(parents) == 0 {
		h.t.Fatal("no parent message")
	}
	return replies[parents[0].TS]
}

func TestAckedFindingStaysQuietUntilItEscalates(t *testing.T) {
	warn := finding(radar.KindBlocker, "PAY-12", radar.SeverityWarning)
	info, crit := warn, warn
	info.Severity, crit.Severity = radar.SeverityInfo, radar.SeverityCritical
	tests := []struct {
		name    string
		req     radar.AckRequest
		saysWho string
		kept    bool // the ack outlives the escalation
	}{
		{"acknowledged", radar.AckRequest{By: "ada"}, "acknowledged by ada", true},
		{"snoozed a week", radar.AckRequest{By: "ada", Snooze: "1w"}, "snoozed by ada", true},
		{"snoozed until worse", radar.AckRequest{By: "ada", UntilWorse: true}, "snoozed by ada", false},
		{"not a risk", radar.AckRequest{By: "ada", Dismiss: true}, "marked not a risk by ada", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, []config.Route{route("#delivery")})
			h.mustRun()
			h.record(warn)
			h.mustRun(change(warn, radar.TransitionNew, ""))
			h.ack(warn, tt.req)
			if got := threadReplies(h); len(got) != 1 {
				t.Fatalf("replies after the ack = %d, want 1 saying so", len(got))
			}
			parent := h.messages("")[0]
			if n := len(parent.Updates); n != 1 || !strings.Contains(string(parent.Updates[0].Blocks), "ada") {
				t.Fatalf("parent updates after the ack = %d, want 1 naming ada", n)
			}

			// Calmer, then back where it was: quiet, no edits.
			h.record(info)
			h.mustRun(change(info, radar.TransitionDeescalated, radar.SeverityWarning))
			h.record(warn)
			h.mustRun(change(warn, radar.TransitionEscalated, radar.SeverityInfo))
			if got := len(h.messages("")[0].Updates); got != 1 {
				t.Errorf("parent updates while quiet = %d, want still 1", got)
			}

			// Worse than when acknowledged: one re-alert saying who acted.
			h.record(crit)
			h.mustRun(change(crit, radar.TransitionEscalated, radar.SeverityWarning))
			h.record(crit)
			h.mustRun(change(crit, radar.TransitionUnchanged, radar.SeverityCritical))
			rs := threadReplies(h)
			if len(rs) != 2 {
				t.Fatalf("replies = %d, want the ack's and one re-alert", len(rs))
			}
			if got := rs[1].Text; !strings.Contains(got, "Re-alerting once: it was "+tt.saysWho) || !strings.Contains(got, "warning to critical") {
				t.Errorf("re-alert = %q, want it to say %q and the severities", got, tt.saysWho)
			}
			acks, err := h.st.Acks(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := acks[warn.ID]; ok != tt.kept {
				t.Errorf("ack kept after the escalation = %v, want %v", ok, tt.kept)
			}
		})
	}
}

func TestResolutionClearsTheAck(t *testing.T) {
	h := newHarness(t, []config.Route{route("#delivery")})
	h.mustRun()
	f := finding(radar.KindOverdue, "PAY-3", radar.SeverityWarning)
	h.record(f)
	h.mustRun(change(f, radar.TransitionNew, ""))
	h.ack(f, radar.AckRequest{By: "ada", UntilWorse: true})
	h.record()
	res := change(f, radar.TransitionResolved, radar.SeverityWarning)
	res.ResolvedAt = h.now
	h.mustRun(res)
	if rs := threadReplies(h); len(rs) != 2 || !strings.Contains(rs[1].Text, "Resolved") {
		t.Errorf("replies = %d, want the snooze's and the resolution", len(rs))
	}
	acks, _ := h.st.Acks(context.Background())
	if len(acks) != 0 {
		t.Errorf("acks after the resolution = %v, want none", acks)
	}
	a, _ := radar.AckRequest{By: "ada"}.Ack(h.now)
	if _, err := h.a.Acknowledge(context.Background(), f.ID, a); err == nil || !strings.Contains(err.Error(), "resolved") {
		t.Errorf("acknowledging a resolved finding: %v, want an error saying it is resolved", err)
	}
}

func TestOwnerIsRemindedOnce(t *testing.T) {
	h := newHarness(t, []config.Route{route("#delivery")})
	h.cfg.AckReminder = 7 * 24 * time.Hour
	h.restart()
	h.mustRun()
	f := finding(radar.KindBlocker, "PAY-7", radar.SeverityWarning)
	h.record(f)
	h.mustRun(change(f, radar.TransitionNew, ""))
	h.ack(f, radar.AckRequest{By: "ada", Note: "vendor fix due Friday"})
	for _, days := range []int{3, 8, 9} {
		h.now = h.now.Add(time.Duration(days) * 24 * time.Hour)
		h.record(f)
		h.mustRun(change(f, radar.TransitionUnchanged, radar.SeverityWarning))
	}
	var reminders []string
	for _, m := range threadReplies(h) {
		if strings.Contains(m.Text, "still open") {
			reminders = append(reminders, m.Text)
		}
	}
	if len(reminders) != 1 || !strings.Contains(reminders[0], "ada, you acknowledged this 11 days ago") {
		t.Errorf("reminders = %q, want one, to ada, 11 days on", reminders)
	}
}

func TestButtonsNeedTheSigningSecret(t *testing.T) {
	f := finding(radar.KindBlocker, "PAY-12", radar.SeverityWarning)
	for _, secret := range []string{"", "sign-secret"} {
		h := newHarness(t, []config.Route{route("#delivery")})
		h.cfg.SigningSecret = config.Secret(secret)
		h.restart()
		h.mustRun()
		h.mustRun(change(f, radar.TransitionNew, ""))
		ms := h.messages("")
		if len(ms) != 1 {
			t.Fatalf("messages = %d, want 1", len(ms))
		}
		has := strings.Contains(string(ms[0].Blocks), `"radar_snooze_worse"`)
		if has != (secret != "") {
			t.Errorf("signing secret %q: buttons shown = %v", secret, has)
		}
		if !slacksim.ValidBlocks(ms[0].Blocks) {
			t.Errorf("blocks Slack would refuse: %s", ms[0].Blocks)
		}
	}
}

func TestDigestShowsOwnersAndStates(t *testing.T) {
	h := newHarness(t, []config.Route{route("#delivery", func(r *config.Route) { r.Digest = "@daily" })})
	h.mustRun()
	owned := finding(radar.KindBlocker, "PAY-1", radar.SeverityCritical)
	owned.Evidence = radar.BlockerFacts{IssueFacts: radar.IssueFacts{Assignee: "Ada Lovelace", AssigneeEmail: "ada@example.com"}, BlastRadius: 12}
	snoozed := finding(radar.KindStale, "PAY-2", radar.SeverityWarning)
	dismissed := finding(radar.KindOverdue, "PAY-3", radar.SeverityWarning)
	h.record(owned, snoozed, dismissed)
	h.ack(owned, radar.AckRequest{By: "ada"})
	h.ack(snoozed, radar.AckRequest{By: "bob", UntilWorse: true})
	h.ack(dismissed, radar.AckRequest{By: "cy", Dismiss: true})
	if err := h.a.Digest(context.Background(), 0, radar.Report{GeneratedAt: h.now, Findings: []radar.Finding{owned, snoozed, dismissed}}); err != nil {
		t.Fatal(err)
	}
	ms := h.messages("")
	text := blockText(ms[len(ms)-1])
	for _, want := range []string{"12 issues wait · PAY-1 is a blocker · 👤 owner ada", "*Stale*: is a stale · 😴 snoozed by bob", "*Overdue*: is a overdue · 🙅 not a risk (cy)"} {
		if !strings.Contains(text, want) {
			t.Errorf("digest lacks %q:\n%s", want, text)
		}
	}
}

func TestDoubleClickIsOneAction(t *testing.T) {
	h := newHarness(t, []config.Route{route("#delivery")})
	h.cfg.SigningSecret = "sign-secret"
	h.restart()
	h.mustRun()
	f := finding(radar.KindBlocker, "PAY-12", radar.SeverityWarning)
	h.record(f)
	h.mustRun(change(f, radar.TransitionNew, ""))
	handler, err := h.a.Interactions(nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(handler)
	defer srv.Close()
	parent := h.messages("")[0]
	for i := 0; i < 2; i++ {
		body := slacksim.BlockActions(slacksim.Click{Message: parent, User: slacksim.User{ID: "U0ADA", Name: "ada"}, ActionID: "radar_ack",
			BlockID: "radar_actions", Value: f.ID, BaseURL: h.srv.URL}, h.now.Add(time.Duration(i)*time.Second))
		req, _ := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(body))
		req.Header = slacksim.Sign("sign-secret", h.now, body)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("click %d: %d", i, resp.StatusCode)
		}
		h.a.Wait()
		h.now = h.now.Add(2 * time.Second)
	}
	if rs := threadReplies(h); len(rs) != 1 || !strings.Contains(rs[0].Text, "Acknowledged by <@U0ADA>") {
		t.Errorf("replies = %d, want one acknowledgement", len(rs))
	}
}
