package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// closedDatabase returns the path of a Radar database no connection holds,
// with no -wal or -shm beside it, in a directory of its own.
func closedDatabase(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "radar.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, side := range []string{"-wal", "-shm"} {
		if _, err := os.Stat(path + side); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("%s is still there after Close: %v", side, err)
		}
	}
	return path
}

// TestBackupWhereSideFilesCannotBeCreated: where this user cannot create
// files beside the database (another user's read-only directory), a backup
// opens it without the WAL's side files and still makes a verified copy.
// The directory's mode cannot stop root, so this takes the same path by
// saying the files cannot be created, and checks none were.
func TestBackupWhereSideFilesCannotBeCreated(t *testing.T) {
	path := closedDatabase(t)
	s, err := openForBackup(context.Background(), path, false)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Backup(context.Background(), filepath.Join(t.TempDir(), "copy.db"))
	s.Close()
	if err != nil {
		t.Fatalf("backup: %v", err)
	}
	if info.SchemaVersion == "" {
		t.Errorf("backup info %+v, want a schema version", info)
	}
	for _, side := range []string{"-wal", "-shm"} {
		if _, err := os.Stat(path + side); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the backup created %s beside the database (err %v)", side, err)
		}
	}
}

// TestBackupFromReadOnlyDirectory makes the directory read-only for real;
// root is not stopped by modes, so it runs only for other users (the test
// above covers the same code path as root).
func TestBackupFromReadOnlyDirectory(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root writes into read-only directories; TestBackupWhereSideFilesCannotBeCreated covers this path")
	}
	path := closedDatabase(t)
	dir := filepath.Dir(path)
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	s, err := OpenForBackup(context.Background(), path)
	if err != nil {
		t.Fatalf("open a database in a read-only directory: %v", err)
	}
	defer s.Close()
	if _, err := s.Backup(context.Background(), filepath.Join(t.TempDir(), "copy.db")); err != nil {
		t.Fatalf("backup from a read-only directory: %v", err)
	}
}
