package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/radarhq/radar/store"
	"github.com/radarhq/radar/store/storetest"
)

func outboxMsg(key, channel, op, finding string) store.OutboxMessage {
	return store.OutboxMessage{Key: key, Route: "#a|team", Channel: channel, Op: op, FindingID: finding, Payload: []byte(`{"text":"` + key + `"}`)}
}

func TestEnqueueSlackIsIdempotent(t *testing.T) {
	s := storetest.Open(t)
	ctx := context.Background()
	msgs := []store.OutboxMessage{outboxMsg("k1", "#a", store.OpParent, "f1"), outboxMsg("k2", "#a", store.OpPost, "")}
	for i, want := range []int{2, 0} {
		got, err := s.EnqueueSlack(ctx, "#a|team", msgs, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("enqueue %d added %d, want %d", i, got, want)
		}
	}
	n, err := s.PendingOutboxCount(ctx)
	if err != nil || n != 2 {
		t.Fatalf("pending = %d, %v; want 2", n, err)
	}
	seen, err := s.SlackRouteSeen(ctx, "#a|team")
	if err != nil || !seen {
		t.Errorf("route seen = %v, %v; want true", seen, err)
	}
	if seen, _ := s.SlackRouteSeen(ctx, "#b|team"); seen {
		t.Error("an unused route is seen")
	}
}

func TestOutboxSendOrderAndParentTS(t *testing.T) {
	s := storetest.Open(t)
	ctx := context.Background()
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	thread := store.SlackThread{Route: "#a|team", FindingID: "f1", Channel: "#a", Kind: "blocker", Issue: "PAY-1", Severity: "warning", Open: true, LastTransition: "new", FirstAt: at, ChangedAt: at}
	msgs := []store.OutboxMessage{
		outboxMsg("parent", "#a", store.OpParent, "f1"),
		outboxMsg("reply", "#a", store.OpReply, "f1"),
		outboxMsg("other", "#b", store.OpPost, ""),
	}
	if _, err := s.EnqueueSlack(ctx, "#a|team", msgs, []store.SlackThread{thread}); err != nil {
		t.Fatal(err)
	}
	pending, err := s.PendingOutbox(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, m := range pending {
		keys = append(keys, m.Key)
	}
	if got, want := len(keys), 3; got != want || keys[0] != "parent" || keys[1] != "reply" || keys[2] != "other" {
		t.Fatalf("pending keys = %v, want [parent reply other]", keys)
	}
	if pending[1].ParentTS != "" {
		t.Errorf("reply's parent ts = %q before the parent is sent, want empty", pending[1].ParentTS)
	}
	if err := s.MarkOutboxFailed(ctx, pending[0].ID, "internal_error"); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkOutboxSent(ctx, pending[0], "C0001", "1700000000.000100", at); err != nil {
		t.Fatal(err)
	}
	pending, err = s.PendingOutbox(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 2 || pending[0].ParentTS != "1700000000.000100" || pending[0].ParentChannel != "C0001" {
		t.Fatalf("after sending the parent: %+v, want the reply to carry the parent's ts and channel id", pending)
	}
	// A later upsert of the thread (an escalation) keeps the parent ts.
	thread.Severity = "critical"
	if _, err := s.EnqueueSlack(ctx, "#a|team", nil, []store.SlackThread{thread}); err != nil {
		t.Fatal(err)
	}
	threads, err := s.SlackThreads(ctx, "#a|team")
	if err != nil {
		t.Fatal(err)
	}
	got := threads["f1"]
	if got.ParentTS != "1700000000.000100" || got.Severity != "critical" || got.Issue != "PAY-1" || !got.FirstAt.Equal(at) {
		t.Errorf("thread = %+v, want parent ts kept, severity critical", got)
	}
	all, err := s.OutboxMessages(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if all[0].Attempts != 2 || all[0].LastError != "" || all[0].TS != "1700000000.000100" || all[0].SentAt.IsZero() {
		t.Errorf("sent parent row = %+v, want 2 attempts, error cleared, ts and sent time set", all[0])
	}
}

func TestSlackThreadParent(t *testing.T) {
	s := storetest.Open(t)
	ctx := context.Background()
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	thread := store.SlackThread{Route: "#a|team", FindingID: "f1", Channel: "#a", Open: true, FirstAt: at, ChangedAt: at}
	msgs := []store.OutboxMessage{outboxMsg("parent", "#a", store.OpParent, "f1"), outboxMsg("reply", "#a", store.OpReply, "f1")}
	if _, err := s.EnqueueSlack(ctx, "#a|team", msgs, []store.SlackThread{thread}); err != nil {
		t.Fatal(err)
	}
	pending, err := s.PendingOutbox(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		route, id string
		send      bool // mark the parent sent first
		want      store.ThreadParent
	}{
		{"parent unsent", "#a|team", "f1", false, store.ThreadParent{Pending: true}},
		{"unknown thread", "#a|team", "f2", false, store.ThreadParent{}},
		{"other route", "#b|team", "f1", false, store.ThreadParent{}},
		{"parent sent", "#a|team", "f1", true, store.ThreadParent{TS: "1700000000.000100", Channel: "C0001"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.send {
				if err := s.MarkOutboxSent(ctx, pending[0], "C0001", "1700000000.000100", at); err != nil {
					t.Fatal(err)
				}
			}
			got, err := s.SlackThreadParent(ctx, tt.route, tt.id)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}
