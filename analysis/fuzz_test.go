package analysis

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/radarhq/radar"
)

// Seeds live in testdata/fuzz/<FuzzName>/; crashers found there stay as
// regression cases that plain go test runs.

func hasControl(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool {
		return r < 0x20 || (r >= 0x7f && r < 0xa0) || r == '\u2028' || r == '\u2029' || radar.IsBidiControl(r)
	}) >= 0
}

var htmlEntity = regexp.MustCompile(`&(amp|lt|gt);`)

// FuzzReportText: terminal and Markdown text is one valid UTF-8 line with
// no control or bidi characters, Markdown has no raw HTML control character
// nor an unescaped cell separator, and a cut keeps to its limit.
func FuzzReportText(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string, n int) {
		n = n % 500
		if n < 0 {
			n = -n
		}
		p := plainText(s)
		if !utf8.ValidString(p) || hasControl(p) {
			t.Fatalf("plainText(%q) = %q", s, p)
		}
		if utf8.ValidString(s) && !hasControl(s) && p != s {
			t.Fatalf("plainText changed plain text %q to %q", s, p)
		}
		pn := plainTextN(s, n)
		if c := utf8.RuneCountInString(pn); c > n {
			t.Fatalf("plainTextN(%q, %d) = %d characters", s, n, c)
		}
		if body, ok := strings.CutSuffix(pn, "…"); ok && pn != p && !strings.HasPrefix(p, body) {
			t.Fatalf("plainTextN(%q, %d) = %q: not a prefix", s, n, pn)
		}
		m := markdownTextN(s, n)
		if !utf8.ValidString(m) || hasControl(m) {
			t.Fatalf("markdownText(%q) = %q", s, m)
		}
		if strings.ContainsAny(htmlEntity.ReplaceAllString(m, ""), "<>&") {
			t.Fatalf("markdownText(%q) = %q: raw HTML control character", s, m)
		}
		if got := unescaped(m, '|'); got != 0 {
			t.Fatalf("markdownText(%q) = %q: %d unescaped |", s, m, got)
		}
		if strings.HasSuffix(m, `\`) && unescaped(m+"x", 'x') == 0 {
			t.Fatalf("markdownText(%q) = %q ends in a lone backslash that escapes the cell separator", s, m)
		}
	})
}

// FuzzGraphLabels: keys and summaries cannot add statements to DOT or
// Mermaid output, nor leave their quoted labels.
func FuzzGraphLabels(f *testing.F) {
	mermaidNode := regexp.MustCompile(`^  n[0-9]+\["[^"<>&` + "`" + `]*"\]$`)
	f.Fuzz(func(t *testing.T, key, summary string) {
		if key == "PAY-1" {
			return // the two nodes must differ
		}
		g := GraphView{Nodes: []GraphNode{{Key: "PAY-1", Summary: summary, Critical: true}, {Key: key, Summary: summary, External: true}},
			Edges: []GraphEdge{{From: "PAY-1", To: key, Kind: EdgeBlocks}, {From: key, To: "PAY-1", Kind: EdgeParent}}}
		var dot, mmd bytes.Buffer
		if err := g.WriteDOT(&dot); err != nil {
			t.Fatal(err)
		}
		if err := g.WriteMermaid(&mmd); err != nil {
			t.Fatal(err)
		}
		for _, out := range []string{dot.String(), mmd.String()} {
			if !utf8.ValidString(out) || hasControl(strings.ReplaceAll(out, "\n", "")) {
				t.Fatalf("output is not clean text:\n%q", out)
			}
		}
		lines := strings.Split(strings.TrimSuffix(dot.String(), "\n"), "\n")
		if len(lines) != 8 || lines[len(lines)-1] != "}" {
			t.Fatalf("DOT has %d lines, want 8:\n%s", len(lines), dot.String())
		}
		for _, l := range lines[3:7] {
			if !strings.HasPrefix(l, `  "`) || !strings.HasSuffix(l, ";") || unescaped(l, '"')%2 != 0 {
				t.Fatalf("DOT statement broken: %q", l)
			}
			// Outside quoted strings only DOT syntax Radar wrote remains.
			var outside strings.Builder
			in := false
			for i := 0; i < len(l); i++ {
				switch {
				case in && l[i] == '\\':
					i++
				case l[i] == '"':
					in = !in
				case !in:
					outside.WriteByte(l[i])
				}
			}
			if o := outside.String(); strings.ContainsAny(o, "{}\n") || strings.Count(o, "[") > 1 {
				t.Fatalf("DOT statement %q has text outside its strings: %q", l, o)
			}
		}
		lines = strings.Split(mmd.String(), "\n")
		for _, l := range lines[1:3] {
			if !mermaidNode.MatchString(l) {
				t.Fatalf("Mermaid node broken: %q", l)
			}
		}
		if lines[3] != "  n0 --> n1" || lines[4] != "  n1 -.->|parent| n0" {
			t.Fatalf("Mermaid edges broken:\n%s", mmd.String())
		}
	})
}
