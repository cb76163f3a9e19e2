package alerts

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/radarhq/radar/slacksim"
	"github.com/radarhq/radar/store"
)

// finderRig is a fake Slack behind real HTTP, a slack-go client on it, and
// a lostSends alone, on one clock.
type finderRig struct {
	sim  *slacksim.Server
	api  *slack.Client
	lost *lostSends
	logs *bytes.Buffer
	now  time.Time
}

func newFinderRig(t *testing.T, settle time.Duration) *finderRig {
	t.Helper()
	r := &finderRig{logs: &bytes.Buffer{}, now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	clock := func() time.Time { return r.now }
	r.sim = slacksim.New(slacksim.Options{Token: "xoxb-finder", Now: clock})
	srv := httptest.NewServer(r.sim)
	t.Cleanup(srv.Close)
	r.api = slack.New("xoxb-finder", slack.OptionAPIURL(srv.URL+"/api/"))
	h := &health{now: clock}
	r.lost = newLostSends(r.api, clock, slog.New(slog.NewTextHandler(r.logs, nil)), h, redactor{token: "xoxb-finder"}, settle)
	return r
}

// post puts a message carrying key into channel (in thread, when set) as
// Radar's sends do, and returns its ts.
func (r *finderRig) post(t *testing.T, channel, thread, key string) string {
	t.Helper()
	opts := []slack.MsgOption{slack.MsgOptionText("text of "+key, false),
		slack.MsgOptionMetadata(slack.SlackMetadata{EventType: metadataEventType, EventPayload: map[string]any{"key": key}})}
	if thread != "" {
		opts = append(opts, slack.MsgOptionTS(thread))
	}
	_, ts, err := r.api.PostMessage(channel, opts...)
	if err != nil {
		t.Fatalf("post: %v", err)
	}
	return ts
}

func TestLostSendsFind(t *testing.T) {
	tests := []struct {
		name      string
		setup     func(t *testing.T, r *finderRig) store.OutboxMessage
		wantFound bool
		wantErr   bool   // a *lookupError, to be retried
		wantLog   string // a warning saying the message may show twice
	}{
		{"in the channel, found by #name", func(t *testing.T, r *finderRig) store.OutboxMessage {
			r.post(t, "#ops", "", "other")
			r.post(t, "#ops", "", "k1")
			return store.OutboxMessage{ID: 1, Channel: "#ops", Key: "k1", Op: store.OpPost, InFlightAt: r.now.Add(-time.Minute)}
		}, true, false, ""},
		{"not in the channel", func(t *testing.T, r *finderRig) store.OutboxMessage {
			r.post(t, "#ops", "", "other")
			return store.OutboxMessage{ID: 1, Channel: "#ops", Key: "k1", Op: store.OpPost, InFlightAt: r.now.Add(-time.Minute)}
		}, false, false, ""},
		{"sent long before the window", func(t *testing.T, r *finderRig) store.OutboxMessage {
			r.post(t, "#ops", "", "k1")
			r.now = r.now.Add(2 * time.Hour)
			return store.OutboxMessage{ID: 1, Channel: "#ops", Key: "k1", Op: store.OpPost, InFlightAt: r.now.Add(-time.Minute)}
		}, false, false, ""},
		{"a reply, in its thread", func(t *testing.T, r *finderRig) store.OutboxMessage {
			parent := r.post(t, "#ops", "", "parent")
			r.post(t, "#ops", parent, "k1")
			return store.OutboxMessage{ID: 1, Channel: "#ops", Key: "k1", Op: store.OpReply, ParentTS: parent, InFlightAt: r.now.Add(-time.Minute)}
		}, true, false, ""},
		{"a reply whose thread is gone, in the channel", func(t *testing.T, r *finderRig) store.OutboxMessage {
			parent := r.post(t, "#ops", "", "parent")
			r.post(t, "#ops", "", "k1")
			id := r.sim.AddChannel("#ops")
			r.sim.DeleteMessage(id, parent)
			return store.OutboxMessage{ID: 1, Channel: "#ops", Key: "k1", Op: store.OpReply, ParentTS: parent, InFlightAt: r.now.Add(-time.Minute)}
		}, true, false, ""},
		{"a channel the app cannot read", func(t *testing.T, r *finderRig) store.OutboxMessage {
			r.post(t, "#ops", "", "k1")
			r.sim.SetMethodError("conversations.history", "missing_scope")
			return store.OutboxMessage{ID: 1, Channel: "#ops", Key: "k1", Op: store.OpPost, InFlightAt: r.now.Add(-time.Minute)}
		}, false, false, "code=missing_scope"},
		{"a channel the app is not in", func(t *testing.T, r *finderRig) store.OutboxMessage {
			return store.OutboxMessage{ID: 1, Channel: "#elsewhere", Key: "k1", Op: store.OpPost, InFlightAt: r.now.Add(-time.Minute)}
		}, false, false, "code=not_in_channel"},
		{"Slack down", func(t *testing.T, r *finderRig) store.OutboxMessage {
			r.post(t, "#ops", "", "k1")
			r.sim.SetOutage(slacksim.ServerError, 0)
			return store.OutboxMessage{ID: 1, Channel: "#ops", Key: "k1", Op: store.OpPost, InFlightAt: r.now.Add(-time.Minute)}
		}, false, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newFinderRig(t, 0)
			m := tt.setup(t, r)
			channelID, ts, err := r.lost.find(context.Background(), m)
			var le *lookupError
			if tt.wantErr != errors.As(err, &le) || (!tt.wantErr && err != nil) {
				t.Fatalf("find: err = %v, want a lookup error: %v", err, tt.wantErr)
			}
			if tt.wantErr && (!unreachable(le.err) || strings.Contains(le.Error(), "xoxb-finder")) {
				t.Errorf("lookup error = %v, want Slack unreachable, without the token", le)
			}
			if found := ts != ""; found != tt.wantFound {
				t.Fatalf("found = %v (ts %q), want %v", found, ts, tt.wantFound)
			}
			if tt.wantFound {
				var want *slacksim.Message
				for _, sm := range r.sim.Messages() {
					if sm.Metadata != nil && sm.Metadata.EventPayload["key"] == m.Key {
						want = &sm
					}
				}
				if want == nil || want.TS != ts || want.ChannelID != channelID {
					t.Errorf("found %s in %s, want %+v", ts, channelID, want)
				}
			}
			if !strings.Contains(r.logs.String(), tt.wantLog) {
				t.Errorf("log lacks %q:\n%s", tt.wantLog, r.logs)
			}
		})
	}
}

