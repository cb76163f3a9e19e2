package analysis

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/radarhq/radar"
)

// hostileTexts are Jira texts that try to do more than show themselves.
var hostileTexts = []struct {
	name string
	text string
	want map[string]string // surface -> what it must show
}{
	{"markup", "<!channel> <script>alert(1)</script> [click](http://evil.example) *bold* `code` a|b & c",
		map[string]string{
			"table":    "<!channel> <script>alert(1)</script> [click](http://evil.example) *bold* `code` a|b & c",
			"markdown": "&lt;!channel&gt; &lt;script&gt;alert(1)&lt;/script&gt; \\[click\\](http://evil.example) \\*bold\\* \\`code\\` a\\|b &amp; c",
			"dot":      "<!channel> <script>alert(1)</sc",
			"mermaid":  "#60;!channel#62; #60;script#62;alert(1)#60;/sc",
		}},
	{"dot and mermaid breakout", "x\"]; evil [label=\"pwn\\\" -->\n  n9[\"#quot; ]\n%%{init: {}}%%",
		map[string]string{
			"table":    `x"]; evil [label="pwn\" -->   n9["#quot; ] %%{init: {}}%%`,
			"markdown": `x"\]; evil \[label="pwn\\" --&gt;   n9\["#quot; \] %%{init: {}}%%`,
			"dot":      `x\"]; evil [label=\"pwn\\\" -->   n9[\"#q`,
			"mermaid":  `x#34;]; evil [label=#34;pwn\#34; --#62;   n9[#34;#35;q`,
		}},
	{"right-to-left override", "Fix login \u202egnp.exe\u202c \u2066iso\u2069 \u200fmark\u061c",
		map[string]string{"table": "Fix login gnp.exe iso mark", "markdown": "Fix login gnp.exe iso mark",
			"dot": "Fix login gnp.exe iso mark", "mermaid": "Fix login gnp.exe iso mark"}},
	{"invalid UTF-8", "Legacy caf\xe9 \xff export",
		map[string]string{"table": "Legacy caf\uFFFD \uFFFD export", "markdown": "Legacy caf\uFFFD \uFFFD export",
			"dot": "Legacy caf\uFFFD \uFFFD export", "mermaid": "Legacy caf\uFFFD \uFFFD export"}},
	{"control characters", "line\r\nbreak\tand\x1b[2J\x1b[31m red\u2028sep\x00",
		map[string]string{"table": "line  break and [2J [31m red sep", "markdown": "line  break and \\[2J \\[31m red sep",
			"dot": "line  break and [2J [31m red s", "mermaid": "line  break and [2J [31m red s"}},
	{"very long", strings.Repeat("Lorem ipsum dolor sit amet ", 100*1024/27),
		map[string]string{"table": "Lorem ipsum dolor sit amet Lorem", "markdown": "Lorem ipsum dolor sit amet Lorem",
			"dot": "Lorem ipsum dolor sit amet Lorem ipsum …", "mermaid": "Lorem ipsum dolor sit amet Lorem ipsum …"}},
	{"emoji and scripts", "Café 🚀 日本語 עברית 👩‍💻",
		map[string]string{"table": "Café 🚀 日本語 עברית 👩‍💻", "markdown": "Café 🚀 日本語 עברית 👩‍💻",
			"dot": "Café 🚀 日本語 עברית 👩‍💻", "mermaid": "Café 🚀 日本語 עברית 👩‍💻"}},
}

// assertDisplayable fails on invalid UTF-8, bidi controls, and control
// characters other than the newlines between lines.
func assertDisplayable(t *testing.T, surface, out string) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Errorf("%s: invalid UTF-8", surface)
	}
	if i := strings.IndexFunc(out, radar.IsBidiControl); i >= 0 {
		t.Errorf("%s: bidi control %U survives", surface, []rune(out[i:])[0])
	}
	if i := strings.IndexFunc(out, func(r rune) bool { return r != '\n' && (r < 0x20 || (r >= 0x7f && r < 0xa0)) }); i >= 0 {
		t.Errorf("%s: control character %U survives", surface, []rune(out[i:])[0])
	}
}

// unescaped counts the occurrences of c not escaped by a backslash.
func unescaped(s string, c byte) int {
	n := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case c:
			n++
		}
	}
	return n
}

func hostileReport(text string) radar.Report {
	return radar.Report{GeneratedAt: propNow, Findings: []radar.Finding{
		{ID: "stale:X-1", Kind: radar.KindStale, Severity: radar.SeverityWarning, Project: "X", Issue: "X-1", Title: text, Detail: text,
			Evidence: radar.StaleFacts{IssueFacts: radar.IssueFacts{Summary: text}}},
		{ID: "overloaded_assignee:" + text, Kind: radar.KindOverloadedAssignee, Severity: radar.SeverityInfo, Project: text, Issue: text,
			Title: text + " has 7 issues in progress", Detail: "Finish before starting more."},
	}, Versions: []radar.VersionForecast{{Project: "X", Name: text, ReleaseDate: radar.MustParseDate("2026-04-01"), P50: radar.MustParseDate("2026-03-28"), P85: radar.MustParseDate("2026-04-12"),
		P95: radar.MustParseDate("2026-04-20"), OnTimeProbability: 0.3, CriticalPath: []string{"X-1", text}}}}
}

