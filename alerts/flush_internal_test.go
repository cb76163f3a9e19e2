package alerts

import (
	"errors"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/radarhq/radar/store"
)

// The flush scheduler alone: after each failure, which of the messages
// still pending the flush goes on to send.
func TestScheduler(t *testing.T) {
	msg := func(channel, finding string) store.OutboxMessage {
		return store.OutboxMessage{Route: channel + "|team", Channel: channel, FindingID: finding}
	}
	refused := func(channel, code string) error {
		return &PermanentError{Code: code, Channel: channel, Hint: hintFor(code, channel)}
	}
	lookup := func(down bool) error {
		return &lookupError{method: "conversations.history", channel: "#a", err: slack.StatusCodeError{Code: 500}, down: down}
	}
	settling := func(fresh bool) error { return &settlingError{channel: "#a", key: "k", fresh: fresh} }
	type failure struct {
		m   store.OutboxMessage
		err error
	}
	tests := []struct {
		name     string
		failures []failure
		sends    []store.OutboxMessage // go out after the failures
		waits    []store.OutboxMessage // wait for the next flush
	}{
		{name: "one message refused: its thread waits, the channel goes on",
			failures: []failure{{msg("#a", "f1"), refused("#a", "msg_too_long")}},
			sends:    []store.OutboxMessage{msg("#a", "f2"), msg("#a", ""), msg("#b", "f1")},
			waits:    []store.OutboxMessage{msg("#a", "f1")}},
		{name: "channel refused: it stops, others go on",
			failures: []failure{{msg("#a", "f1"), refused("#a", "channel_not_found")}},
			sends:    []store.OutboxMessage{msg("#b", "f1"), msg("#b", "")},
			waits:    []store.OutboxMessage{msg("#a", "f2"), msg("#a", "")}},
		{name: "token refused: everything stops",
			failures: []failure{{msg("#a", "f1"), refused("#a", "invalid_auth")}},
			waits:    []store.OutboxMessage{msg("#b", "f2"), msg("#b", "")}},
		{name: "a summary part refused for its channel stops the channel",
			failures: []failure{{msg("#a", ""), errors.New("send to #a: still rate limited after 13 waits")}},
			sends:    []store.OutboxMessage{msg("#b", "")},
			waits:    []store.OutboxMessage{msg("#a", ""), msg("#a", "f1")}},
		{name: "failed lookup Slack answered: only its thread waits",
			failures: []failure{{msg("#a", "f1"), lookup(false)}},
			sends:    []store.OutboxMessage{msg("#a", "f2")},
			waits:    []store.OutboxMessage{msg("#a", "f1")}},
		{name: "lookup Slack did not answer: the channel waits",
			failures: []failure{{msg("#a", "f1"), lookup(true)}},
			sends:    []store.OutboxMessage{msg("#b", "f2")},
			waits:    []store.OutboxMessage{msg("#a", "f2")}},
		{name: "one unanswered send: the channel goes on",
			failures: []failure{{msg("#a", "f1"), settling(true)}, {msg("#a", "f2"), settling(false)}},
			sends:    []store.OutboxMessage{msg("#a", "f3")},
			waits:    []store.OutboxMessage{msg("#a", "f1"), msg("#a", "f2")}},
		{name: "a second unanswered send stops the channel",
			failures: []failure{{msg("#a", "f1"), settling(true)}, {msg("#a", "f2"), settling(true)}},
			sends:    []store.OutboxMessage{msg("#b", "f3")},
			waits:    []store.OutboxMessage{msg("#a", "f3")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s scheduler
			for _, f := range tt.failures {
				if s.waits(f.m) {
					t.Fatalf("%s %s waits before its own failure", f.m.Channel, f.m.FindingID)
				}
				s.failed(f.m, f.err)
			}
			for _, m := range tt.sends {
				if s.waits(m) {
					t.Errorf("%s %q waits, want it sent", m.Channel, m.FindingID)
				}
			}
			for _, m := range tt.waits {
				if !s.waits(m) {
					t.Errorf("%s %q is sent, want it to wait", m.Channel, m.FindingID)
				}
			}
			err := s.result(7)
			if err == nil || !strings.Contains(err.Error(), "7 notifications pending") {
				t.Fatalf("result = %v, want the pending count", err)
			}
			for _, f := range tt.failures {
				if !errors.Is(err, f.err) {
					t.Errorf("result %v lacks %v", err, f.err)
				}
			}
		})
	}
}

func TestSchedulerHoldsFollowUps(t *testing.T) {
	var s scheduler
	reply := store.OutboxMessage{Route: "#a|team", Channel: "#a", FindingID: "f1", Op: store.OpReply}
	s.hold(reply)
	if !s.waits(store.OutboxMessage{Route: "#a|team", Channel: "#a", FindingID: "f1", Op: store.OpUpdate}) {
		t.Error("an update waits not behind its thread's unsent parent")
	}
	if s.waits(store.OutboxMessage{Route: "#a|exec", Channel: "#a", FindingID: "f1"}) {
		t.Error("another route's thread of the same finding waits")
	}
	if err := s.result(3); err != nil {
		t.Errorf("result with nothing failed = %v, want nil", err)
	}
}
