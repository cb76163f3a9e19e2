package alerts_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

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
		route("#releases", func(r *config.Route) { r.Kinds = []string{string(radar.KindReleaseAtRisk)}; r.Audience = "exec" }),
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
	kinds := []radar.Kind{radar.KindStale, radar.KindOverdue, radar.KindBlocker, radar.KindSprintCarryover, radar.KindFlagged}
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
	unchanged := make([]radar.FindingChange, len(changes))
	for i, c := range changes {
		c.Transition, c.PrevSeverity = radar.TransitionUnchanged, c.Finding.Severity
		unchanged[i] = c
	}
	// with is the unchanged run with change i replaced by c.
	with := func(i int, c radar.FindingChange) []radar.FindingChange {
		cs := append([]radar.FindingChange(nil), unchanged...)
		cs[i] = c
		return cs
	}
	h.mustRun(unchanged...)
	if got := len(h.messages("")); got != len(ms) {
		t.Fatalf("messages after a repeated run = %d, want %d", got, len(ms))
	}
	esc := changes[1]
	esc.Finding.Severity = radar.SeverityCritical
	esc.Transition = radar.TransitionEscalated
	h.mustRun(with(1, esc)...)
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
	h.mustRun(with(1, res)...)
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
	for i := range few {
		few[i].Transition = radar.TransitionUnchanged
	}
	h.mustRun(append(few, many...)...)
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

// A resolution recorded by a run that was never planned (the process
// stopped between recording findings and planning, or `radar analyze
// --record` ran in between) is still told, once, from the finding's last
// recorded state.
func TestUnplannedResolutionIsReconciled(t *testing.T) {
	ctx := context.Background()
	pay1 := finding(radar.KindBlocker, "PAY-1", radar.SeverityWarning)
	pay1.Title = "PAY-1 blocks the checkout release"
	pay2 := finding(radar.KindBlocker, "PAY-2", radar.SeverityWarning)
	tests := []struct {
		name string
		// lost records the run in which PAY-1 resolves and returns its
		// changes, planning nothing or (explicit) planning them too.
		explicit bool
		// redeliver delivers the lost run's changes afterwards, as a retry.
		redeliver bool
	}{
		{name: "recorded, never planned"},
		{name: "recorded, never planned, then redelivered late", redeliver: true},
		{name: "explicit resolution in the same run", explicit: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, []config.Route{route("#a")})
			h.mustRun()
			record := func(fs ...radar.Finding) (radar.Report, []radar.FindingChange) {
				t.Helper()
				report := radar.Report{GeneratedAt: h.now, Findings: fs}
				changes, err := h.st.RecordFindings(ctx, h.now, fs)
				if err != nil {
					t.Fatal(err)
				}
				h.now = h.now.Add(3 * time.Hour)
				return report, changes
			}
			report, changes := record(pay1, pay2)
			if err := h.a.Deliver(ctx, report, changes); err != nil {
				t.Fatal(err)
			}
			lostReport, lostChanges := record(pay2) // PAY-1 resolves
			if tt.explicit {
				if err := h.a.Deliver(ctx, lostReport, lostChanges); err != nil {
					t.Fatal(err)
				}
			}
			// The next run: nothing changed since the lost run, PAY-2 open.
			report, changes = record(pay2)
			for _, c := range changes {
				if c.Transition != radar.TransitionUnchanged {
					t.Fatalf("next run has change %s %s, want only unchanged", c.Finding.ID, c.Transition)
				}
			}
			if err := h.a.Deliver(ctx, report, changes); err != nil {
				t.Fatal(err)
			}
			// An empty list of changes with PAY-2 in the report resolves nothing.
			if err := h.a.Deliver(ctx, radar.Report{GeneratedAt: h.now, Findings: []radar.Finding{pay2}}, nil); err != nil {
				t.Fatal(err)
			}
			if tt.redeliver {
				if err := h.a.Deliver(ctx, lostReport, lostChanges); err != nil {
					t.Fatal(err)
				}
			}

			parents, replies := split(h.messages(""))
			if len(parents) != 2 {
				t.Fatalf("parents = %d, want 2", len(parents))
			}
			p1, p2 := parents[0], parents[1]
			if rs := replies[p1.TS]; len(rs) != 1 || !strings.Contains(rs[0].Text, "Resolved") ||
				!strings.Contains(rs[0].Text, "PAY-1 blocks the checkout release") || !strings.Contains(rs[0].Text, "3 hours") {
				t.Errorf("PAY-1 thread = %+v, want one reply saying it resolved after 3 hours, with its title", rs)
			}
			if len(p1.Updates) != 1 || !strings.Contains(p1.CurrentText, "Resolved") {
				t.Errorf("PAY-1 parent has %d updates, text %q; want one update saying Resolved", len(p1.Updates), p1.CurrentText)
			}
			if len(replies[p2.TS]) != 0 || len(p2.Updates) != 0 {
				t.Errorf("PAY-2 (still open) got %d replies and %d updates, want none", len(replies[p2.TS]), len(p2.Updates))
			}
			if n := h.pending(); n != 0 {
				t.Errorf("pending = %d, want 0", n)
			}
		})
	}
}
