package alerts

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"
)

// mrkdwnEscaper escapes Slack's three mrkdwn control characters, and only them.
var mrkdwnEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// Escape makes untrusted text (Jira summaries, names) safe in Slack mrkdwn:
// "<!channel>" shows as text and pings no one.
func Escape(s string) string { return mrkdwnEscaper.Replace(s) }

var issueKeyRE = regexp.MustCompile(`^[A-Z][A-Z0-9_]*-[0-9]+$`)

// link returns a mrkdwn link to a Jira issue built from escaped parts, or the
// escaped text when it is not an issue key or no Jira URL is known.
func (a *Alerter) link(key string) string {
	if a.jiraURL == "" || !issueKeyRE.MatchString(key) {
		return Escape(key)
	}
	u := a.jiraURL + "/browse/" + url.PathEscape(key)
	return "<" + Escape(u) + "|" + Escape(key) + ">"
}

// truncate cuts s to at most n bytes on a rune boundary, marking the cut
// with "…". It never leaves half an escape entity behind.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	s = s[:cut]
	if amp := strings.LastIndexByte(s, '&'); amp >= 0 && !strings.Contains(s[amp:], ";") {
		s = s[:amp]
	}
	return s + "…"
}

// Evidence readers: evidence maps come from the analysis directly (ints,
// []string) or after a JSON round trip through the store (float64, []any).

func evString(ev map[string]any, k string) string {
	switch v := ev[k].(type) {
	case nil:
		return ""
	case string:
		return v
	case fmt.Stringer:
		return v.String()
	default:
		return fmt.Sprint(v)
	}
}

func evNumber(ev map[string]any, k string) (float64, bool) {
	switch v := ev[k].(type) {
	case int:
		return float64(v), true
	case int64:
		return float64(v), true
	case int32:
		return float64(v), true
	case float64:
		return v, !math.IsNaN(v)
	case float32:
		return float64(v), true
	case json.Number:
		f, err := v.Float64()
		return f, err == nil
	}
	return 0, false
}

func evStrings(ev map[string]any, k string) []string {
	switch v := ev[k].(type) {
	case []string:
		return v
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			if x != nil {
				out = append(out, fmt.Sprint(x))
			}
		}
		return out
	case string:
		if v != "" {
			return []string{v}
		}
	}
	return nil
}
