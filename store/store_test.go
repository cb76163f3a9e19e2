package store_test

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/radarhq/radar/store"
)

func TestOpenMigratesTwice(t *testing.T) {
	path := filepath.Join(t.TempDir(), "radar.db")
	for i := 0; i < 2; i++ {
		s, err := store.Open(context.Background(), path)
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		var mode string
		if err := s.DB().QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if mode != "wal" {
			t.Errorf("journal_mode = %q, want wal", mode)
		}
		var fk int
		if err := s.DB().QueryRow(`PRAGMA foreign_keys`).Scan(&fk); err != nil {
			t.Fatal(err)
		}
		if fk != 1 {
			t.Errorf("foreign_keys = %d, want 1", fk)
		}
		s.Close()
	}
}

func TestOpenEmptyPath(t *testing.T) {
	if _, err := store.Open(context.Background(), ""); err == nil {
		t.Fatal("Open(\"\") succeeded, want an error naming store.path")
	}
}

// awkwardNames are file and directory names SQLite's URI syntax gives a
// meaning to ('?' starts the query, '#' the fragment, '%' an escape), or
// that need escaping (space, non-ASCII), or that look like query parameters.
var awkwardNames = []string{
	"a#b?c/b.db",
	"q?mode=memory",
	"pct%41%2F.db",
	"100%",
	"sp ace/with space.db",
	"naïve-データ/ü.db",
	"amp&_journal_mode=DELETE=x.db",
	"hash#frag.db",
}

// treeOf lists every file and directory under root, relative to it.
func treeOf(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != root {
			rel, _ := filepath.Rel(root, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// expectTree is the listing treeOf gives for exactly the files named (and
// the directories holding them).
func expectTree(files ...string) []string {
	set := map[string]bool{}
	for _, f := range files {
		set[f] = true
		for d := path.Dir(f); d != "."; d = path.Dir(d) {
			set[d] = true
		}
	}
	var out []string
	for f := range set {
		out = append(out, f)
	}
	slices.Sort(out)
	return out
}

// isSQLite reports whether the file at p starts with SQLite's header.
func isSQLite(t *testing.T, p string) bool {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Errorf("read %s: %v", p, err)
		return false
	}
	return bytes.HasPrefix(b, []byte("SQLite format 3\x00"))
}

func TestOpenAwkwardPaths(t *testing.T) {
	ctx := context.Background()
	// Each case has its own directory under one plainly named parent, which
	// is listed whole at the end: a file opened in the wrong place shows.
	parent := t.TempDir()
	var want []string
	for i, name := range awkwardNames {
		rel := fmt.Sprintf("%d/%s", i, name)
		want = append(want, rel)
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(parent, filepath.FromSlash(rel))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			s, err := store.Open(ctx, p)
			if err != nil {
				t.Fatalf("open %q: %v", p, err)
			}
			if err := enqueuePair(ctx, s, 1); err != nil {
				t.Fatal(err)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if !isSQLite(t, p) {
				t.Fatalf("%s is not an SQLite database", p)
			}
			// Opened again, it holds what was written.
			s, err = store.Open(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			var n int
			if err := s.DB().QueryRow(`SELECT count(*) FROM slack_outbox`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 2 {
				t.Errorf("reopened %s holds %d outbox rows, want 2", p, n)
			}
		})
	}
	if got, want := treeOf(t, parent), expectTree(want...); !slices.Equal(got, want) {
		t.Errorf("files after opening = %q, want %q", got, want)
	}
}

// TestOpenPathStartingWithTwoSlashes: "file://x" would name an authority.
func TestOpenPathStartingWithTwoSlashes(t *testing.T) {
	root := t.TempDir()
	if !filepath.IsAbs(root) || filepath.Separator != '/' {
		t.Skip("needs an absolute Unix path")
	}
	s, err := store.Open(context.Background(), "/"+filepath.Join(root, "radar.db"))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if got, want := treeOf(t, root), []string{"radar.db"}; !slices.Equal(got, want) {
		t.Errorf("files = %q, want %q", got, want)
	}
}

// TestOpenRelativeAwkwardPath: a relative path is opened relative to the
// working directory, escaped like an absolute one.
func TestOpenRelativeAwkwardPath(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	t.Chdir(dir)
	const name = "rel #1?x=%20.db"
	s, err := store.Open(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	b, err := store.OpenForBackup(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	info, err := b.Backup(ctx, "copy #2?.db")
	b.Close()
	if err != nil {
		t.Fatal(err)
	}
	if info.Path != "copy #2?.db" {
		t.Errorf("backup path = %q", info.Path)
	}
	want := []string{"copy #2?.db", name, name + "-shm", name + "-wal"}
	slices.Sort(want)
	if got := treeOf(t, dir); !slices.Equal(got, want) {
		t.Errorf("files = %q, want %q", got, want)
	}
}

func TestFileURI(t *testing.T) {
	ro := url.Values{"mode": {"ro"}}
	tests := []struct {
		path string
		q    url.Values
		want string
	}{
		{"/var/lib/radar/radar.db", ro, "file:///var/lib/radar/radar.db?mode=ro"},
		{"radar.db", nil, "file:radar.db"},
		{"/d/a#b?c/b.db", ro, "file:///d/a%23b%3Fc/b.db?mode=ro"},
		{"100%.db", nil, "file:100%25.db"},
		{"//srv/radar.db", nil, "file:////srv/radar.db"},
		{"/sp ace/ü&x=y.db", url.Values{"_busy_timeout": {"10000"}, "mode": {"ro"}}, "file:///sp%20ace/%C3%BC%26x%3Dy.db?_busy_timeout=10000&mode=ro"},
	}
	for _, tc := range tests {
		if got := store.FileURI(tc.path, tc.q); got != tc.want {
			t.Errorf("FileURI(%q) = %q, want %q", tc.path, got, tc.want)
		}
	}
}

func TestOpenRefusesNUL(t *testing.T) {
	dir := t.TempDir()
	for _, open := range []func(context.Context, string) (*store.Store, error){
		func(ctx context.Context, p string) (*store.Store, error) { return store.Open(ctx, p) },
		store.OpenForBackup,
	} {
		if s, err := open(context.Background(), filepath.Join(dir, "a\x00b.db")); err == nil || !strings.Contains(err.Error(), "NUL") {
			if s != nil {
				s.Close()
			}
			t.Errorf("open of a path with NUL: %v, want an error naming the NUL byte", err)
		}
	}
	if got := treeOf(t, dir); len(got) != 0 {
		t.Errorf("files = %q, want none", got)
	}
}
