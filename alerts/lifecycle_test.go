package alerts_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/config"
)

func TestLifecycleOneThread(t *testing.T) {
	h := newHarness(t, []config.Route{route("#delivery")})
	h.mustRun() // Radar connected to a clean project: nothing to say.

	f := finding(radar.KindBlocker, "PAY-12", radar.SeverityWarning)
	h.mustRun(change(f, radar.TransitionNew, ""))
	for i := 0; i < 3; i++ {
		h.mustRun(change(f, radar.TransitionUnchanged, radar.SeverityWarning))
	}
	if got := len(h.messages("")); got != 1 {
		t.Fatalf("after new and three unchanged runs: %d messages, want 1", got)
	}

	crit := f
	crit.Severity = radar.SeverityCritical
	esc := change(crit, radar.TransitionEscalated, radar.SeverityWarning)
	report := radar.Report{GeneratedAt: h.now}
	h.mustRun(esc)
	// The same run delivered again (a retry by the caller) adds nothing.
	if err := h.a.Deliver(context.Background(), report, []radar.FindingChange{esc}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		h.mustRun(change(crit, radar.TransitionUnchanged, radar.SeverityCritical))
	}
	res := change(crit, radar.TransitionResolved, radar.SeverityCritical)
	res.ResolvedAt = res.FirstSeen.AddDate(0, 0, 3)
	h.mustRun(res)
	if got := h.messages(""); len(got) != 3 {
		t.Fatalf("after escalate and resolve: %d messages, want 3 (parent + 2 replies)", len(got))
	}
	parent := h.messages("")[0]
	if got := parent.CurrentText; !strings.Contains(got, "Resolved") {
		t.Errorf("parent after resolve = %q, want it to say Resolved", got)
	}
	h.mustRun(change(crit, radar.TransitionReopened, radar.SeverityCritical))

	ms := h.messages("")
	parents, replies := split(ms)
	if len(parents) != 1 {
		t.Fatalf("parents = %d, want 1: %+v", len(parents), parents)
	}
	p := parents[0]
	rs := replies[p.TS]
	if len(rs) != 3 {
		t.Fatalf("replies in the parent's thread = %d, want 3", len(rs))
	}
	for i, want := range []string{"Escalated", "Resolved", "Back again"} {
		if !strings.Contains(rs[i].Text, want) {
			t.Errorf("reply %d = %q, want it to contain %q", i, rs[i].Text, want)
		}
	}
	if !strings.Contains(rs[0].Text, "warning to critical") {
		t.Errorf("escalation reply = %q, want it to name both severities", rs[0].Text)
	}
	if got := len(p.Updates); got != 3 {
		t.Errorf("parent updates = %d, want 3 (escalated, resolved, back)", got)
	}
	if strings.Contains(p.CurrentText, "Resolved") || !strings.Contains(p.CurrentText, "🔴") {
		t.Errorf("parent after reopen = %q, want it open and critical again", p.CurrentText)
	}
	if h.pending() != 0 {
		t.Errorf("pending = %d, want 0", h.pending())
	}
	if got := h.metrics.get("sent"); got != 7 {
		t.Errorf("sent metric = %d, want 7 (1 parent, 3 replies, 3 updates)", got)
	}
}

func TestDeescalationUpdatesQuietly(t *testing.T) {
	h := newHarness(t, []config.Route{route("#delivery")})
	h.mustRun()
	f := finding(radar.KindOverdue, "PAY-3", radar.SeverityCritical)
	h.mustRun(change(f, radar.TransitionNew, ""))
	f.Severity = radar.SeverityWarning
	h.mustRun(change(f, radar.TransitionDeescalated, radar.SeverityCritical))
	ms := h.messages("")
	if len(ms) != 1 {
		t.Fatalf("messages = %d, want 1 (no reply for a calmer finding)", len(ms))
	}
	if len(ms[0].Updates) != 1 || !strings.Contains(ms[0].CurrentText, "🟠") {
		t.Errorf("parent = %q with %d updates, want one update showing warning", ms[0].CurrentText, len(ms[0].Updates))
	}
}

