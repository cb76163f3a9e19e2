package slacksim_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/radarhq/radar/slacksim"
)

func start(t *testing.T, opts slacksim.Options) (*slacksim.Server, *slack.Client, string) {
	t.Helper()
	s := slacksim.New(opts)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	api := slack.New("xoxb-good", slack.OptionAPIURL(srv.URL+"/api/"), slack.OptionHTTPClient(srv.Client()))
	return s, api, srv.URL
}

func TestPostReplyUpdate(t *testing.T) {
	var out bytes.Buffer
	s, api, _ := start(t, slacksim.Options{Token: "xoxb-good", Printer: &out})
	ctx := context.Background()
	blocks := []slack.Block{slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "*hello*", false, false), nil, nil)}
	ch, ts, err := api.PostMessageContext(ctx, "#delivery", slack.MsgOptionText("hello", false), slack.MsgOptionBlocks(blocks...))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(ch, "C") || !strings.Contains(ts, ".") {
		t.Errorf("post answered channel %q ts %q, want a channel id and a ts", ch, ts)
	}
	_, rts, err := api.PostMessageContext(ctx, ch, slack.MsgOptionText("reply", false), slack.MsgOptionTS(ts))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := api.UpdateMessageContext(ctx, ch, ts, slack.MsgOptionText("hello again", false)); err != nil {
		t.Fatal(err)
	}
	ms := s.Messages()
	if len(ms) != 2 || ms[1].ThreadTS != ts || ms[1].TS != rts || ms[0].CurrentText != "hello again" || len(ms[0].Updates) != 1 {
		t.Fatalf("messages = %+v", ms)
	}
	want := "#delivery ▸ hello\n    *hello*\n"
	if !strings.HasPrefix(out.String(), want) || !strings.Contains(out.String(), "↳ reply") || !strings.Contains(out.String(), "✎ hello again") {
		t.Errorf("printer output:\n%s\nwant it to start with %q and show the reply and the edit", out.String(), want)
	}

	tests := []struct {
		name string
		do   func() error
		want string
	}{
		{"update needs a channel id", func() error {
			_, _, _, err := api.UpdateMessageContext(ctx, "#delivery", ts, slack.MsgOptionText("x", false))
			return err
		}, "channel_not_found"},
		{"update of an unknown message", func() error {
			_, _, _, err := api.UpdateMessageContext(ctx, ch, "1.000001", slack.MsgOptionText("x", false))
			return err
		}, "message_not_found"},
		{"reply to an unknown thread", func() error {
			_, _, err := api.PostMessageContext(ctx, ch, slack.MsgOptionText("x", false), slack.MsgOptionTS("1.000001"))
			return err
		}, "thread_not_found"},
		{"too many blocks", func() error {
			many := make([]slack.Block, 51)
			for i := range many {
				many[i] = slack.NewDividerBlock()
			}
			_, _, err := api.PostMessageContext(ctx, ch, slack.MsgOptionBlocks(many...))
			return err
		}, "invalid_blocks"},
		{"header too long", func() error {
			h := slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, strings.Repeat("x", 151), false, false))
			_, _, err := api.PostMessageContext(ctx, ch, slack.MsgOptionBlocks(h))
			return err
		}, "invalid_blocks"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var se slack.SlackErrorResponse
			if err := tt.do(); !errors.As(err, &se) || se.Err != tt.want {
				t.Errorf("error = %v, want %s", err, tt.want)
			}
		})
	}
}

func TestAuthAndChannelErrors(t *testing.T) {
	s, _, url := start(t, slacksim.Options{Token: "xoxb-good"})
	ctx := context.Background()
	bad := slack.New("xoxb-bad", slack.OptionAPIURL(url+"/api/"))
	if _, _, err := bad.PostMessageContext(ctx, "#a", slack.MsgOptionText("x", false)); err == nil || err.Error() != "invalid_auth" {
		t.Errorf("bad token: %v, want invalid_auth", err)
	}
	none := slack.New("", slack.OptionAPIURL(url+"/api/"))
	if _, _, err := none.PostMessageContext(ctx, "#a", slack.MsgOptionText("x", false)); err == nil || err.Error() != "not_authed" {
		t.Errorf("no token: %v, want not_authed", err)
	}
	good := slack.New("xoxb-good", slack.OptionAPIURL(url+"/api/"))
	s.SetChannelError("#private", "not_in_channel")
	if _, _, err := good.PostMessageContext(ctx, "#private", slack.MsgOptionText("x", false)); err == nil || err.Error() != "not_in_channel" {
		t.Errorf("channel error: %v, want not_in_channel", err)
	}
	if n := len(s.Messages()); n != 0 {
		t.Errorf("refused posts recorded %d messages", n)
	}
}

