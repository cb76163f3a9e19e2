package alerts_test

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/config"
	"github.com/radarhq/radar/slacksim"
)

// ourMarkup is the mrkdwn Radar writes itself: issue links and mentions.
var ourMarkup = regexp.MustCompile(`<https://jira\.example\.com/browse/[A-Z][A-Z0-9_]*-[0-9]+\|[A-Z][A-Z0-9_]*-[0-9]+>|<@U[A-Z0-9]+>`)

// entity matches the escapes Slack knows, so a bare & can be told apart.
var entity = regexp.MustCompile(`&(amp|lt|gt);`)

// bidiControls are the characters that reorder displayed text.
const bidiControls = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"

// assertSafeMrkdwn fails when s could do more than show text: a raw <, > or
// & Radar did not write, a bidi control, invalid UTF-8, a C0 control.
func assertSafeMrkdwn(t *testing.T, where, s string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Errorf("%s: invalid UTF-8: %q", where, s)
	}
	if i := strings.IndexAny(s, bidiControls); i >= 0 {
		t.Errorf("%s: bidi control %U survives at byte %d", where, []rune(s[i:])[0], i)
	}
	rest := entity.ReplaceAllString(ourMarkup.ReplaceAllString(s, ""), "")
	if i := strings.IndexAny(rest, "<>&"); i >= 0 {
		t.Errorf("%s: raw %q in %q", where, rest[i], short(rest[max(0, i-40):]))
	}
	for _, r := range strings.ReplaceAll(s, "\n", "") {
		if r < 0x20 || r == 0x7f {
			t.Errorf("%s: control character %U in %q", where, r, short(s))
			break
		}
	}
}

func short(s string) string {
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}

// rendered splits a message into its mrkdwn texts (the notification text
// and every section, field and context) and its plain_text headers, which
// Slack shows verbatim and never parses for mentions or links.
func rendered(t *testing.T, text string, blocks json.RawMessage) (mrkdwn, plain []string) {
	t.Helper()
	if len(blocks) > 0 && !slacksim.ValidBlocks(blocks) {
		t.Errorf("blocks break Block Kit limits: %s", short(string(blocks)))
	}
	var bs []struct {
		Type     string                        `json:"type"`
		Text     *struct{ Type, Text string }  `json:"text"`
		Fields   []struct{ Type, Text string } `json:"fields"`
		Elements []struct{ Type, Text string } `json:"elements"`
	}
	if err := json.Unmarshal(blocks, &bs); err != nil {
		t.Fatalf("blocks: %v", err)
	}
	mrkdwn = append(mrkdwn, text)
	add := func(typ, s string) {
		if typ == "plain_text" {
			plain = append(plain, s)
		} else {
			mrkdwn = append(mrkdwn, s)
		}
	}
	for _, b := range bs {
		if b.Text != nil {
			add(b.Text.Type, b.Text.Text)
		}
		for _, f := range append(b.Fields, b.Elements...) {
			add(f.Type, f.Text)
		}
	}
	return mrkdwn, plain
}

// assertSafePlain fails when plain text could mislead a reader: a bidi
// control, invalid UTF-8 or a control character.
func assertSafePlain(t *testing.T, where, s string) {
	t.Helper()
	if !utf8.ValidString(s) || strings.ContainsAny(s, bidiControls) || strings.IndexFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0 {
		t.Errorf("%s: unsafe plain text %q", where, short(s))
	}
}

