package alerts

import (
	"fmt"
	"strings"
	"testing"

	"github.com/slack-go/slack"
)

// An ok:false answer without an error field must not have "unknown_error"
// spliced between every character of the error text.
func TestRedactEmptySlackError(t *testing.T) {
	a := redactor{token: "xoxb-secret"}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"empty code", fmt.Errorf("send: %w", slack.SlackErrorResponse{Err: ""}), "send: "},
		{"code with an echo", fmt.Errorf("send: %w", slack.SlackErrorResponse{Err: "invalid_auth token=xoxb-secret"}), "send: invalid_auth"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := a.redact(tt.err)
			if got != tt.want || strings.Contains(got, "xoxb-secret") {
				t.Errorf("redact = %q, want %q", got, tt.want)
			}
		})
	}
}
