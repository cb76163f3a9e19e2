package alerts

import (
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/radarhq/radar"
)

// mrkdwnEscaper escapes Slack's three mrkdwn control characters, and only them.
var mrkdwnEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// Escape makes untrusted text (Jira summaries, names) safe in Slack mrkdwn:
// "<!channel>" shows as text and pings no one. Invalid UTF-8 becomes U+FFFD,
// bidirectional overrides and isolates are dropped (they could make a
// summary read backwards), other control characters become spaces.
func Escape(s string) string { return mrkdwnEscaper.Replace(clean(s)) }

// Per-surface limits, in characters, for untrusted text in a message.
const (
	maxTitle = 300  // a finding's title
	maxName  = 100  // project, version and person names
	maxProse = 1500 // a finding's detail
)

// escapeN is Escape of s cut to at most n characters, marked with "…".
func escapeN(s string, n int) string { return Escape(cutRunes(clean(s), n)) }

// cutRunes cuts s to at most n runes, the last being "…" when it is cut.
func cutRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n < 1 {
		return ""
	}
	i, k := 0, 0
	for k < n-1 {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		k++
	}
	return s[:i] + "…"
}

// clean makes untrusted text displayable on one line: valid UTF-8, no
// bidirectional controls, no control characters.
func clean(s string) string {
	if isClean(s) {
		return s
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		switch {
		case radar.IsBidiControl(r):
			return -1
		case unicode.IsControl(r):
			return ' '
		}
		return r
	}, s)
}

func isClean(s string) bool {
	for _, r := range s {
		if r == utf8.RuneError || r < 0x20 || (r >= 0x7f && r < 0xa0) || radar.IsBidiControl(r) {
			return false
		}
	}
	return true
}

var issueKeyRE = regexp.MustCompile(`^[A-Z][A-Z0-9_]*-[0-9]+$`)

// link returns a mrkdwn link to a Jira issue built from escaped parts, or the
// escaped text when it is not an issue key or no Jira URL is known.
func (a *Alerter) link(key string) string {
	if a.jiraURL == "" || !issueKeyRE.MatchString(key) {
		return escapeN(key, maxName)
	}
	u := a.jiraURL + "/browse/" + url.PathEscape(key)
	return "<" + Escape(u) + "|" + Escape(key) + ">"
}

// truncate cuts mrkdwn s to at most n bytes on a rune boundary, marking the
// cut with "…". It never leaves half an escape entity or half a <link>
// behind.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	if cut < 0 {
		return ""
	}
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	s = s[:cut]
	if amp := strings.LastIndexByte(s, '&'); amp >= 0 && !strings.Contains(s[amp:], ";") {
		s = s[:amp]
	}
	if lt := strings.LastIndexByte(s, '<'); lt >= 0 && !strings.Contains(s[lt:], ">") {
		s = s[:lt]
	}
	return s + "…"
}
