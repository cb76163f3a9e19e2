package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/radarhq/radar/store"
	"github.com/radarhq/radar/store/storetest"
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
	openers := []struct {
		name string
		open func(context.Context, string) (*store.Store, error)
	}{
		{"Open", func(ctx context.Context, p string) (*store.Store, error) { return store.Open(ctx, p) }},
		{"OpenForBackup", store.OpenForBackup}, // read-only, as radar backup
	}
	for _, o := range openers {
		t.Run(o.name, func(t *testing.T) { testBackupDuringConcurrentWrites(t, o.open) })
	}
}

func testBackupDuringConcurrentWrites(t *testing.T, open func(context.Context, string) (*store.Store, error)) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "radar.db")
	// A connection, as radar serve in another process, creates the database
	// and keeps writing.
	w, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	s, err := open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// committed is stored after each transaction commits, begun before it
	// starts: a commit may be done but not yet counted, never the reverse.
	var committed, begun atomic.Int64
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
			begun.Store(int64(i))
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
	atEnd := begun.Load()
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
	s := storetest.Open(t)
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
	s := storetest.Open(t)
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

// TestBackupAwkwardPaths backs up from and to paths SQLite's URI syntax
// gives a meaning to: exactly the intended files are written and verified,
// nothing stray is left.
func TestBackupAwkwardPaths(t *testing.T) {
	ctx := context.Background()
	parent := t.TempDir()
	var want []string
	for i, name := range awkwardNames {
		src := fmt.Sprintf("%d/src/%s", i, name)
		dst := fmt.Sprintf("%d/dst/%s", i, name)
		// The read-only source connection leaves SQLite's -wal and -shm
		// (the -wal empty) beside the source; nothing else may appear.
		want = append(want, src, src+"-wal", src+"-shm", dst)
		t.Run(name, func(t *testing.T) {
			from := filepath.Join(parent, filepath.FromSlash(src))
			to := filepath.Join(parent, filepath.FromSlash(dst))
			for _, p := range []string{from, to} {
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			s, err := store.Open(ctx, from)
			if err != nil {
				t.Fatal(err)
			}
			if err := enqueuePair(ctx, s, 1); err != nil {
				t.Fatal(err)
			}
			wantDump := dumpOf(t, s)
			s.Close()

			b, err := store.OpenForBackup(ctx, from)
			if err != nil {
				t.Fatalf("open for backup: %v", err)
			}
			info, err := b.Backup(ctx, to)
			b.Close()
			if err != nil {
				t.Fatalf("backup to %q: %v", to, err)
			}
			if fi, err := os.Stat(from + "-wal"); err != nil || fi.Size() != 0 {
				t.Errorf("the source's -wal after the backup: %v, err %v; want empty", fi, err)
			}
			if info.Path != to || info.SchemaVersion == "" {
				t.Errorf("backup info = %+v", info)
			}
			fi, err := os.Stat(to)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Size() != info.Size || !isSQLite(t, to) {
				t.Errorf("%s: %d bytes, SQLite header %v; info says %d bytes", to, fi.Size(), isSQLite(t, to), info.Size)
			}
			c, err := store.Open(ctx, to)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if got := dumpOf(t, c); got != wantDump {
				t.Errorf("the copy's dump differs from the source's:\ngot  %s\nwant %s", got, wantDump)
			}
		})
	}
	if got, want := treeOf(t, parent), expectTree(want...); !slices.Equal(got, want) {
		t.Errorf("files after backing up = %q, want %q", got, want)
	}
}

// TestBackupKeepsSchemaVersion: a backup neither migrates the database it
// copies nor needs to know its schema, so a new binary backs up an old
// database "before upgrading" and an old binary backs up a newer one.
func TestBackupKeepsSchemaVersion(t *testing.T) {
	ctx := context.Background()
	names := migrationNames(t)
	versions := func(names []string) []string {
		var vs []string
		for _, n := range names {
			vs = append(vs, strings.TrimSuffix(n, ".sql"))
		}
		return vs
	}
	tests := []struct {
		name string
		fsys fs.FS
		want []string
	}{
		{"older, at 0003", firstMigrations(t, 3, nil), versions(names[:3])},
		{"newer, unknown 9999", firstMigrations(t, len(names), map[string]string{"9999_future.sql": `CREATE TABLE future (id INTEGER PRIMARY KEY);`}),
			append(versions(names), "9999_future")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			from := filepath.Join(dir, "radar.db")
			s, err := store.Open(ctx, from, store.WithMigrations(tc.fsys))
			if err != nil {
				t.Fatal(err)
			}
			if err := enqueuePair(ctx, s, 1); err != nil {
				t.Fatal(err)
			}
			s.Close()
			before := fileSum(t, from)

			b, err := store.OpenForBackup(ctx, from)
			if err != nil {
				t.Fatalf("open for backup: %v", err)
			}
			to := filepath.Join(dir, "copy.db")
			info, err := b.Backup(ctx, to)
			b.Close()
			if err != nil {
				t.Fatalf("backup: %v", err)
			}
			if got, want := info.SchemaVersion, tc.want[len(tc.want)-1]; got != want {
				t.Errorf("backup schema version = %q, want %q", got, want)
			}
			// Not a byte of the database changed, and nothing waits in its WAL.
			if fileSum(t, from) != before {
				t.Error("the backup changed the source database file")
			}
			if fi, err := os.Stat(from + "-wal"); err != nil || fi.Size() != 0 {
				t.Errorf("the source's -wal after the backup: %v, err %v; want empty", fi, err)
			}
			if got, want := treeOf(t, dir), []string{"copy.db", "radar.db", "radar.db-shm", "radar.db-wal"}; !slices.Equal(got, want) {
				t.Errorf("files after the backup = %q, want %q", got, want)
			}
			if got := storetest.Migrations(t, from); !slices.Equal(got, tc.want) {
				t.Errorf("after the backup the source records %q, want %q", got, tc.want)
			}
			if got := storetest.Migrations(t, to); !slices.Equal(got, tc.want) {
				t.Errorf("the copy records %q, want %q", got, tc.want)
			}
		})
	}
}

func TestOpenForBackupRefusals(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	write := func(name string, body []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, body, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	other := filepath.Join(dir, "other.db")
	db, err := sql.Open("sqlite3", "file:"+other)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE notes (body TEXT)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	tests := []struct {
		name string
		path string
		want string
	}{
		{"missing", filepath.Join(dir, "missing.db"), "no database at"},
		{"missing directory", filepath.Join(dir, "nope", "radar.db"), "no database at"},
		{"empty path", "", "store.path is empty"},
		{"empty file", write("empty.db", nil), "not a Radar database"},
		{"text file", write("notes.txt", []byte(strings.Repeat("not a database\n", 100))), "not a Radar database"},
		{"another SQLite database", other, "not a Radar database"},
		{"directory", dir, "is a directory"},
	}
	before := treeOf(t, dir)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := store.OpenForBackup(ctx, tc.path)
			if err == nil {
				s.Close()
				t.Fatal("open for backup succeeded")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
		})
	}
	if got := treeOf(t, dir); !slices.Equal(got, before) {
		t.Errorf("refusals changed the directory: got %q, want %q", got, before)
	}
}
