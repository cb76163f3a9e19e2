package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/radarhq/radar/store"
	"github.com/radarhq/radar/store/storetest"
)

func TestDropOutbox(t *testing.T) {
	s := storetest.Open(t)
	ctx := context.Background()
	msgs := []store.OutboxMessage{
		{Key: "r|X|parent", Route: "r", Channel: "#nobot", Op: store.OpParent, FindingID: "X", Payload: []byte(`{}`)},
		{Key: "r|X|reply", Route: "r", Channel: "#nobot", Op: store.OpReply, FindingID: "X", Payload: []byte(`{}`)},
		{Key: "r|Y|parent", Route: "r", Channel: "#nobot", Op: store.OpParent, FindingID: "Y", Payload: []byte(`{}`)},
		{Key: "q|summary", Route: "q", Channel: "#ok", Op: store.OpPost, Payload: []byte(`{}`)},
	}
	threads := []store.SlackThread{
		{Route: "r", FindingID: "X", Channel: "#nobot", Severity: "warning", Open: true, FirstAt: time.Now(), ChangedAt: time.Now()},
		{Route: "r", FindingID: "Y", Channel: "#nobot", Severity: "warning", Open: true, FirstAt: time.Now(), ChangedAt: time.Now()},
	}
	if _, err := s.EnqueueSlack(ctx, "r", msgs, threads); err != nil {
		t.Fatal(err)
	}
	pending, err := s.PendingOutbox(ctx)
	if err != nil || len(pending) != 4 {
		t.Fatalf("pending = %d, %v", len(pending), err)
	}
	at := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	// Dropping X's parent drops its reply too.
	if n, err := s.DropOutbox(ctx, pending[0].ID, "", at); err != nil || n != 2 {
		t.Fatalf("drop parent: %d, %v; want 2 (the parent and its reply)", n, err)
	}
	if n, err := s.DropOutbox(ctx, 0, "#nobot", at); err != nil || n != 1 {
		t.Fatalf("drop channel: %d, %v; want Y's parent", n, err)
	}
	if _, err := s.DropOutbox(ctx, pending[0].ID, "", at); err == nil || !strings.Contains(err.Error(), "no pending message") {
		t.Errorf("dropping twice: %v", err)
	}
	left, _ := s.PendingOutbox(ctx)
	if len(left) != 1 || left[0].Channel != "#ok" {
		t.Errorf("left pending: %+v; want only #ok's summary", left)
	}
	if ts, err := s.SlackThreads(ctx, "r"); err != nil || len(ts) != 0 {
		t.Errorf("threads after dropping their parents: %v, %v; want none (the next change starts afresh)", ts, err)
	}
	all, _ := s.OutboxMessages(ctx, "r")
	for _, m := range all {
		if !strings.HasPrefix(m.LastError, store.DroppedPrefix) {
			t.Errorf("message %s: last_error %q does not record the drop", m.Key, m.LastError)
		}
	}
}
