package config

import (
	"encoding/base64"
	"strings"
	"testing"
)

func TestRedactSecrets(t *testing.T) {
	basic := base64.StdEncoding.EncodeToString([]byte("pm@example.com:tok-7f3a"))
	tests := []struct {
		name, text string
		secrets    []string
		want       string
	}{
		{"as is", "token tok-7f3a refused", []string{"tok-7f3a"}, "token [redacted] refused"},
		{"basic auth header", "Authorization: Basic " + basic + " (pm@example.com:tok-7f3a)",
			[]string{"pm@example.com:tok-7f3a", "tok-7f3a"}, "Authorization: Basic [redacted] ([redacted])"},
		{"basic auth unpadded", "auth=" + strings.TrimRight(basic, "=") + ";",
			[]string{"pm@example.com:tok-7f3a"}, "auth=[redacted];"},
		{"base64 of the token alone", "t=" + base64.URLEncoding.EncodeToString([]byte("tok-7f3a")),
			[]string{"tok-7f3a"}, "t=[redacted]"},
		{"url-escaped", "hook https%3A%2F%2Fhooks.slack.com%2Fservices%2FT%2FB%2Fx refused",
			[]string{"https://hooks.slack.com/services/T/B/x"}, "hook [redacted] refused"},
		{"several", "a xoxb-1234 b h-token-9", []string{"xoxb-1234", "h-token-9"}, "a [redacted] b [redacted]"},
		{"empty and short secrets change nothing", "abc ab a", []string{"", "ab"}, "abc ab a"},
		{"no secrets", "plain", nil, "plain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RedactSecrets(tt.text, tt.secrets...); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
