package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/store/storetest"
)

func TestTrackRecordLatestWins(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	if _, _, ok, err := s.LastTrackRecord(ctx); ok || err != nil {
		t.Fatalf("empty store: ok %v err %v, want none", ok, err)
	}
	day := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	old := radar.TrackRecord{Cases: 10, P50Coverage: 0.4, P85Coverage: 0.7, P95Coverage: 0.9}
	recent := radar.TrackRecord{Cases: 64, P50Coverage: 0.55, P85Coverage: 0.81, P95Coverage: 0.93}
	for _, r := range []struct {
		at time.Time
		tr radar.TrackRecord
	}{{day.AddDate(0, 0, 1), recent}, {day, old}} {
		if err := s.SaveTrackRecord(ctx, r.at, r.tr); err != nil {
			t.Fatal(err)
		}
	}
	got, at, ok, err := s.LastTrackRecord(ctx)
	if err != nil || !ok || got != recent || !at.Equal(day.AddDate(0, 0, 1)) {
		t.Errorf("last = %+v at %v (ok %v, %v), want %+v at %v", got, at, ok, err, recent, day.AddDate(0, 0, 1))
	}
}
