package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/radarhq/radar/store"
	"github.com/radarhq/radar/store/storetest"
)

// MarkOutboxInFlight keeps the first unanswered send's time; a reset starts
// a new episode at the new send's time.
func TestResetOutboxInFlight(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	if _, err := st.EnqueueSlack(ctx, "r", []store.OutboxMessage{{Key: "k", Route: "r", Channel: "#a", Op: store.OpPost, Payload: []byte(`{}`)}}, nil); err != nil {
		t.Fatal(err)
	}
	rows, err := st.PendingOutbox(ctx)
	if err != nil || len(rows) != 1 {
		t.Fatalf("pending = %d, %v", len(rows), err)
	}
	id := rows[0].ID
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	inFlight := func() time.Time {
		t.Helper()
		rows, err := st.PendingOutbox(ctx)
		if err != nil || len(rows) != 1 {
			t.Fatalf("pending = %d, %v", len(rows), err)
		}
		return rows[0].InFlightAt
	}
	steps := []struct {
		name string
		do   func() error
		want time.Time
	}{
		{"first send", func() error { return st.MarkOutboxInFlight(ctx, id, t0) }, t0},
		{"second send keeps the first", func() error { return st.MarkOutboxInFlight(ctx, id, t0.Add(time.Minute)) }, t0},
		{"reset", func() error { return st.ResetOutboxInFlight(ctx, id, t0.Add(time.Hour)) }, t0.Add(time.Hour)},
		{"send after the reset keeps it", func() error { return st.MarkOutboxInFlight(ctx, id, t0.Add(2*time.Hour)) }, t0.Add(time.Hour)},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got := inFlight(); !got.Equal(s.want) {
			t.Errorf("%s: in flight since %v, want %v", s.name, got, s.want)
		}
	}
}
