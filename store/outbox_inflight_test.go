package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/radarhq/radar/store"
	"github.com/radarhq/radar/store/storetest"
)

func TestOutboxInFlight(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		then     func(s *store.Store, m store.OutboxMessage) error
		pending  bool
		inFlight time.Time // zero: not in flight
	}{
		{"a second unanswered attempt keeps the first's time", func(s *store.Store, m store.OutboxMessage) error {
			return s.MarkOutboxInFlight(context.Background(), m.ID, at.Add(time.Minute))
		}, true, at},
		{"a failed attempt leaves the outcome unknown", func(s *store.Store, m store.OutboxMessage) error {
			return s.MarkOutboxFailed(context.Background(), m.ID, "connection reset")
		}, true, at},
		{"Slack's error answer clears it", func(s *store.Store, m store.OutboxMessage) error {
			return s.ClearOutboxInFlight(context.Background(), m.ID)
		}, true, time.Time{}},
		{"sent clears it", func(s *store.Store, m store.OutboxMessage) error {
			return s.MarkOutboxSent(context.Background(), m, "C0001", "1772442000.000100", at.Add(time.Minute))
		}, false, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := storetest.Open(t)
			ctx := context.Background()
			if _, err := s.EnqueueSlack(ctx, "#a|team", []store.OutboxMessage{outboxMsg("k1", "#a", store.OpPost, "")}, nil); err != nil {
				t.Fatal(err)
			}
			pending, err := s.PendingOutbox(ctx)
			if err != nil || len(pending) != 1 || !pending[0].InFlightAt.IsZero() {
				t.Fatalf("pending = %+v, %v; want one message, not in flight", pending, err)
			}
			if err := s.MarkOutboxInFlight(ctx, pending[0].ID, at); err != nil {
				t.Fatal(err)
			}
			if err := tt.then(s, pending[0]); err != nil {
				t.Fatal(err)
			}
			all, err := s.OutboxMessages(ctx, "")
			if err != nil {
				t.Fatal(err)
			}
			got := all[0]
			if got.SentAt.IsZero() != tt.pending || !got.InFlightAt.Equal(tt.inFlight) {
				t.Errorf("pending %v, in flight since %v; want pending %v, in flight since %v", got.SentAt.IsZero(), got.InFlightAt, tt.pending, tt.inFlight)
			}
			if tt.pending {
				p, _ := s.PendingOutbox(ctx)
				if len(p) != 1 || !p[0].InFlightAt.Equal(tt.inFlight) {
					t.Errorf("pending outbox = %+v, want it in flight since %v", p, tt.inFlight)
				}
			}
		})
	}
}
