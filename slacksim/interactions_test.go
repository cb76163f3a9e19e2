package slacksim_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/radarhq/radar/slacksim"
)

// TestBlockActionsAsSlackSendsThem checks the click payload through
// slack-go's own InteractionCallback, the signature against Slack's
// documented recipe, and the response_url through slack-go's webhook
// client.
func TestBlockActionsAsSlackSendsThem(t *testing.T) {
	s, api, srv := start(t, slacksim.Options{Token: "xoxb-good"})
	ctx := context.Background()
	_, ts, err := api.PostMessageContext(ctx, "#delivery", slack.MsgOptionText("blocker PAY-12", false))
	if err != nil {
		t.Fatal(err)
	}
	msg := s.Messages()[0]
	at := time.Date(2026, 3, 2, 10, 42, 0, 0, time.UTC)
	body := slacksim.BlockActions(slacksim.Click{Message: msg, User: slacksim.User{ID: "U0ADA", Name: "ada"}, ActionID: "radar_ack",
		BlockID: "radar_actions", Value: "blocker:PAY-12", BaseURL: srv}, at)

	form, err := url.ParseQuery(string(body))
	if err != nil || len(form) != 1 {
		t.Fatalf("body is not a form with one field: %v %q", err, body)
	}
	var cb slack.InteractionCallback
	if err := json.Unmarshal([]byte(form.Get("payload")), &cb); err != nil {
		t.Fatal(err)
	}
	if cb.Type != slack.InteractionTypeBlockActions || cb.User.ID != "U0ADA" || cb.User.Name != "ada" || cb.Container.MessageTs != ts ||
		cb.Container.ChannelID != msg.ChannelID || len(cb.ActionCallback.BlockActions) != 1 {
		t.Fatalf("decoded %+v", cb)
	}
	if a := cb.ActionCallback.BlockActions[0]; a.ActionID != "radar_ack" || a.BlockID != "radar_actions" || a.Value != "blocker:PAY-12" || a.ActionTs == "" {
		t.Errorf("action = %+v", a)
	}

	h := slacksim.Sign("8f742231b10e8888abcd99yyyzzz85a5", at, body)
	mac := hmac.New(sha256.New, []byte("8f742231b10e8888abcd99yyyzzz85a5"))
	mac.Write([]byte("v0:1772448120:" + string(body)))
	if want := "v0=" + hex.EncodeToString(mac.Sum(nil)); h.Get("X-Slack-Signature") != want || h.Get("X-Slack-Request-Timestamp") != "1772448120" {
		t.Errorf("signed headers %v, want signature %s", h, want)
	}
	if err := slack.PostWebhookContext(ctx, cb.ResponseURL, &slack.WebhookMessage{Text: "only you see this", ResponseType: slack.ResponseTypeEphemeral}); err != nil {
		t.Fatal(err)
	}
	rs := s.Responses()
	if len(rs) != 1 || rs[0].ResponseType != "ephemeral" || rs[0].Text != "only you see this" || !strings.HasPrefix(rs[0].Path, slacksim.ResponseURLPath) {
		t.Errorf("responses = %+v", rs)
	}
}