func TestLookupByEmail(t *testing.T) {
	s, api, _ := start(t, slacksim.Options{})
	s.AddUser(slacksim.User{ID: "U0ADA", Name: "ada", Email: "Ada@Example.com"})
	u, err := api.GetUserByEmailContext(context.Background(), "ada@example.com")
	if err != nil || u.ID != "U0ADA" || u.Profile.Email != "Ada@Example.com" {
		t.Errorf("lookup = %+v, %v; want U0ADA", u, err)
	}
	_, err = api.GetUserByEmailContext(context.Background(), "nobody@example.com")
	var se slack.SlackErrorResponse
	if !errors.As(err, &se) || se.Err != "users_not_found" {
		t.Errorf("unknown email: %v, want users_not_found", err)
	}
}

func TestFaults(t *testing.T) {
	s, api, _ := start(t, slacksim.Options{})
	ctx := context.Background()
	post := func() error {
		_, _, err := api.PostMessageContext(ctx, "#a", slack.MsgOptionText("x", false))
		return err
	}
	s.FailNext(1, slacksim.RateLimited, 7)
	var rl *slack.RateLimitedError
	if err := post(); !errors.As(err, &rl) || rl.RetryAfter != 7*time.Second {
		t.Errorf("rate limited: %v, want RateLimitedError after 7s", err)
	}
	s.FailNext(1, slacksim.ServerError, 0)
	var sc slack.StatusCodeError
	if err := post(); !errors.As(err, &sc) || sc.Code != http.StatusInternalServerError {
		t.Errorf("server error: %v, want StatusCodeError 500", err)
	}
	s.FailNext(1, slacksim.Drop, 0)
	if err := post(); err == nil {
		t.Error("dropped connection: no error")
	}
	if err := post(); err != nil {
		t.Errorf("after the faults: %v", err)
	}
	if n := len(s.Messages()); n != 1 {
		t.Errorf("messages = %d, want 1 (faults record nothing)", n)
	}
	if n := s.Requests()["chat.postMessage"]; n != 4 {
		t.Errorf("requests = %d, want 4", n)
	}
}

func TestWebhook(t *testing.T) {
	s, _, url := start(t, slacksim.Options{})
	ctx := context.Background()
	msg := &slack.WebhookMessage{Text: "hello"}
	if err := slack.PostWebhookContext(ctx, url+slacksim.DefaultWebhookPath, msg); err != nil {
		t.Fatal(err)
	}
	var sc slack.StatusCodeError
	if err := slack.PostWebhookContext(ctx, url+"/services/T000/B000/wrong", msg); !errors.As(err, &sc) || sc.Code != 404 {
		t.Errorf("wrong webhook: %v, want 404", err)
	}
	s.FailNext(1, slacksim.RateLimited, 3)
	var rl *slack.RateLimitedError
	if err := slack.PostWebhookContext(ctx, url+slacksim.DefaultWebhookPath, msg); !errors.As(err, &rl) {
		t.Errorf("rate limited webhook: %v, want RateLimitedError", err)
	}
	ms := s.Messages()
	if len(ms) != 1 || !ms[0].Webhook || ms[0].Channel != "#webhook" || ms[0].Text != "hello" {
		t.Errorf("webhook messages = %+v", ms)
	}
}

