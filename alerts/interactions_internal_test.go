package alerts

import (
	"net/http"
	"testing"
	"time"

	"github.com/radarhq/radar/slacksim"
)

func TestVerifySlackRequest(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 42, 0, 0, time.UTC)
	body := []byte("payload=%7B%22type%22%3A%22block_actions%22%7D")
	tests := []struct {
		name   string
		header http.Header
		body   []byte
		want   error
	}{
		{"signed now", slacksim.Sign("s3cret", now, body), body, nil},
		{"signed 4 minutes ago", slacksim.Sign("s3cret", now.Add(-4*time.Minute), body), body, nil},
		{"wrong secret", slacksim.Sign("other", now, body), body, errBadSignature},
		{"body changed", slacksim.Sign("s3cret", now, body), append([]byte("x"), body...), errBadSignature},
		{"6 minutes old", slacksim.Sign("s3cret", now.Add(-6*time.Minute), body), body, errStaleRequest},
		{"6 minutes ahead", slacksim.Sign("s3cret", now.Add(6*time.Minute), body), body, errStaleRequest},
		{"no timestamp", http.Header{"X-Slack-Signature": {"v0=00"}}, body, errStaleRequest},
		{"no signature", http.Header{"X-Slack-Request-Timestamp": {"1772448120"}}, body, errBadSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := verifySlackRequest("s3cret", tt.header, tt.body, now); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
