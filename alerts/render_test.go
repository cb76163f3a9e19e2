package alerts_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/alerts"
	"github.com/radarhq/radar/config"
	"github.com/radarhq/radar/slacksim"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/golden")

// golden compares got with testdata/golden/name, rewriting it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run go test -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; got:\n%s", name, got)
	}
}

func indent(t *testing.T, raw []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		t.Fatal(err)
	}
	buf.WriteByte('\n')
	// Readable goldens: JSON allows these characters unescaped in strings.
	r := strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&")
	return []byte(r.Replace(buf.String()))
}

// roundTrip returns a finding as it comes back from the store's JSON.
func roundTrip(t *testing.T, f radar.Finding) radar.Finding {
	t.Helper()
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	var out radar.Finding
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// kindFinding is a realistic finding of each kind.
func kindFinding(t *testing.T, kind radar.Kind) radar.Finding {
	f := finding(kind, "PAY-42", radar.SeverityWarning)
	f.Detail = "In progress for 23 days; last update 9 days ago."
	switch kind {
	case radar.KindBlocker:
		f.Severity = radar.SeverityCritical
		f.Title = "PAY-42 Migrate card vault blocks 12 issues"
		f.Evidence = radar.BlockerFacts{
			IssueFacts:            radar.IssueFacts{Assignee: "Ada Lovelace", AssigneeEmail: "ada@example.com"},
			DirectDependents:      []string{"PAY-43", "PAY-44", "PAY-45", "WEB-7", "WEB-8", "WEB-9", "MOB-1"},
			BlastRadius:           12,
			EarliestDownstreamDue: radar.MustParseDate("2026-03-20"),
			VersionsAffected:      []string{"PAY 2.0", "WEB 5.1"},
		}
		f = roundTrip(t, f)
	case radar.KindReleaseAtRisk:
		f.Issue = "2.0"
		f.Title = "PAY 2.0 will likely miss 2026-04-01"
		f.Detail = ""
		f.Evidence = radar.ReleaseAtRiskFacts{
			P50: radar.MustParseDate("2026-03-28"), P85: radar.MustParseDate("2026-04-12"), P95: radar.MustParseDate("2026-04-20"),
			ReleaseDate: radar.MustParseDate("2026-04-01"), OnTimeProbability: 0.31, RemainingItems: 17,
			CriticalPath: []string{"PAY-42", "PAY-43", "PAY-50"}, TrackRecord: "P85 held in 81% of 64 past cases",
		}
	case radar.KindReleaseOverdue:
		f.Issue = "1.9"
		f.Title = "PAY 1.9 is 45 days past its 2026-01-15 release with 12 open issues"
		f.Evidence = radar.ReleaseOverdueFacts{
			ReleaseDate: radar.MustParseDate("2026-01-15"), DaysLate: 45, OpenIssues: 12, RemainingItems: 10,
			P50: radar.MustParseDate("2026-04-02"), P85: radar.MustParseDate("2026-05-01"), LateDependencies: []string{"PAY-50 waits on WEB-7"},
			TrackRecord: "P85 held in 81% of 64 past cases",
		}
	case radar.KindOverloadedAssignee:
		f.Issue = "Ada Lovelace"
		f.Title = "Ada Lovelace has 7 issues in progress"
	case radar.KindAbandonedWork:
		f.Issue = "PAY"
		f.Title = "PAY has 37 issues in progress but untouched for 180 days or more"
		f.Detail = "Nobody has changed these 37 issues for 190 to 1900 days (most recent first: PAY-12, PAY-7 and 35 more), against 4 issues in progress and touched within 180 days."
	case radar.KindDependencyCycle:
		f.Title = "PAY-42 → PAY-43 → PAY-42 wait on each other"
	}
	return f
}

func TestGoldenFindingMessages(t *testing.T) {
	for _, audience := range []string{"team", "exec"} {
		for _, kind := range radar.Kinds {
			t.Run(string(kind)+"_"+audience, func(t *testing.T) {
				h := newHarness(t, []config.Route{route("#delivery", func(r *config.Route) { r.Audience = audience })})
				h.mustRun()
				f := kindFinding(t, kind)
				got, err := h.a.DryRun(context.Background(), radar.Report{GeneratedAt: h.now, Findings: []radar.Finding{f}})
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != 1 {
					t.Fatalf("dry run = %d messages, want 1", len(got))
				}
				var m struct {
					Blocks json.RawMessage `json:"blocks"`
				}
				if err := json.Unmarshal(got[0].Message, &m); err != nil {
					t.Fatal(err)
				}
				if !slacksim.ValidBlocks(m.Blocks) {
					t.Errorf("blocks break Block Kit limits: %s", m.Blocks)
				}
				text := strings.Join(slacksim.FlattenBlocks(m.Blocks), "\n")
				if audience == "exec" && strings.Contains(text, "Ada") && kind != radar.KindOverloadedAssignee {
					t.Errorf("exec message names the owner: %s", text)
				}
				golden(t, string(kind)+"_"+audience+".json", indent(t, got[0].Message))
			})
		}
	}
}

func TestGoldenThreadReplies(t *testing.T) {
	h := newHarness(t, []config.Route{route("#delivery")})
	h.slack.AddUser(slacksim.User{ID: "U0ADA", Name: "ada", Email: "ada@example.com"})
	h.mustRun()
	f := kindFinding(t, radar.KindBlocker)
	f.Severity = radar.SeverityWarning
	h.mustRun(change(f, radar.TransitionNew, ""))
	f.Severity = radar.SeverityCritical
	h.mustRun(change(f, radar.TransitionEscalated, radar.SeverityWarning))
	res := change(f, radar.TransitionResolved, radar.SeverityCritical)
	res.ResolvedAt = res.FirstSeen.Add(5 * 24 * time.Hour)
	h.mustRun(res)
	h.mustRun(change(f, radar.TransitionReopened, radar.SeverityCritical))
	var out []any
	for _, m := range h.messages("") {
		out = append(out, map[string]any{"thread": m.ThreadTS != "", "text": m.Text, "blocks": m.Blocks, "updates": len(m.Updates)})
		for _, u := range m.Updates {
			out = append(out, map[string]any{"update_of": m.TS, "text": u.Text, "blocks": u.Blocks})
		}
	}
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "blocker_lifecycle.json", indent(t, b))
}

