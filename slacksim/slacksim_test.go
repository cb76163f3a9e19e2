package slacksim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
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

// meta is the metadata radar puts on a message: its outbox key.
func meta(key string) slack.MsgOption {
	return slack.MsgOptionMetadata(slack.SlackMetadata{EventType: "radar_notification", EventPayload: map[string]any{"key": key}})
}

func TestHistoryAndRepliesShowMetadata(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	s, api, _ := start(t, slacksim.Options{Token: "xoxb-good", Now: func() time.Time { return now }})
	ctx := context.Background()
	post := func(channel, text, key, thread string) (string, string) {
		t.Helper()
		opts := []slack.MsgOption{slack.MsgOptionText(text, false)}
		if key != "" {
			opts = append(opts, meta(key))
		}
		if thread != "" {
			opts = append(opts, slack.MsgOptionTS(thread))
		}
		ch, ts, err := api.PostMessageContext(ctx, channel, opts...)
		if err != nil {
			t.Fatalf("post %q: %v", text, err)
		}
		return ch, ts
	}
	ch, old := post("#delivery", "old", "k-old", "")
	now = now.Add(time.Hour)
	_, parent := post(ch, "parent", "k-parent", "")
	_, plain := post(ch, "no metadata", "", "")
	_, reply := post(ch, "reply", "k-reply", parent)
	if got := s.Messages()[1].Metadata; got == nil || got.EventType != "radar_notification" || got.EventPayload["key"] != "k-parent" {
		t.Errorf("stored metadata = %+v, want radar_notification with key k-parent", got)
	}
	if old >= parent || !strings.HasPrefix(parent, "1772445600.") {
		t.Errorf("ts = %s then %s, want them from the clock (1772445600.…) and increasing", old, parent)
	}

	type row struct{ ts, text, key string }
	rows := func(ms []slack.Message) []row {
		var out []row
		for _, m := range ms {
			k, _ := m.Metadata.EventPayload["key"].(string)
			out = append(out, row{m.Timestamp, m.Text, k})
		}
		return out
	}
	since := fmt.Sprint(now.Add(-time.Minute).Unix())
	tests := []struct {
		name string
		read func() ([]slack.Message, error)
		want []row
	}{
		{"history, newest first, replies left out", func() ([]slack.Message, error) {
			r, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: ch, IncludeAllMetadata: true})
			if err != nil {
				return nil, err
			}
			return r.Messages, nil
		}, []row{{plain, "no metadata", ""}, {parent, "parent", "k-parent"}, {old, "old", "k-old"}}},
		{"history from oldest", func() ([]slack.Message, error) {
			r, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: ch, Oldest: since, IncludeAllMetadata: true})
			if err != nil {
				return nil, err
			}
			return r.Messages, nil
		}, []row{{plain, "no metadata", ""}, {parent, "parent", "k-parent"}}},
		{"history without include_all_metadata", func() ([]slack.Message, error) {
			r, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: ch, Oldest: since})
			if err != nil {
				return nil, err
			}
			return r.Messages, nil
		}, []row{{plain, "no metadata", ""}, {parent, "parent", ""}}},
		{"replies: the parent, then the thread", func() ([]slack.Message, error) {
			ms, _, _, err := api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{ChannelID: ch, Timestamp: parent, Oldest: since, IncludeAllMetadata: true})
			return ms, err
		}, []row{{parent, "parent", "k-parent"}, {reply, "reply", "k-reply"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms, err := tt.read()
			if err != nil {
				t.Fatal(err)
			}
			if got := rows(ms); !slices.Equal(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestHistoryPagesWithCursor(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	_, api, _ := start(t, slacksim.Options{Now: func() time.Time { return now }})
	ctx := context.Background()
	var ch string
	for i := range 5 {
		c, _, err := api.PostMessageContext(ctx, "#delivery", slack.MsgOptionText(fmt.Sprint(i), false))
		if err != nil {
			t.Fatal(err)
		}
		ch = c
	}
	var got []string
	cursor := ""
	for pages := 0; ; pages++ {
		if pages == 5 {
			t.Fatal("cursor never ran out")
		}
		r, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: ch, Limit: 2, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range r.Messages {
			got = append(got, m.Text)
		}
		if r.HasMore != (r.ResponseMetaData.NextCursor != "") {
			t.Errorf("has_more %v with next_cursor %q", r.HasMore, r.ResponseMetaData.NextCursor)
		}
		if cursor = r.ResponseMetaData.NextCursor; cursor == "" {
			break
		}
	}
	if want := []string{"4", "3", "2", "1", "0"}; !slices.Equal(got, want) {
		t.Errorf("paged history = %q, want %q", got, want)
	}
}

func TestReadErrors(t *testing.T) {
	s, api, _ := start(t, slacksim.Options{})
	ctx := context.Background()
	ch, ts, err := api.PostMessageContext(ctx, "#delivery", slack.MsgOptionText("hi", false))
	if err != nil {
		t.Fatal(err)
	}
	history := func(channel string) error {
		_, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: channel})
		return err
	}
	replies := func(channel, ts string) error {
		_, _, _, err := api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{ChannelID: channel, Timestamp: ts})
		return err
	}
	tests := []struct {
		name   string
		setup  func()
		do     func() error
		want   string
		needed string
	}{
		{"history needs a channel id", nil, func() error { return history("#delivery") }, "channel_not_found", ""},
		{"history of an unknown channel", nil, func() error { return history("C99999999") }, "channel_not_found", ""},
		{"replies to no thread", nil, func() error { return replies(ch, "1.000001") }, "thread_not_found", ""},
		{"history without channels:history", func() { s.SetMethodError("conversations.history", "missing_scope") },
			func() error { return history(ch) }, "missing_scope", "channels:history"},
		{"replies without channels:history", func() { s.SetMethodError("conversations.replies", "missing_scope") },
			func() error { return replies(ch, ts) }, "missing_scope", "channels:history"},
		{"history of a channel the bot left", func() { s.SetMethodError("conversations.history", "not_in_channel") },
			func() error { return history(ch) }, "not_in_channel", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.setup != nil {
				tt.setup()
			}
			err := tt.do()
			var se slack.SlackErrorResponse
			if !errors.As(err, &se) || se.Err != tt.want || !strings.Contains(se.Needed, tt.needed) {
				t.Errorf("got %v (needed %q), want %s needing %q", err, se.Needed, tt.want, tt.needed)
			}
		})
	}
	s.SetMethodError("conversations.history", "")
	if err := history(ch); err != nil {
		t.Errorf("history after the error is cleared: %v", err)
	}
}