func TestMessageErrors(t *testing.T) {
	s, api, url := start(t, slacksim.Options{})
	ctx := context.Background()
	s.SetMessageError("huge", "msg_too_long")
	ch, ts, err := api.PostMessageContext(ctx, "#a", slack.MsgOptionText("fine", false))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		do   func() error
		want string
	}{
		{"post", func() error {
			_, _, err := api.PostMessageContext(ctx, "#a", slack.MsgOptionText("a huge one", false))
			return err
		}, "msg_too_long"},
		{"update", func() error {
			_, _, _, err := api.UpdateMessageContext(ctx, ch, ts, slack.MsgOptionText("now huge", false))
			return err
		}, "msg_too_long"},
		{"webhook", func() error {
			return slack.PostWebhookContext(ctx, url+slacksim.DefaultWebhookPath, &slack.WebhookMessage{Text: "huge"})
		}, "400"},
		{"other text", func() error {
			_, _, err := api.PostMessageContext(ctx, "#a", slack.MsgOptionText("small", false))
			return err
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.do()
			if tt.want == "" {
				if err != nil {
					t.Errorf("got %v, want no error", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want %s", err, tt.want)
			}
		})
	}
	s.SetMessageError("huge", "")
	if _, _, err := api.PostMessageContext(ctx, "#a", slack.MsgOptionText("huge again", false)); err != nil {
		t.Errorf("after clearing: %v", err)
	}
	if got := len(s.Messages()); got != 3 {
		t.Errorf("messages = %d, want 3 (refused ones record nothing)", got)
	}
}

func TestPrinterDropsControlCharacters(t *testing.T) {
	var out bytes.Buffer
	_, api, _ := start(t, slacksim.Options{Printer: &out})
	evil := "PAY-1 \x1b[2J\x1b]0;pwned\x07done\r\u009b31m\xff"
	blocks := []slack.Block{slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "*"+evil+"*\n\tnext", false, false), nil, nil)}
	if _, _, err := api.PostMessageContext(context.Background(), "#a", slack.MsgOptionText(evil, false), slack.MsgOptionBlocks(blocks...)); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	// A stray byte that is not UTF-8 prints as U+FFFD, never as itself.
	want := "#a ▸ PAY-1 [2J]0;pwneddone31m\ufffd\n    *PAY-1 [2J]0;pwneddone31m\ufffd*\n    \tnext\n"
	if got != want {
		t.Errorf("printed %q, want %q", got, want)
	}
}

func TestOutage(t *testing.T) {
	s, api, url := start(t, slacksim.Options{})
	ctx := context.Background()
	post := func() error {
		_, _, err := api.PostMessageContext(ctx, "#a", slack.MsgOptionText("x", false))
		return err
	}
	hook := func() error {
		return slack.PostWebhookContext(ctx, url+slacksim.DefaultWebhookPath, &slack.WebhookMessage{Text: "x"})
	}
	s.FailNext(1, slacksim.Drop, 0) // queued: waits for the outage to end
	s.SetOutage(slacksim.ServerError, 0)
	var sc slack.StatusCodeError
	for i := 0; i < 25; i++ {
		if err := post(); !errors.As(err, &sc) || sc.Code != http.StatusInternalServerError {
			t.Fatalf("post %d during a 500 outage: %v, want StatusCodeError 500", i, err)
		}
	}
	if err := hook(); !errors.As(err, &sc) || sc.Code != http.StatusInternalServerError {
		t.Errorf("webhook during a 500 outage: %v, want StatusCodeError 500", err)
	}
	s.SetOutage(slacksim.RateLimited, 9)
	var rl *slack.RateLimitedError
	for i := 0; i < 25; i++ {
		if err := post(); !errors.As(err, &rl) || rl.RetryAfter != 9*time.Second {
			t.Fatalf("post %d during a 429 outage: %v, want RateLimitedError after 9s", i, err)
		}
	}
	if n := len(s.Messages()); n != 0 {
		t.Fatalf("messages during the outage = %d, want 0", n)
	}
	s.SetOutage(0, 0)
	if err := post(); err == nil {
		t.Error("first post after the outage succeeded, want the queued dropped connection")
	}
	if err := post(); err != nil {
		t.Errorf("post after the outage: %v", err)
	}
	if err := hook(); err != nil {
		t.Errorf("webhook after the outage: %v", err)
	}
	if n := len(s.Messages()); n != 2 {
		t.Errorf("messages = %d, want 2", n)
	}
	if got, want := s.Requests()["chat.postMessage"], 52; got != want {
		t.Errorf("chat.postMessage requests = %d, want %d (faults counted)", got, want)
	}
}
