package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/radarhq/radar/store"
	"github.com/radarhq/radar/store/storetest"
)

func TestSlackUserCache(t *testing.T) {
	s := storetest.Open(t)
	ctx := context.Background()
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	if _, _, ok, err := s.SlackUser(ctx, "ada@example.com"); err != nil || ok {
		t.Fatalf("uncached lookup: ok=%v err=%v, want not found", ok, err)
	}
	tests := []struct{ email, id string }{{"ada@example.com", "U0ADA"}, {"bob@example.com", ""}, {"ada@example.com", "U0ADA2"}}
	for _, tt := range tests {
		if err := s.PutSlackUser(ctx, tt.email, tt.id, at); err != nil {
			t.Fatal(err)
		}
		id, when, ok, err := s.SlackUser(ctx, tt.email)
		if err != nil || !ok || id != tt.id || !when.Equal(at) {
			t.Errorf("SlackUser(%s) = %q, %v, %v, %v; want %q at %v", tt.email, id, when, ok, err, tt.id, at)
		}
	}
}

func TestSlackDigestTime(t *testing.T) {
	s := storetest.Open(t)
	ctx := context.Background()
	if last, err := s.LastSlackDigest(ctx, "#a|exec"); err != nil || !last.IsZero() {
		t.Fatalf("first digest time = %v, %v; want zero", last, err)
	}
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	msg := store.OutboxMessage{Key: "d1", Route: "#a|exec", Channel: "#a", Op: store.OpPost, Payload: []byte(`{}`)}
	for i := 0; i < 2; i++ { // a repeated digest enqueue adds no second message
		if err := s.EnqueueSlackDigest(ctx, "#a|exec", at, []store.OutboxMessage{msg}); err != nil {
			t.Fatal(err)
		}
	}
	if last, _ := s.LastSlackDigest(ctx, "#a|exec"); !last.Equal(at) {
		t.Errorf("last digest = %v, want %v", last, at)
	}
	if n, _ := s.PendingOutboxCount(ctx); n != 1 {
		t.Errorf("pending = %d, want 1", n)
	}
}