func TestUserConversationsNamesChannels(t *testing.T) {
	_, api, _ := start(t, slacksim.Options{})
	ctx := context.Background()
	want := map[string]string{}
	for _, name := range []string{"#delivery", "#execs"} {
		id, _, err := api.PostMessageContext(ctx, name, slack.MsgOptionText("hi", false))
		if err != nil {
			t.Fatal(err)
		}
		want[strings.TrimPrefix(name, "#")] = id
	}
	got := map[string]string{}
	cursor := ""
	for {
		chans, next, err := api.GetConversationsForUserContext(ctx, &slack.GetConversationsForUserParameters{Limit: 1, Cursor: cursor,
			Types: []string{"public_channel", "private_channel"}})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range chans {
			got[c.Name] = c.ID
		}
		if cursor = next; cursor == "" || len(got) > 5 {
			break
		}
	}
	if !maps.Equal(got, want) {
		t.Errorf("users.conversations = %v, want %v", got, want)
	}
}

func TestDeleteMessageTakesItsThread(t *testing.T) {
	s := slacksim.New(slacksim.Options{Token: "xoxb-t"})
	id := s.AddChannel("#a")
	srv := httptest.NewServer(s)
	defer srv.Close()
	post := func(form url.Values) map[string]any {
		t.Helper()
		form.Set("token", "xoxb-t")
		resp, err := http.PostForm(srv.URL+"/api/chat.postMessage", form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var doc map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
			t.Fatal(err)
		}
		return doc
	}
	parent := post(url.Values{"channel": {id}, "text": {"parent"}})
	ts, _ := parent["ts"].(string)
	post(url.Values{"channel": {id}, "text": {"reply"}, "thread_ts": {ts}})
	post(url.Values{"channel": {id}, "text": {"other"}})
	if !s.DeleteMessage("#a", ts) {
		t.Fatal("DeleteMessage found no parent")
	}
	if s.DeleteMessage("#a", ts) {
		t.Error("DeleteMessage deleted the parent twice")
	}
	if got := len(s.Messages()); got != 1 {
		t.Errorf("messages after deleting the parent = %d, want 1 (its reply gone with it)", got)
	}
	if got := post(url.Values{"channel": {id}, "text": {"late reply"}, "thread_ts": {ts}}); got["error"] != "thread_not_found" {
		t.Errorf("reply to the deleted parent = %v, want thread_not_found", got)
	}
}

// AcceptThenFail stores the post and answers 500, for one request or for
// an outage: the client sees a server error, the channel shows the message.
func TestAcceptThenFail(t *testing.T) {
	s, api, _ := start(t, slacksim.Options{})
	ctx := context.Background()
	post := func(text string) error {
		_, _, err := api.PostMessageContext(ctx, "#a", slack.MsgOptionText(text, false))
		return err
	}
	var sc slack.StatusCodeError
	s.FailNext(1, slacksim.AcceptThenFail, 0)
	if err := post("one"); !errors.As(err, &sc) || sc.Code != http.StatusInternalServerError {
		t.Errorf("accept then fail: %v, want StatusCodeError 500", err)
	}
	s.SetOutage(slacksim.AcceptThenFail, 0)
	if err := post("two"); !errors.As(err, &sc) || sc.Code != http.StatusInternalServerError {
		t.Errorf("accept then fail outage: %v, want StatusCodeError 500", err)
	}
	if _, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: s.AddChannel("#a")}); !errors.As(err, &sc) || sc.Code != http.StatusInternalServerError {
		t.Errorf("history in the outage: %v, want StatusCodeError 500", err)
	}
	s.SetOutage(0, 0)
	var got []string
	for _, m := range s.Messages() {
		got = append(got, m.Text)
	}
	if want := []string{"one", "two"}; !slices.Equal(got, want) {
		t.Errorf("messages = %q, want %q: the failed answers' posts are stored", got, want)
	}
}
