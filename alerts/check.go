package alerts

import (
	"context"
	"errors"
	"fmt"
)

// CheckResult is one thing Check verified: Detail says what was found, Err
// what failed and Hint what to do about it.
type CheckResult struct {
	Name   string
	Detail string
	Err    error
	Hint   string
}

// Check tests Slack without posting anything: that the token signs in
// (auth.test), and that the app is a member of each route's channel (found
// by #name among its channels). A webhook cannot be checked without
// posting: radar slack-test does that.
func (a *Alerter) Check(ctx context.Context) []CheckResult {
	if a.api == nil {
		return []CheckResult{{Name: "slack webhook", Detail: "set; a webhook cannot be checked without posting: radar slack-test posts a test message"}}
	}
	auth, err := a.api.AuthTestContext(ctx)
	if err != nil {
		hint := "check slack.api_url, the network and any proxy"
		if code := errorCode(err); code != "" {
			hint = "check the bot token (slack.token, RADAR_SLACK_TOKEN or slack.token_file): Slack answered " + code
		}
		return []CheckResult{{Name: "slack sign-in", Err: fmt.Errorf("%s", a.redact(err)), Hint: hint}}
	}
	out := []CheckResult{{Name: "slack sign-in", Detail: fmt.Sprintf("signed in to %s as %s", auth.Team, auth.User)}}
	for _, r := range a.routes {
		res := CheckResult{Name: "slack channel " + r.channel}
		switch {
		case isChannelID(r.channel):
			res.Detail = "a channel id: membership is not checked without posting; radar slack-test posts to it"
		default:
			id, err := a.lost.channelID(ctx, r.channel)
			switch {
			case errors.Is(err, errNotMember):
				res.Err = fmt.Errorf("slack.routes[%d].channel: the app is not a member of %s, or no such channel", r.index, r.channel)
				res.Hint = fmt.Sprintf("invite the app in Slack (/invite @YourApp in %s), or check the name", r.channel)
			case err != nil:
				res.Err = err
				res.Hint = lookCodes[errorCode(err)]
				if res.Hint == "" {
					res.Hint = "add the channels:read scope (groups:read for private channels), reinstall the app and update the token"
				}
			default:
				res.Detail = "member (" + id + ")"
			}
		}
		out = append(out, res)
	}
	return out
}