func TestUntrustedTextInSlack(t *testing.T) {
	long := strings.Repeat("Lorem ipsum & <dolor> sit amet ", 100*1024/31) // ~100 KB
	tests := []struct {
		name string
		text string   // put in the title, detail, assignee, version names and the project
		want []string // must appear in some message (escaped and cut as shown)
		deny []string // must appear in none
	}{
		{"mrkdwn control", "Fix <!channel> <@U999> <https://evil.example|click> & <!subteam^S1>",
			[]string{"Fix &lt;!channel&gt; &lt;@U999&gt; &lt;https://evil.example|click&gt; &amp; &lt;!subteam^S1&gt;"},
			[]string{"<!channel>", "<@U999>", "<https://evil", "<!subteam"}},
		{"html", `<script>alert("x")</script><img src=x onerror=alert(1)>`,
			[]string{"&lt;script&gt;alert(\"x\")&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"},
			[]string{"<script", "<img"}},
		{"entity lookalike", "&lt;!channel&gt; &#60;!here&#62;",
			[]string{"&amp;lt;!channel&amp;gt; &amp;#60;!here&amp;#62;"}, []string{"&lt;!channel&gt;"}},
		{"right-to-left override", "Fix login \u202egnp.exe\u202c now \u2066isolated\u2069 \u200fmark",
			[]string{"Fix login gnp.exe now isolated mark"}, nil},
		{"invalid UTF-8", "Legacy caf\xe9 \xff\xfe export",
			[]string{"Legacy caf\uFFFD \uFFFD export"}, nil},
		{"control characters", "line\r\nbreak\tand\x1b[31m red\x00 nul",
			[]string{"line  break and [31m red  nul"}, []string{"\x1b", "\x00", "\r"}},
		{"very long", long, []string{"Lorem ipsum &amp; &lt;dolor&gt; sit amet", "…"}, nil},
		{"emoji and scripts", "Café 🚀 日本語 עברית العربية 👩‍💻", []string{"Café 🚀 日本語 עברית العربية 👩‍💻"}, nil},
	}
	for _, tt := range tests {
		for _, audience := range []string{"team", "exec"} {
			t.Run(tt.name+"_"+audience, func(t *testing.T) {
				h := newHarness(t, []config.Route{route("#delivery", func(r *config.Route) { r.Audience = audience })})
				h.mustRun()
				blocker := finding(radar.KindBlocker, "PAY-1", radar.SeverityCritical)
				blocker.Title, blocker.Detail = tt.text, tt.text
				blocker.Evidence = radar.BlockerFacts{IssueFacts: radar.IssueFacts{Assignee: tt.text}, BlastRadius: 3,
					DirectDependents: []string{"PAY-2", tt.text}, VersionsAffected: []string{tt.text, "PAY 2.0"}}
				release := finding(radar.KindReleaseAtRisk, tt.text, radar.SeverityWarning)
				release.Project, release.Title = tt.text, tt.text
				release.Evidence = radar.ReleaseAtRiskFacts{TrackRecord: tt.text, ReleaseDate: radar.MustParseDate("2026-04-01"), OnTimeProbability: 0.2,
					CriticalPath: []string{"PAY-1", tt.text}}
				person := finding(radar.KindOverloadedAssignee, tt.text, radar.SeverityWarning)
				person.Project, person.Title = "PAY", tt.text+" has 7 issues in progress"
				fs := []radar.Finding{blocker, release, person}
				report := radar.Report{GeneratedAt: h.now, Findings: fs}

				var texts, plain []string
				collect := func(text string, blocks json.RawMessage) {
					m, p := rendered(t, text, blocks)
					texts, plain = append(texts, m...), append(plain, p...)
				}
				dry, err := h.a.DryRun(context.Background(), report)
				if err != nil {
					t.Fatal(err)
				}
				for _, m := range dry {
					var msg struct {
						Text   string          `json:"text"`
						Blocks json.RawMessage `json:"blocks"`
					}
					if err := json.Unmarshal(m.Message, &msg); err != nil {
						t.Fatal(err)
					}
					collect(msg.Text, msg.Blocks)
				}
				var changes []radar.FindingChange
				for _, f := range fs {
					changes = append(changes, change(f, radar.TransitionNew, ""))
				}
				h.mustRun(changes...)
				blocker.Severity = radar.SeverityWarning
				h.mustRun(change(blocker, radar.TransitionEscalated, radar.SeverityCritical), change(release, radar.TransitionUnchanged, ""),
					change(person, radar.TransitionUnchanged, ""))
				if err := h.a.Digest(context.Background(), 0, report); err != nil {
					t.Fatal(err)
				}
				ms := h.messages("")
				if len(ms) < 3 {
					t.Fatalf("Slack got %d messages, want findings, a reply and a digest", len(ms))
				}
				for _, m := range ms {
					collect(m.Text, m.Blocks)
				}
				for _, s := range plain {
					assertSafePlain(t, "header", s)
				}
				for _, s := range texts {
					assertSafeMrkdwn(t, "mrkdwn", s)
					if len(s) > 40000 {
						t.Errorf("a text of %d bytes; Slack cuts text at 40000", len(s))
					}
				}
				all := strings.Join(texts, "\n")
				for _, w := range tt.want {
					if !strings.Contains(all, w) {
						t.Errorf("no message shows %q; got:\n%s", w, short(all))
					}
				}
				for _, d := range tt.deny {
					if strings.Contains(all, d) {
						t.Errorf("%q survived", d)
					}
				}
			})
		}
	}
}