func TestUntrustedTextInReports(t *testing.T) {
	for _, tt := range hostileTexts {
		t.Run(tt.name, func(t *testing.T) {
			rep := hostileReport(tt.text)

			var table bytes.Buffer
			if err := WriteTable(&table, rep); err != nil {
				t.Fatal(err)
			}
			out := table.String()
			assertDisplayable(t, "table", out)
			// Title line, blank, header, two findings, blank, header, one version.
			if got, want := strings.Count(out, "\n"), 8; got != want {
				t.Errorf("table has %d lines, want %d: text broke a row:\n%s", got, want, out)
			}
			for _, l := range strings.Split(out, "\n") {
				if n := utf8.RuneCountInString(l); n > 3*maxName+maxTitle+maxProse+200 {
					t.Errorf("table line of %d characters: long text is not cut", n)
				}
			}
			if !strings.Contains(out, tt.want["table"]) {
				t.Errorf("table lacks %q:\n%s", tt.want["table"], out)
			}

			var md bytes.Buffer
			if err := WriteMarkdown(&md, rep); err != nil {
				t.Fatal(err)
			}
			out = md.String()
			assertDisplayable(t, "markdown", out)
			rest := regexp.MustCompile(`&(amp|lt|gt);`).ReplaceAllString(out, "")
			if strings.ContainsAny(rest, "<>&") {
				t.Errorf("markdown has raw HTML control characters:\n%s", out)
			}
			for _, l := range strings.Split(out, "\n") {
				if !strings.HasPrefix(l, "| ") {
					continue
				}
				cells := unescaped(l, '|') - 1
				if want := 6; strings.Contains(l, "2026-04-01") || strings.Contains(l, "Critical path") {
					if cells != 8 {
						t.Errorf("version row has %d cells, want 8: %s", cells, l)
					}
				} else if cells != want {
					t.Errorf("finding row has %d cells, want %d: %s", cells, want, l)
				}
				if n := utf8.RuneCountInString(l); n > 2*(3*maxName+2*maxTitle+2*maxProse) {
					t.Errorf("markdown row of %d characters: long text is not cut", n)
				}
			}
			if !strings.Contains(out, tt.want["markdown"]) {
				t.Errorf("markdown lacks %q:\n%s", tt.want["markdown"], out)
			}

			g := GraphView{Nodes: []GraphNode{{Key: "X-1", Summary: tt.text, Blocker: true}, {Key: tt.text, Summary: tt.text, External: true}},
				Edges: []GraphEdge{{From: "X-1", To: tt.text, Kind: EdgeBlocks, CrossProject: true}}}
			var dot bytes.Buffer
			if err := g.WriteDOT(&dot); err != nil {
				t.Fatal(err)
			}
			out = dot.String()
			assertDisplayable(t, "dot", out)
			lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			if got, want := len(lines), 7; got != want {
				t.Errorf("DOT has %d lines, want %d:\n%s", got, want, out)
			}
			for _, l := range lines[3 : len(lines)-1] {
				if unescaped(l, '"')%2 != 0 || !strings.HasSuffix(l, ";") {
					t.Errorf("DOT statement broken by text: %s", l)
				}
			}
			if !strings.Contains(out, tt.want["dot"]) {
				t.Errorf("DOT lacks %q:\n%s", tt.want["dot"], out)
			}

			var mmd bytes.Buffer
			if err := g.WriteMermaid(&mmd); err != nil {
				t.Fatal(err)
			}
			out = mmd.String()
			assertDisplayable(t, "mermaid", out)
			node := regexp.MustCompile(`^  n[0-9]+\["[^"<>&` + "`" + `]*"\]$`)
			lines = strings.Split(out, "\n")
			for _, l := range lines[1:3] {
				if !node.MatchString(l) {
					t.Errorf("Mermaid node broken by text: %s", l)
				}
				if n := utf8.RuneCountInString(l); n > 6*(maxName+maxLabel)+20 {
					t.Errorf("Mermaid label of %d characters: long text is not cut", n)
				}
			}
			if got, want := lines[3], "  n0 --> n1"; got != want {
				t.Errorf("Mermaid edge = %q, want %q", got, want)
			}
			if !strings.Contains(out, tt.want["mermaid"]) {
				t.Errorf("Mermaid lacks %q:\n%s", tt.want["mermaid"], out)
			}
		})
	}
}
