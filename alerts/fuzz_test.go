package alerts

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/radarhq/radar"
)

// Seeds live in testdata/fuzz/<FuzzName>/; crashers found there stay as
// regression cases that plain go test runs.

// slackEntity is an escape Slack knows; any other & is bare.
var slackEntity = regexp.MustCompile(`&(amp|lt|gt);`)

func hasBidi(s string) bool { return strings.IndexFunc(s, radar.IsBidiControl) >= 0 }

// FuzzEscape: Escape's output is valid UTF-8 with no raw <, > or bare &, no
// bidi controls and no control characters, and unescapes to the cleaned
// input; escapeN never grows past its limit.
func FuzzEscape(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string, n int) {
		got := Escape(s)
		if !utf8.ValidString(got) {
			t.Fatalf("Escape(%q) = %q: invalid UTF-8", s, got)
		}
		if strings.ContainsAny(got, "<>") || strings.Contains(slackEntity.ReplaceAllString(got, ""), "&") {
			t.Fatalf("Escape(%q) = %q: raw mrkdwn control character", s, got)
		}
		if strings.Contains(got, "<!channel>") || hasBidi(got) {
			t.Fatalf("Escape(%q) = %q: a mention or bidi control survived", s, got)
		}
		if i := strings.IndexFunc(got, func(r rune) bool { return r < 0x20 || (r >= 0x7f && r < 0xa0) }); i >= 0 {
			t.Fatalf("Escape(%q) = %q: control character at %d", s, got, i)
		}
		un := strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(got)
		if un != clean(s) {
			t.Fatalf("Escape(%q) unescapes to %q, want the cleaned input %q", s, un, clean(s))
		}
		if utf8.ValidString(s) && !hasBidi(s) && strings.IndexFunc(s, func(r rune) bool { return r < 0x20 || (r >= 0x7f && r < 0xa0) }) < 0 && clean(s) != s {
			t.Fatalf("clean changed clean text %q to %q", s, clean(s))
		}
		n = n % 400
		if n < 0 {
			n = -n
		}
		cut := escapeN(s, n)
		if !utf8.ValidString(cut) || strings.ContainsAny(cut, "<>") {
			t.Fatalf("escapeN(%q, %d) = %q", s, n, cut)
		}
		un = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(cut)
		if c := utf8.RuneCountInString(un); c > n {
			t.Fatalf("escapeN(%q, %d) shows %d characters", s, n, c)
		}
		if body, ok := strings.CutSuffix(un, "…"); ok && un != clean(s) && !strings.HasPrefix(clean(s), body) {
			t.Fatalf("escapeN(%q, %d) = %q is not a prefix of the text", s, n, cut)
		}
	})
}

// FuzzTruncate: a cut of escaped mrkdwn with Radar's links fits in n bytes,
// is a prefix of the text plus "…", and never splits a rune, an entity or a
// link.
func FuzzTruncate(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string, n int) {
		n = n % 1000
		if n < 0 {
			n = -n
		}
		text := "*<https://jira.example.com/browse/PAY-1|PAY-1>* " + Escape(s) + " <https://jira.example.com/browse/PAY-2|PAY-2> " + Escape(s)
		got := truncate(text, n)
		if len(got) > n {
			t.Fatalf("truncate(%q, %d) = %d bytes", text, n, len(got))
		}
		if !utf8.ValidString(got) {
			t.Fatalf("truncate(%q, %d) = %q: invalid UTF-8", text, n, got)
		}
		if n < len("…") && got != text {
			if got != "" {
				t.Fatalf("truncate(%q, %d) = %q, want empty: no room for the mark", text, n, got)
			}
			return
		}
		body, cut := strings.CutSuffix(got, "…")
		if got != text && (!cut || !strings.HasPrefix(text, body)) {
			t.Fatalf("truncate(%q, %d) = %q: not a marked prefix", text, n, got)
		}
		if i := strings.LastIndexByte(body, '&'); i >= 0 && !slackEntity.MatchString(body[i:]) {
			t.Fatalf("truncate(%q, %d) = %q: splits an entity", text, n, got)
		}
		if strings.Count(body, "<") != strings.Count(body, ">") {
			t.Fatalf("truncate(%q, %d) = %q: splits a link", text, n, got)
		}
	})
}
