package alerts

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/slack-go/slack"
)

// This file sorts Slack's answer to one request: retry it, wait and retry
// it, or leave it to a person with a hint saying what to do. Nothing here
// does I/O or keeps state.

type errorClass int

const (
	classTransient   errorClass = iota // 5xx, network: back off and retry
	classRateLimited                   // 429: wait Retry-After and retry
	classPermanent                     // needs a person: keep pending, say what to do
	classGone                          // the target message is gone: nothing left to do
)

// PermanentError is a Slack error no retry will fix; Hint says what to do.
type PermanentError struct {
	Code    string // Slack's error code or "http_<status>"
	Channel string
	Hint    string
}

func (e *PermanentError) Error() string {
	return fmt.Sprintf("slack %s in %s: %s", e.Code, e.Channel, e.Hint)
}

// authCodes break every channel at once.
var authCodes = map[string]bool{
	"invalid_auth": true, "not_authed": true, "account_inactive": true, "token_revoked": true,
	"token_expired": true, "no_permission": true, "missing_scope": true, "org_login_required": true,
	"ekm_access_denied": true, "http_401": true, "http_403": true, "http_404": true, "http_410": true,
}

// messageCodes are refusals of one message, not of its channel: the
// message stays pending, dead-lettered (retried once per flush), and its
// channel goes on. Only its own thread's follow-ups wait behind it.
var messageCodes = map[string]bool{
	"bad_payload": true, "msg_too_long": true, "invalid_blocks": true, "invalid_blocks_format": true,
	"no_text": true, "http_400": true,
}

var transientCodes = map[string]bool{
	"internal_error": true, "fatal_error": true, "service_unavailable": true, "request_timeout": true,
	"ratelimited": true, "team_added_to_org": true,
}

// hintFor says how to fix a Slack error.
func hintFor(code, channel string) string {
	switch code {
	case "channel_not_found":
		return fmt.Sprintf("channel %s does not exist or the app cannot see it; check slack.routes[].channel (a channel id such as C0123456789 is safest) and invite the app to private channels", channel)
	case "not_in_channel":
		return fmt.Sprintf("the app is not a member of %s; invite it there (/invite @YourApp) or give it the chat:write.public scope", channel)
	case "is_archived":
		return fmt.Sprintf("channel %s is archived; unarchive it or route to another channel", channel)
	case "invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive":
		return "Slack rejected the token; set a valid bot token (xoxb-…) in RADAR_SLACK_TOKEN, slack.token or slack.token_file and restart"
	case "missing_scope", "no_permission":
		return "the Slack app lacks a scope; add chat:write (and users:read.email for mentions), reinstall the app and update the token"
	case "msg_too_long", "invalid_blocks", "invalid_blocks_format":
		return "Slack refused the message layout; this is a Radar bug, please report it with the log line"
	case "http_401", "http_403", "http_404", "http_410":
		return "the incoming webhook was refused (revoked, or its channel was deleted); create a new webhook and set slack.webhook_url"
	case "http_400":
		return "the incoming webhook refused the payload; this is a Radar bug, please report it with the log line"
	case "bad_payload", "no_text":
		return "the stored message cannot be sent; this is a Radar bug, please report it with the log line"
	}
	return "check the Slack app's configuration; the message stays in the outbox and is retried on the next run"
}

// errorCode returns Slack's error code for err, "" when it has none.
// verdict is what one answer from Slack calls for.
type verdict struct {
	class errorClass
	wait  time.Duration // classRateLimited: the Retry-After Slack gave, 0 when it gave none
	code  string        // Slack's error code or "http_<status>"; "" without an answer
}

// hint says how to fix a permanent refusal in channel.
func (v verdict) hint(channel string) string { return hintFor(v.code, channel) }

// classify sorts a failed request by what slack-go returned: a rate limit
// (429, with or without Retry-After), Slack's ok:false with its code, an
// HTTP status, or no answer at all (a network error, a dropped connection,
// a timeout), which is transient.
func classify(err error) verdict {
	v := verdict{code: errorCode(err)}
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		v.class, v.wait = classRateLimited, rl.RetryAfter
		return v
	}
	var sc slack.StatusCodeError
	if errors.As(err, &sc) {
		switch {
		case sc.Code == http.StatusTooManyRequests:
			v.class = classRateLimited
		case sc.Code >= 500 || sc.Code == http.StatusRequestTimeout:
			v.class = classTransient
		default:
			v.class = classPermanent
		}
		return v
	}
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		switch {
		case transientCodes[v.code]:
			v.class = classTransient
		case v.code == "message_not_found" || v.code == "cant_update_message" || v.code == "edit_window_closed":
			v.class = classGone
		default:
			v.class = classPermanent
		}
		return v
	}
	v.class = classTransient // network errors, dropped connections
	return v
}

func errorCode(err error) string {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		return slackCode(se.Err)
	}
	var sc slack.StatusCodeError
	if errors.As(err, &sc) {
		return fmt.Sprintf("http_%d", sc.Code)
	}
	return ""
}

// slackCode returns the error code at the start of what Slack answered in
// "error": Slack's codes are short snake_case words, and anything after one
// (a proxy that echoes the request, token and all) is dropped, never logged.
func slackCode(s string) string {
	n := 0
	for n < len(s) && n < 64 && (s[n] >= 'a' && s[n] <= 'z' || s[n] >= '0' && s[n] <= '9' || s[n] == '_') {
		n++
	}
	if n == 0 {
		return "unknown_error"
	}
	return s[:n]
}

func rateLimited(err error) bool {
	var rl *slack.RateLimitedError
	var sc slack.StatusCodeError
	return errors.As(err, &rl) || errors.As(err, &sc) && sc.Code == http.StatusTooManyRequests
}

// transportDown reports whether err says Slack cannot be reached or will
// not take Radar's credentials, rather than refusing one request.
func transportDown(err error) bool {
	if err == nil {
		return false
	}
	if authCodes[errorCode(err)] {
		return true
	}
	return classify(err).class == classTransient
}

// unreachable reports whether err says Slack did not answer a request:
// no answer at all, a 5xx or 408, or a rate limit.
func unreachable(err error) bool {
	if err == nil {
		return false
	}
	if rateLimited(err) {
		return true
	}
	var sc slack.StatusCodeError
	if errors.As(err, &sc) {
		return sc.Code >= 500 || sc.Code == http.StatusRequestTimeout
	}
	var se slack.SlackErrorResponse
	return !errors.As(err, &se)
}

// answered reports whether err is Slack's own answer that it did not post
// the message. No answer (a dropped connection, a timeout) is not one, nor
// a 5xx or an internal_error, after which part of the work may be done.
func answered(err error) bool {
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		return true
	}
	var sc slack.StatusCodeError
	if errors.As(err, &sc) {
		return sc.Code < 500 && sc.Code != http.StatusRequestTimeout
	}
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		switch slackCode(se.Err) {
		case "internal_error", "fatal_error", "service_unavailable", "request_timeout":
			return false
		}
		return true
	}
	return false
}