func TestRouting(t *testing.T) {
	routes := []config.Route{
		route("#pay", func(r *config.Route) { r.Projects = []string{"PAY"} }),
		route("#releases", func(r *config.Route) { r.Kinds = []string{radar.KindReleaseAtRisk}; r.Audience = "exec" }),
		route("#critical", func(r *config.Route) { r.MinSeverity = "critical" }),
		route("#nobody", func(r *config.Route) { r.Projects = []string{"NOPE"} }),
	}
	tests := []struct {
		name string
		f    radar.Finding
		want []string
	}{
		{"project match", finding(radar.KindStale, "PAY-1", radar.SeverityWarning), []string{"#pay"}},
		{"kind match", finding(radar.KindReleaseAtRisk, "WEB-2.0", radar.SeverityWarning), []string{"#releases"}},
		{"several routes", finding(radar.KindReleaseAtRisk, "PAY-9", radar.SeverityCritical), []string{"#pay", "#releases", "#critical"}},
		{"severity below every route", finding(radar.KindStale, "WEB-1", radar.SeverityWarning), nil},
		{"critical elsewhere", finding(radar.KindBlocker, "WEB-7", radar.SeverityCritical), []string{"#critical"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, routes)
			h.mustRun()
			h.mustRun(change(tt.f, radar.TransitionNew, ""))
			var got []string
			for _, m := range h.messages("") {
				got = append(got, m.Channel)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("channels = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestBacklogFirstRunSummarises(t *testing.T) {
	h := newHarness(t, []config.Route{route("#delivery")})
	var changes []radar.FindingChange
	kinds := []string{radar.KindStale, radar.KindOverdue, radar.KindBlocker, radar.KindSprintCarryover, radar.KindFlagged}
	for i := 0; i < 500; i++ {
		sev := radar.SeverityWarning
		if i%100 == 0 {
			sev = radar.SeverityCritical
		}
		f := finding(kinds[i%len(kinds)], fmt.Sprintf("OLD-%d", i+1), sev)
		f.Title = "Summary with <!channel> & friends > " + f.Title
		changes = append(changes, change(f, radar.TransitionNew, ""))
	}
	h.mustRun(changes...)
	ms := h.messages("")
	parents, _ := split(ms)
	summaries, individual := 0, 0
	for _, m := range parents {
		if strings.HasPrefix(m.Text, "Radar: 500 open findings") {
			summaries++
		} else {
			individual++
		}
	}
	if summaries < 1 || summaries > 4 {
		t.Errorf("summary messages = %d, want 1 to 4", summaries)
	}
	if individual != 5 {
		t.Errorf("individual messages = %d, want 5 (the critical ones)", individual)
	}
	for _, m := range ms {
		if strings.Contains(blockText(m), "<!channel>") || strings.Contains(m.Text, "<!channel>") {
			t.Fatalf("message pings the channel: %s", m.Text)
		}
		if !strings.Contains(m.Text, "OLD-") && !strings.Contains(blockText(m), "&lt;!channel&gt; &amp; friends &gt;") {
			t.Errorf("message does not show the escaped summary: %s", blockText(m))
		}
	}

	// Unchanged next run: silence. Then one summarised finding escalates:
	// it gets its own message, not a reply to nothing.
	h.mustRun(changes[1])
	if got := len(h.messages("")); got != len(ms) {
		t.Fatalf("messages after a repeated run = %d, want %d", got, len(ms))
	}
	esc := changes[1]
	esc.Finding.Severity = radar.SeverityCritical
	esc.Transition = radar.TransitionEscalated
	h.mustRun(esc)
	after := h.messages("")
	if len(after) != len(ms)+1 {
		t.Fatalf("messages after escalation = %d, want %d", len(after), len(ms)+1)
	}
	last := after[len(after)-1]
	if last.ThreadTS != "" || !strings.Contains(last.Text, "OLD-2") {
		t.Errorf("escalated summarised finding = %+v, want its own parent message about OLD-2", last)
	}
	// Resolving it now replies in its new thread.
	res := esc
	res.Transition = radar.TransitionResolved
	h.mustRun(res)
	_, replies := split(h.messages(""))
	if got := len(replies[last.TS]); got != 1 {
		t.Errorf("replies to the escalated finding = %d, want 1", got)
	}
}

func TestTooManyNewAtOnceSummarises(t *testing.T) {
	h := newHarness(t, []config.Route{route("#delivery")})
	h.cfg.MaxIndividual = 3
	h.restart()
	h.mustRun()
	var few, many []radar.FindingChange
	for i := 0; i < 3; i++ {
		few = append(few, change(finding(radar.KindStale, fmt.Sprintf("A-%d", i), radar.SeverityWarning), radar.TransitionNew, ""))
	}
	for i := 0; i < 4; i++ {
		many = append(many, change(finding(radar.KindStale, fmt.Sprintf("B-%d", i), radar.SeverityWarning), radar.TransitionNew, ""))
	}
	h.mustRun(few...)
	if got := len(h.messages("")); got != 3 {
		t.Fatalf("three new findings (max_individual 3): %d messages, want 3", got)
	}
	h.mustRun(many...)
	ms := h.messages("")
	if len(ms) != 4 || !strings.HasPrefix(ms[3].Text, "Radar: 4 open findings") {
		t.Fatalf("four new findings (max_individual 3): got %d messages, last %q; want one summary", len(ms), ms[len(ms)-1].Text)
	}
}

func TestDryRunSendsNothing(t *testing.T) {
	h := newHarness(t, []config.Route{route("#delivery")})
	h.mustRun()
	report := radar.Report{GeneratedAt: h.now, Findings: []radar.Finding{
		finding(radar.KindBlocker, "PAY-1", radar.SeverityCritical),
		finding(radar.KindStale, "PAY-2", radar.SeverityWarning),
	}}
	got, err := h.a.DryRun(context.Background(), report)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Op != "parent" || got[0].Channel != "#delivery" {
		t.Errorf("dry run = %+v, want two parent messages to #delivery", got)
	}
	if n := len(h.messages("")); n != 0 {
		t.Errorf("dry run sent %d messages", n)
	}
	if n := h.pending(); n != 0 {
		t.Errorf("dry run recorded %d outbox rows", n)
	}
	if n := h.slack.Requests()["users.lookupByEmail"]; n != 0 {
		t.Errorf("dry run called users.lookupByEmail %d times", n)
	}
}

func TestBacklogOfCriticalsIsCapped(t *testing.T) {
	h := newHarness(t, []config.Route{route("#leads", func(r *config.Route) { r.MinSeverity = "critical"; r.Audience = "exec" })})
	var changes []radar.FindingChange
	for i := 0; i < 30; i++ {
		changes = append(changes, change(finding(radar.KindOverdue, fmt.Sprintf("OLD-%d", i+1), radar.SeverityCritical), radar.TransitionNew, ""))
	}
	h.mustRun(changes...)
	parents, _ := split(h.messages(""))
	if got, want := len(parents), 1+10; got != want {
		t.Errorf("messages for a backlog of 30 criticals = %d, want %d (one summary, max_individual own messages)", got, want)
	}
}
