package alerts

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

// classify, answered and unreachable over what slack-go returns for each
// kind of answer: its rate-limit error, HTTP statuses, Slack's ok:false
// codes, and no answer at all.
func TestClassify(t *testing.T) {
	netErr := &url.Error{Op: "Post", URL: "https://slack.com/api/chat.postMessage", Err: io.ErrUnexpectedEOF}
	tests := []struct {
		name        string
		err         error
		class       errorClass
		wait        time.Duration
		code        string
		answered    bool   // Slack said it did not post
		unreachable bool   // Slack did not answer
		hint        string // in the hint for channel #ops
	}{
		{"429 with Retry-After", &slack.RateLimitedError{RetryAfter: 3 * time.Second}, classRateLimited, 3 * time.Second, "", true, true, ""},
		{"429 status without Retry-After", slack.StatusCodeError{Code: 429, Status: "429 Too Many Requests"}, classRateLimited, 0, "http_429", true, true, ""},
		{"500", slack.StatusCodeError{Code: 500, Status: "500 Internal Server Error"}, classTransient, 0, "http_500", false, true, ""},
		{"503", slack.StatusCodeError{Code: 503, Status: "503 Service Unavailable"}, classTransient, 0, "http_503", false, true, ""},
		{"408", slack.StatusCodeError{Code: 408, Status: "408 Request Timeout"}, classTransient, 0, "http_408", false, true, ""},
		{"webhook 404", slack.StatusCodeError{Code: 404, Status: "404 Not Found"}, classPermanent, 0, "http_404", true, false, "create a new webhook"},
		{"webhook 400", slack.StatusCodeError{Code: 400, Status: "400 Bad Request"}, classPermanent, 0, "http_400", true, false, "Radar bug"},
		{"channel_not_found", slack.SlackErrorResponse{Err: "channel_not_found"}, classPermanent, 0, "channel_not_found", true, false, "channel #ops does not exist"},
		{"not_in_channel", slack.SlackErrorResponse{Err: "not_in_channel"}, classPermanent, 0, "not_in_channel", true, false, "/invite @YourApp"},
		{"is_archived", fmt.Errorf("post: %w", slack.SlackErrorResponse{Err: "is_archived"}), classPermanent, 0, "is_archived", true, false, "unarchive it"},
		{"invalid_auth", slack.SlackErrorResponse{Err: "invalid_auth"}, classPermanent, 0, "invalid_auth", true, false, "RADAR_SLACK_TOKEN"},
		{"missing_scope", slack.SlackErrorResponse{Err: "missing_scope"}, classPermanent, 0, "missing_scope", true, false, "chat:write"},
		{"msg_too_long", slack.SlackErrorResponse{Err: "msg_too_long"}, classPermanent, 0, "msg_too_long", true, false, "Radar bug"},
		{"code with an echo", slack.SlackErrorResponse{Err: "invalid_auth token=xoxb-secret"}, classPermanent, 0, "invalid_auth", true, false, "RADAR_SLACK_TOKEN"},
		{"internal_error", slack.SlackErrorResponse{Err: "internal_error"}, classTransient, 0, "internal_error", false, false, ""},
		{"ratelimited code", slack.SlackErrorResponse{Err: "ratelimited"}, classTransient, 0, "ratelimited", true, false, ""},
		{"message_not_found", slack.SlackErrorResponse{Err: "message_not_found"}, classGone, 0, "message_not_found", true, false, ""},
		{"edit_window_closed", slack.SlackErrorResponse{Err: "edit_window_closed"}, classGone, 0, "edit_window_closed", true, false, ""},
		{"connection cut", netErr, classTransient, 0, "", false, true, ""},
		{"timeout", fmt.Errorf("post: %w", context.DeadlineExceeded), classTransient, 0, "", false, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := classify(tt.err)
			if v.class != tt.class || v.wait != tt.wait || v.code != tt.code {
				t.Errorf("classify = {class %d, wait %s, code %q}, want {class %d, wait %s, code %q}", v.class, v.wait, v.code, tt.class, tt.wait, tt.code)
			}
			if got := answered(tt.err); got != tt.answered {
				t.Errorf("answered = %v, want %v", got, tt.answered)
			}
			if got := unreachable(tt.err); got != tt.unreachable {
				t.Errorf("unreachable = %v, want %v", got, tt.unreachable)
			}
			if got := v.hint("#ops"); tt.hint != "" && !strings.Contains(got, tt.hint) {
				t.Errorf("hint = %q, want it to say %q", got, tt.hint)
			}
		})
	}
}

// A failure that says nothing about Slack's health is neither up nor down.
func TestTransportDown(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"no error", nil, false},
		{"token refused", slack.SlackErrorResponse{Err: "token_revoked"}, true},
		{"webhook revoked", slack.StatusCodeError{Code: 403}, true},
		{"5xx", slack.StatusCodeError{Code: 502}, true},
		{"no answer", io.ErrUnexpectedEOF, true},
		{"one message refused", slack.SlackErrorResponse{Err: "msg_too_long"}, false},
		{"one channel refused", slack.SlackErrorResponse{Err: "channel_not_found"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := transportDown(tt.err); got != tt.want {
				t.Errorf("transportDown = %v, want %v", got, tt.want)
			}
		})
	}
}
