package service

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"

	"github.com/radarhq/radar/config"
)

// TestScrub: whatever an error carries, /readyz shows no configured secret
// in any form a server might echo, on one bounded line.
func TestScrub(t *testing.T) {
	cfg := config.Default()
	cfg.Jira.Email, cfg.Jira.Token = "pm@example.com", "SECRET+jira/7f3a"
	cfg.Slack.Token = "xoxb-SECRET-slack"
	cfg.Slack.WebhookURL = "https://hooks.slack.com/services/T0/B0/SECRETHOOK"
	cfg.HTTP.Token = "SECRET-http"
	s := &Service{cfg: &cfg}
	basic := base64.StdEncoding.EncodeToString([]byte("pm@example.com:SECRET+jira/7f3a"))
	tests := []struct{ name, in string }{
		{"plain", "token SECRET+jira/7f3a refused"},
		{"url-escaped", "token " + url.QueryEscape("SECRET+jira/7f3a")},
		{"path-escaped", "token " + url.PathEscape("SECRET+jira/7f3a")},
		{"basic auth", "Authorization: Basic " + basic},
		{"raw url base64", base64.RawURLEncoding.EncodeToString([]byte("SECRET+jira/7f3a"))},
		{"slack token", "invalid_auth for xoxb-SECRET-slack"},
		{"webhook", `Post "https://hooks.slack.com/services/T0/B0/SECRETHOOK": EOF`},
		{"http token", "Bearer SECRET-http"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := s.scrub(tt.in)
			if strings.Contains(got, "SECRET") || strings.Contains(got, basic) || !strings.Contains(got, "[redacted]") {
				t.Errorf("scrub(%q) = %q", tt.in, got)
			}
		})
	}
	long := s.scrub("line one\nline two\t" + strings.Repeat("x", 2*maxHealthError))
	if strings.ContainsAny(long, "\n\t") || len([]rune(long)) != maxHealthError || !strings.HasSuffix(long, "…") {
		t.Errorf("scrub of a long multi-line error = %q (%d runes)", long, len([]rune(long)))
	}
}