// A channel's id is resolved once by name, then taken from memory, and
// from a post's answer when a post gave it.
func TestLostSendsChannelIDs(t *testing.T) {
	r := newFinderRig(t, 0)
	id := r.sim.AddChannel("#ops")
	for i := 0; i < 2; i++ {
		got, err := r.lost.channelID(context.Background(), "#ops")
		if err != nil || got != id {
			t.Fatalf("channelID = %q, %v; want %q", got, err, id)
		}
	}
	if n := r.sim.Requests()["users.conversations"]; n != 1 {
		t.Errorf("users.conversations called %d times, want 1", n)
	}
	r.lost.noteChannel("#private", "G0000042")
	if got, err := r.lost.channelID(context.Background(), "#private"); err != nil || got != "G0000042" {
		t.Errorf("channelID of a posted-to channel = %q, %v; want G0000042", got, err)
	}
	if got, err := r.lost.channelID(context.Background(), "C0123456789"); err != nil || got != "C0123456789" {
		t.Errorf("channelID of an id = %q, %v; want it back", got, err)
	}
	r.lost.forgetChannel("#ops")
	if _, err := r.lost.channelID(context.Background(), "#ops"); err != nil {
		t.Fatal(err)
	}
	if n := r.sim.Requests()["users.conversations"]; n != 2 {
		t.Errorf("users.conversations called %d times after forgetting, want 2", n)
	}
}

// An unanswered send is left to settle; a lookup that keeps failing gives
// up after maxLookFails, but only once Slack has answered since the send.
func TestLostSendsSettleAndGiveUp(t *testing.T) {
	r := newFinderRig(t, 30*time.Second)
	m := store.OutboxMessage{ID: 7, Channel: "#ops", Key: "k", InFlightAt: r.now}
	if err := r.lost.settling(m); err != nil {
		t.Fatalf("settling before any unanswered send = %v, want nil", err)
	}
	r.lost.unanswered(m.ID)
	if se := r.lost.leaveToSettle(m); !se.fresh || !se.until.Equal(r.now.Add(30*time.Second)) {
		t.Errorf("leaveToSettle = %+v, want fresh until 30s from now", se)
	}
	r.now = r.now.Add(10 * time.Second)
	var se *settlingError
	if err := r.lost.settling(m); !errors.As(err, &se) || se.fresh {
		t.Errorf("settling 10s after = %v, want a (not fresh) settling error", err)
	}
	r.now = r.now.Add(20 * time.Second)
	if err := r.lost.settling(m); err != nil {
		t.Errorf("settling 30s after = %v, want nil", err)
	}

	le := &lookupError{method: "conversations.history", channel: "#ops", err: slack.StatusCodeError{Code: 500}}
	for i := 1; i < maxLookFails; i++ {
		if r.lost.giveUpLooking(m, le) {
			t.Fatalf("gave up after %d failed lookups, want %d", i, maxLookFails)
		}
	}
	if r.lost.giveUpLooking(m, le) {
		t.Fatal("gave up although Slack has answered nothing since the send")
	}
	r.lost.health.observe(nil) // Slack answers
	if !r.lost.giveUpLooking(m, le) {
		t.Fatalf("did not give up after %d failed lookups with Slack answering", r.lost.failures(m.ID))
	}
	if n := r.lost.failures(m.ID); n != 0 {
		t.Errorf("failures after giving up = %d, want 0: a new episode", n)
	}
	r.lost.forget(m.ID)
	if err := r.lost.settling(m); err != nil {
		t.Errorf("settling after forget = %v, want nil", err)
	}
}
