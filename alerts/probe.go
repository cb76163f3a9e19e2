package alerts

import (
	"context"
	"errors"
	"fmt"

	"github.com/slack-go/slack"
)

// TestResult is what Slack said to one route's test message.
type TestResult struct {
	Channel   string
	Audience  string
	ChannelID string // as Slack answered; empty for webhooks
	TS        string
	Err       error
	Hint      string // what to do when Err is set
	// Warning says what Radar cannot do in the channel although it can
	// post there: read it back to find a message whose send was cut off.
	Warning string
}

// Test sends one test message to each route's channel now, outside the
// outbox, and reports what Slack said. With a webhook it posts once.
func (a *Alerter) Test(ctx context.Context) []TestResult {
	var out []TestResult
	if a.api == nil && a.webhookURL == "" {
		return []TestResult{{Err: errNoTransport, Hint: "configure a token or webhook first"}}
	}
	for _, r := range a.routes {
		text := fmt.Sprintf("Radar test message for the %s audience. If you can read this, Radar can post here.", r.audience)
		msg := Message{Text: text, Blocks: slack.Blocks{BlockSet: []slack.Block{section("👋 " + text)}}}
		res := TestResult{Channel: r.channel, Audience: r.audience}
		var err error
		if a.api == nil {
			err = slack.PostWebhookCustomHTTPContext(ctx, a.webhookURL, a.client, &slack.WebhookMessage{Text: msg.Text, Blocks: &msg.Blocks})
		} else {
			res.ChannelID, res.TS, err = a.api.PostMessageContext(ctx, r.channel,
				slack.MsgOptionText(msg.Text, false), slack.MsgOptionBlocks(msg.Blocks.BlockSet...))
		}
		if err != nil {
			res.Err = fmt.Errorf("%s", a.redact(err))
			switch code := errorCode(err); {
			case a.api == nil:
				res.Hint = "the webhook did not take the message; check slack.webhook_url (Slack answers 403 or 404 to a revoked or deleted webhook, and a webhook posts only to the channel it was made for), the network and any proxy"
			case code != "":
				res.Hint = hintFor(code, r.channel)
			default:
				res.Hint = "Slack could not be reached; check slack.api_url, the network and any proxy"
			}
		}
		if res.Err == nil && a.api != nil {
			res.Warning = a.testReadBack(ctx, r.channel, res.ChannelID, res.TS)
		}
		out = append(out, res)
		if a.api == nil {
			break
		}
	}
	return out
}

// testReadBack checks that the app can find its test message the way
// delivery looks for a message whose send was cut off: by the channel's
// #name among its channels, and in the channel's history. It returns what
// to fix, or "" when both work.
func (a *Alerter) testReadBack(ctx context.Context, channel, channelID, ts string) string {
	if !isChannelID(channel) {
		a.lost.forgetChannel(channel) // resolve it as a rerun would
		if _, err := a.lost.channelID(ctx, channel); err != nil {
			return a.readBackHint(err)
		}
	}
	r, err := a.api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{
		ChannelID: channelID, Latest: ts, Inclusive: true, Limit: 1})
	if err != nil {
		return a.readBackHint(err)
	}
	if len(r.Messages) == 0 || r.Messages[0].Timestamp != ts {
		return "the channel's history does not show the test message; a notification whose send is cut off may be posted twice"
	}
	return ""
}

func (a *Alerter) readBackHint(err error) string {
	const twice = "cannot read the channel back, so a notification whose send is cut off may be posted twice: "
	if errors.Is(err, errNotMember) {
		return twice + lookCodes["not_in_channel"]
	}
	if hint, ok := lookCodes[errorCode(err)]; ok {
		return twice + hint
	}
	return twice + a.redact(err)
}
