package alerts_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/config"
)

func digestReport(t *testing.T, h *harness, n int) radar.Report {
	r := radar.Report{GeneratedAt: h.now}
	for i := 0; i < n; i++ {
		f := finding(radar.KindStale, fmt.Sprintf("PAY-%d", 100+i), radar.SeverityWarning)
		r.Findings = append(r.Findings, f)
	}
	for i, radius := range []int{3, 40, 12, 7, 1, 25} {
		f := kindFinding(t, radar.KindBlocker)
		f.ID = fmt.Sprintf("blocker:PAY-%d", i+1)
		f.Issue = fmt.Sprintf("PAY-%d", i+1)
		f.Title = fmt.Sprintf("PAY-%d blocks %d issues", i+1, radius)
		f.Evidence = radar.BlockerFacts{IssueFacts: radar.IssueFacts{Assignee: "Ada Lovelace", AssigneeEmail: "ada@example.com"}, BlastRadius: radius}
		r.Findings = append(r.Findings, f)
	}
	// Releases at risk are findings (the analysis makes one per version
	// whose forecast misses its date); PAY 1.9 is on time.
	for _, v := range []struct {
		project, name, p85 string
		sev                radar.Severity
		onTime             float64
	}{{"PAY", "2.0", "2026-04-12", radar.SeverityWarning, 0.31}, {"WEB", "5.1", "2026-06-01", radar.SeverityCritical, 0.05}} {
		f := kindFinding(t, radar.KindReleaseAtRisk)
		f.ID, f.Project, f.Issue, f.Severity = "release_at_risk:"+v.project+":"+v.name, v.project, v.name, v.sev
		f.Title = v.project + " " + v.name + " will likely miss 2026-04-01"
		ev := f.Evidence.(radar.ReleaseAtRiskFacts)
		ev.P85, ev.OnTimeProbability = radar.MustParseDate(v.p85), v.onTime
		f.Evidence = ev
		r.Findings = append(r.Findings, f)
	}
	r.Versions = []radar.VersionForecast{
		{Project: "PAY", Name: "2.0", ReleaseDate: radar.MustParseDate("2026-04-01"), P50: radar.MustParseDate("2026-03-28"), P85: radar.MustParseDate("2026-04-12"), P95: radar.MustParseDate("2026-04-20"), OnTimeProbability: 0.31},
		{Project: "PAY", Name: "1.9", ReleaseDate: radar.MustParseDate("2026-05-01"), P85: radar.MustParseDate("2026-04-12"), OnTimeProbability: 0.97},
		{Project: "WEB", Name: "5.1", ReleaseDate: radar.MustParseDate("2026-04-01"), P85: radar.MustParseDate("2026-06-01"), OnTimeProbability: 0.05},
	}
	return r
}

func TestDigest(t *testing.T) {
	h := newHarness(t, []config.Route{route("#pay", func(r *config.Route) {
		r.Projects = []string{"PAY"}
		r.Digest = "0 9 * * MON-FRI"
	})})
	if got := h.a.DigestSpec(0); got != "0 9 * * MON-FRI" {
		t.Errorf("DigestSpec(0) = %q", got)
	}
	h.mustRun()
	report := digestReport(t, h, 3)
	// Tell the channel about two findings, resolve one: the digest says so.
	b1, b2 := report.Findings[3], report.Findings[4]
	h.mustRun(change(b1, radar.TransitionNew, ""), change(b2, radar.TransitionNew, ""))
	h.mustRun(change(b1, radar.TransitionResolved, b1.Severity), change(b2, radar.TransitionUnchanged, b2.Severity))
	report.Findings = append(report.Findings[:3], report.Findings[4:]...)

	before := len(h.messages(""))
	if err := h.a.Digest(context.Background(), 0, report); err != nil {
		t.Fatal(err)
	}
	ms := h.messages("")[before:]
	if len(ms) != 1 {
		t.Fatalf("digest messages = %d, want 1", len(ms))
	}
	text := blockText(ms[0])
	for _, want := range []string{
		"*Open findings: 9*", "• Blocker: 5", "• Release at risk: 1", "• Stale: 3",
		"*Top blockers by blast radius*\n• 🔴 <https://jira.example.com/browse/PAY-2|PAY-2>: 40 issues wait",
		"*Releases at risk*\n• 🟠 PAY 2.0: P85 2026-04-12 against release date 2026-04-01 · on time 31%",
		"*New so far (1)*\n• <https://jira.example.com/browse/PAY-2|PAY-2> blocker",
		"*Resolved so far (1)*\n• <https://jira.example.com/browse/PAY-1|PAY-1> blocker",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("digest lacks %q:\n%s", want, text)
		}
	}
	for _, unwanted := range []string{"WEB 5.1", "PAY 1.9"} {
		if strings.Contains(text, unwanted) {
			t.Errorf("digest lists %q: another project's or an on-time release", unwanted)
		}
	}
	golden(t, "digest_team.json", indent(t, ms[0].Blocks))

	// The next digest only reports what changed since this one.
	h.now = h.now.Add(24 * 60 * 60 * 1e9)
	if err := h.a.Digest(context.Background(), 0, report); err != nil {
		t.Fatal(err)
	}
	last := h.messages("")[len(h.messages(""))-1]
	if strings.Contains(blockText(last), "since the last digest") || strings.Contains(blockText(last), "so far") {
		t.Errorf("second digest repeats old changes:\n%s", blockText(last))
	}
}

