package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/store"
	"github.com/radarhq/radar/store/storetest"
)

func TestLockExcludesOtherHandles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "radar.db")
	a, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()

	l, err := a.TryLock(store.LockSync)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.TryLock(store.LockSync); !errors.Is(err, store.ErrLocked) {
		t.Fatalf("second TryLock = %v, want ErrLocked", err)
	}
	if other, err := b.TryLock(store.LockSlack); err != nil {
		t.Fatalf("a different lock name is independent: %v", err)
	} else {
		other.Unlock()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := b.WaitLock(ctx, store.LockSync); err == nil {
		t.Fatal("WaitLock took a held lock")
	}
	if err := l.Unlock(); err != nil {
		t.Fatal(err)
	}
	l2, err := b.WaitLock(context.Background(), store.LockSync)
	if err != nil {
		t.Fatalf("lock not free after Unlock: %v", err)
	}
	l2.Unlock()
}

func TestOlderVersionNeverOverwritesNewer(t *testing.T) {
	s := storetest.Open(t)
	ctx := context.Background()
	t0 := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	rec := func(summary string, updated time.Time) store.IssueRecord {
		return store.IssueRecord{Scope: "PAY", Issue: radar.Issue{ID: "1", Key: "PAY-1", Project: "PAY", Summary: summary, Updated: updated}}
	}
	if err := s.WriteBatch(ctx, store.Batch{Issues: []store.IssueRecord{rec("new", t0.Add(time.Hour))}}); err != nil {
		t.Fatal(err)
	}
	// A slow sync lands an older fetch of the same issue afterwards.
	if err := s.WriteBatch(ctx, store.Batch{Issues: []store.IssueRecord{rec("old", t0)}}); err != nil {
		t.Fatal(err)
	}
	var got string
	if err := s.DB().QueryRow(`SELECT summary FROM issues WHERE id = '1'`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got != "new" {
		t.Errorf("summary = %q: an older fetch overwrote a newer one", got)
	}
	if err := s.WriteBatch(ctx, store.Batch{Issues: []store.IssueRecord{rec("newer", t0.Add(2*time.Hour))}}); err != nil {
		t.Fatal(err)
	}
	s.DB().QueryRow(`SELECT summary FROM issues WHERE id = '1'`).Scan(&got)
	if got != "newer" {
		t.Errorf("summary = %q after a newer fetch", got)
	}
}
