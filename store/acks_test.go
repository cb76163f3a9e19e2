package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/store"
	"github.com/radarhq/radar/store/storetest"
)

func TestPutAck(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	open := radar.Finding{ID: "blocker:PAY-1", Kind: radar.KindBlocker, Severity: radar.SeverityWarning, Project: "PAY", Issue: "PAY-1",
		Evidence: radar.BlockerFacts{BlastRadius: 6}}
	gone := radar.Finding{ID: "stale:PAY-2", Kind: radar.KindStale, Severity: radar.SeverityInfo, Project: "PAY", Issue: "PAY-2"}
	if _, err := s.RecordFindings(ctx, at, []radar.Finding{open, gone}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordFindings(ctx, at.Add(time.Hour), []radar.Finding{open}); err != nil {
		t.Fatal(err)
	}
	ack := radar.Ack{State: radar.AckSnoozed, By: "ada", At: at.Add(2 * time.Hour), Until: at.Add(26 * time.Hour), Note: "vendor", SlackUser: "U0ADA"}
	tests := []struct {
		name string
		id   string
		want error
	}{
		{"open finding", open.ID, nil},
		{"resolved finding", gone.ID, store.ErrFindingResolved},
		{"unknown finding", "blocker:NOPE-1", store.ErrUnknownFinding},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := s.PutAck(ctx, tt.id, ack)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if err == nil && (k.Finding.Ack == nil || k.Finding.Ack.BlastRadius != 6 || k.Finding.Ack.Severity != radar.SeverityWarning) {
				t.Errorf("returned ack %+v, want the finding's severity and blast radius as its baseline", k.Finding.Ack)
			}
		})
	}
	acks, err := s.Acks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := ack
	want.Kind, want.Severity, want.BlastRadius = radar.KindBlocker, radar.SeverityWarning, 6
	if len(acks) != 1 || acks[open.ID] != want {
		t.Errorf("acks = %+v, want only %+v", acks, want)
	}
	fs, err := s.AttachAcks(ctx, []radar.Finding{open, gone})
	if err != nil {
		t.Fatal(err)
	}
	if fs[0].Ack == nil || fs[1].Ack != nil || open.Ack != nil {
		t.Errorf("attached acks = %v, %v; want the open finding's only, on a copy", fs[0].Ack, fs[1].Ack)
	}

	// Escalated: the baseline moves; then resolved: the ack goes.
	worse := open
	worse.Severity, worse.Evidence = radar.SeverityCritical, radar.BlockerFacts{BlastRadius: 20}
	if err := s.RebaseAck(ctx, worse); err != nil {
		t.Fatal(err)
	}
	acks, _ = s.Acks(ctx)
	if a := acks[open.ID]; a.Severity != radar.SeverityCritical || a.BlastRadius != 20 {
		t.Errorf("after rebase: %+v, want critical with radius 20", a)
	}
	if _, err := s.RecordFindings(ctx, at.Add(3*time.Hour), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordFindings(ctx, at.Add(4*time.Hour), []radar.Finding{open}); err != nil {
		t.Fatal(err)
	}
	if acks, _ := s.Acks(ctx); len(acks) != 0 {
		t.Errorf("a finding back after resolving kept its ack: %+v", acks)
	}
}

func TestSeenSlackRequest(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	steps := []struct {
		sig  string
		at   time.Time
		want bool
	}{
		{"v0=aa", at, false},
		{"v0=aa", at.Add(time.Minute), true},
		{"v0=bb", at.Add(time.Minute), false},
		{"v0=aa", at.Add(store.SeenWindow + 2*time.Minute), false}, // forgotten long after Slack's 5 minutes
	}
	for i, st := range steps {
		got, err := s.SeenSlackRequest(ctx, st.sig, st.at)
		if err != nil {
			t.Fatal(err)
		}
		if got != st.want {
			t.Errorf("step %d (%s): replay = %v, want %v", i, st.sig, got, st.want)
		}
	}
}