func TestDigestSplitsLargeBacklogs(t *testing.T) {
	h := newHarness(t, []config.Route{route("#all")})
	h.mustRun()
	report := digestReport(t, h, 1200)
	for i := range report.Findings {
		report.Findings[i].Title = strings.Repeat("long summary & <b> ", 8)
	}
	if err := h.a.Digest(context.Background(), 0, report); err != nil {
		t.Fatalf("digest: %v (Slack refuses messages over Block Kit limits)", err)
	}
	ms := h.messages("")
	if len(ms) < 2 {
		t.Fatalf("digest of 1206 findings = %d messages, want it split", len(ms))
	}
	lines := 0
	for _, m := range ms {
		var blocks []json.RawMessage
		if err := json.Unmarshal(m.Blocks, &blocks); err != nil {
			t.Fatal(err)
		}
		if len(blocks) > 50 {
			t.Errorf("message with %d blocks, Slack allows 50", len(blocks))
		}
		lines += strings.Count(blockText(m), "• 🟠") + strings.Count(blockText(m), "• 🔴")
	}
	if lines < 1206 {
		t.Errorf("digest lists %d findings, want all 1206", lines)
	}
	if err := h.a.Digest(context.Background(), 5, report); err == nil || !strings.Contains(err.Error(), "1 routes") {
		t.Errorf("Digest(5) error = %v, want one naming the route count", err)
	}
}

func TestDigestReleasesAtRiskFollowTheRoute(t *testing.T) {
	tests := []struct {
		name  string
		route func(*config.Route)
		want  []string // release lines; none means no section
	}{
		{"every kind", func(r *config.Route) {}, []string{
			"• 🔴 WEB 5.1: P85 2026-06-01 against release date 2026-04-01 · on time 5%",
			"• 🟠 PAY 2.0: P85 2026-04-12 against release date 2026-04-01 · on time 31%"}},
		{"one project", func(r *config.Route) { r.Projects = []string{"PAY"} }, []string{
			"• 🟠 PAY 2.0: P85 2026-04-12 against release date 2026-04-01 · on time 31%"}},
		{"critical only", func(r *config.Route) { r.MinSeverity = "critical" }, []string{
			"• 🔴 WEB 5.1: P85 2026-06-01 against release date 2026-04-01 · on time 5%"}},
		{"blockers only", func(r *config.Route) { r.Kinds = []string{string(radar.KindBlocker)} }, nil},
		{"critical releases of one project that is on warning", func(r *config.Route) {
			r.Kinds, r.MinSeverity, r.Projects = []string{string(radar.KindReleaseAtRisk)}, "critical", []string{"PAY"}
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, []config.Route{route("#d", tt.route)})
			if err := h.a.Digest(context.Background(), 0, digestReport(t, h, 1)); err != nil {
				t.Fatal(err)
			}
			var text string
			for _, m := range h.messages("") {
				text += blockText(m) + "\n"
			}
			if len(tt.want) == 0 {
				if strings.Contains(text, "Releases at risk") {
					t.Errorf("digest has a releases section; the route does not take release_at_risk findings:\n%s", text)
				}
				return
			}
			want := "*Releases at risk*\n" + strings.Join(tt.want, "\n") + "\n"
			if !strings.Contains(text, want) {
				t.Errorf("digest lacks\n%s\ngot:\n%s", want, text)
			}
		})
	}
}

func TestDigestListsOverdueReleases(t *testing.T) {
	h := newHarness(t, []config.Route{route("#d", func(r *config.Route) {})})
	rep := digestReport(t, h, 1)
	f := kindFinding(t, radar.KindReleaseOverdue)
	f.ID, f.Project, f.Severity = "release_overdue:PAY:1.9", "PAY", radar.SeverityCritical
	rep.Findings = append(rep.Findings, f)
	if err := h.a.Digest(context.Background(), 0, rep); err != nil {
		t.Fatal(err)
	}
	var text string
	for _, m := range h.messages("") {
		text += blockText(m) + "\n"
	}
	if want := "*Releases overdue*\n• 🔴 PAY 1.9: due 2026-01-15, 45 days ago, 12 open\n"; !strings.Contains(text, want) {
		t.Errorf("digest lacks\n%s\ngot:\n%s", want, text)
	}
}
