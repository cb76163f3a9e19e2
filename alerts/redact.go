package alerts

import (
	"errors"
	"strings"

	"github.com/slack-go/slack"

	"github.com/radarhq/radar/config"
)

// redactor removes the alerter's Slack secrets from error text before it
// is logged, returned or shown in Health.
type redactor struct {
	token         string
	webhookURL    string
	signingSecret string
}

// redact returns err's text without the secrets: url.Error and friends
// quote the webhook URL, which is the secret, and Slack's own error text is
// reduced to its code, since whatever answers may echo the request's token.
func (r redactor) redact(err error) string {
	if err == nil {
		return ""
	}
	s := err.Error()
	var se slack.SlackErrorResponse
	if errors.As(err, &se) && se.Err != "" {
		s = strings.ReplaceAll(s, se.Err, slackCode(se.Err))
	}
	if r.webhookURL != "" {
		s = strings.ReplaceAll(s, r.webhookURL, "[redacted webhook url]")
	}
	return config.RedactSecrets(s, r.webhookURL, r.token, r.signingSecret)
}