func TestEscapedSummaryArrivesEscaped(t *testing.T) {
	h := newHarness(t, []config.Route{route("#delivery"), route("#execs", func(r *config.Route) { r.Audience = "exec" })})
	h.mustRun()
	f := finding(radar.KindBlocker, "PAY-1", radar.SeverityCritical)
	f.Title = "Fix <!channel> and <@U123> & <https://evil.example|click> > now"
	f.Detail = "<!here> <!everyone>"
	f.Evidence = radar.BlockerFacts{IssueFacts: radar.IssueFacts{Assignee: "<!channel>"}, DirectDependents: []string{"PAY-2|<!here>"}, VersionsAffected: []string{"<!subteam^S1>"}}
	h.mustRun(change(f, radar.TransitionNew, ""))
	ms := h.messages("")
	if len(ms) != 2 {
		t.Fatalf("messages = %d, want 2", len(ms))
	}
	for _, m := range ms {
		for _, s := range []string{m.Text, blockText(m)} {
			for _, bad := range []string{"<!channel>", "<@U123>", "<!here>", "<!everyone>", "<https://evil", "<!subteam"} {
				if strings.Contains(s, bad) {
					t.Errorf("%s: %q arrived unescaped in %q", m.Channel, bad, s)
				}
			}
		}
		if !strings.Contains(blockText(m), "Fix &lt;!channel&gt; and &lt;@U123&gt; &amp; &lt;https://evil.example|click&gt; &gt; now") {
			t.Errorf("%s: title not escaped as expected: %s", m.Channel, blockText(m))
		}
	}
	if !strings.Contains(blockText(ms[0]), "<https://jira.example.com/browse/PAY-1|PAY-1>") {
		t.Errorf("issue link missing: %s", blockText(ms[0]))
	}
}

func TestEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"<!channel>", "&lt;!channel&gt;"},
		{"<@U123>", "&lt;@U123&gt;"},
		{"a & b > c", "a &amp; b &gt; c"},
		{"&amp; stays visible", "&amp;amp; stays visible"},
		{"*bold* _it_ `code`", "*bold* _it_ `code`"},
	}
	for _, tt := range tests {
		if got := alerts.Escape(tt.in); got != tt.want {
			t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
