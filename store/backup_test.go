package store_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/radarhq/radar/store"
)

// enqueuePair writes transaction i: two outbox rows that must travel together.
func enqueuePair(ctx context.Context, s *store.Store, i int) error {
	_, err := s.EnqueueSlack(ctx, "r", []store.OutboxMessage{
		{Key: fmt.Sprintf("k-%06d-a", i), Route: "r", Channel: "#c", Op: store.OpPost, Payload: []byte(`{}`)},
		{Key: fmt.Sprintf("k-%06d-b", i), Route: "r", Channel: "#c", Op: store.OpPost, Payload: []byte(`{}`)},
	}, nil)
	return err
}

func dumpOf(t *testing.T, s *store.Store) string {
	t.Helper()
	var b bytes.Buffer
	if err := s.Dump(context.Background(), &b, nil); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestBackupDuringConcurrentWrites(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "radar.db")
	s, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// Another connection, as radar serve in another process, keeps writing.
	w, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var committed atomic.Int64
	stop := make(chan struct{})
	writerDone := make(chan error, 1)
	go func() {
		for i := 1; ; i++ {
			select {
			case <-stop:
				writerDone <- nil
				return
			default:
			}
			if err := enqueuePair(ctx, w, i); err != nil {
				writerDone <- err
				return
			}
			committed.Store(int64(i))
		}
	}()
	waitCommitted := func(n int64) {
		for committed.Load() < n {
			select {
			case err := <-writerDone:
				t.Fatalf("writer stopped: %v", err)
			case <-time.After(time.Millisecond):
			}
		}
	}
	waitCommitted(20) // the writer is well under way
	atStart := committed.Load()
	to := filepath.Join(dir, "backup.db")
	info, err := s.Backup(ctx, to)
	atEnd := committed.Load()
	if err != nil {
		t.Fatalf("backup: %v", err)
	}
	waitCommitted(atEnd + 20) // and goes on writing after
	close(stop)
	if err := <-writerDone; err != nil {
		t.Fatalf("writer: %v", err)
	}
	if info.Path != to || info.Size == 0 || info.SchemaVersion == "" {
		t.Errorf("backup info = %+v", info)
	}

	b, err := store.Open(ctx, to)
	if err != nil {
		t.Fatalf("open the backup: %v", err)
	}
	defer b.Close()
	if err := b.IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}
	// The copy holds a prefix of the committed transactions, each whole.
	rows, err := b.DB().Query(`SELECT key FROM slack_outbox ORDER BY key`)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for rows.Next() {
		var k string
		rows.Scan(&k)
		keys = append(keys, k)
	}
	rows.Close()
	n := len(keys) / 2
	for i := 1; i <= n; i++ {
		for j, suffix := range []string{"a", "b"} {
			if got, want := keys[2*(i-1)+j], fmt.Sprintf("k-%06d-%s", i, suffix); got != want {
				t.Fatalf("backup row %d = %s, want %s: not a prefix of whole transactions", 2*(i-1)+j, got, want)
			}
		}
	}
	if len(keys)%2 != 0 {
		t.Errorf("backup holds half a transaction: %d rows", len(keys))
	}
	if int64(n) < atStart || int64(n) > atEnd {
		t.Errorf("backup holds %d transactions; want between %d (committed before it began) and %d (by its end)", n, atStart, atEnd)
	}
	if int64(n) >= committed.Load() {
		t.Errorf("backup holds all %d transactions; the test did not write during it", n)
	}
}

func TestBackupOfQuietDatabaseEqualsIt(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	for i := 1; i <= 5; i++ {
		if err := enqueuePair(ctx, s, i); err != nil {
			t.Fatal(err)
		}
	}
	to := filepath.Join(t.TempDir(), "copy.db")
	if _, err := s.Backup(ctx, to); err != nil {
		t.Fatal(err)
	}
	b, err := store.Open(ctx, to)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if got, want := dumpOf(t, b), dumpOf(t, s); got != want {
		t.Errorf("backup dump differs from the database's:\ngot  %s\nwant %s", got, want)
	}
}

func TestBackupRefusals(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	if err := enqueuePair(ctx, s, 1); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	existing := filepath.Join(dir, "existing.db")
	os.WriteFile(existing, []byte("keep me"), 0o600)

	tests := []struct {
		name string
		to   string
		opts []store.BackupOption
		want []string
	}{
		{"existing file", existing, nil, []string{"already exists", "--force"}},
		{"directory", dir, nil, []string{"is a directory"}},
		{"missing directory", filepath.Join(dir, "nope", "b.db"), nil, []string{"must exist"}},
		{"empty", "", nil, []string{"no destination"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Backup(ctx, tc.to, tc.opts...)
			if err == nil {
				t.Fatal("backup succeeded")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
	if b, _ := os.ReadFile(existing); string(b) != "keep me" {
		t.Error("a refused backup touched the existing file")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("refused backups left files behind: %v", entries)
	}

	// Overwrite replaces it with a verified copy.
	info, err := s.Backup(ctx, existing, store.Overwrite())
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(existing); bytes.Equal(b, []byte("keep me")) || info.Size != int64(len(b)) {
		t.Errorf("overwrite left %d bytes, info says %d", len(b), info.Size)
	}
}
