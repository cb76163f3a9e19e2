package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// BackupOption configures Backup.
type BackupOption func(*backupOptions)

type backupOptions struct{ overwrite bool }

// Overwrite lets Backup replace an existing file at the destination (in one
// rename, so the old copy stays whole until the new one is verified).
func Overwrite() BackupOption { return func(o *backupOptions) { o.overwrite = true } }

// BackupInfo describes a verified backup.
type BackupInfo struct {
	Path          string // the backup file
	Size          int64  // its size in bytes
	SchemaVersion string // the latest migration it holds, e.g. "0003_alerts"
}

// Backup writes a consistent copy of the database to the file to, while
// other connections (radar serve, radar sync) go on writing: SQLite's
// VACUUM INTO reads one snapshot of the WAL database, so the copy holds
// every transaction committed before it began and none after.
//
// The copy is written to a temporary file beside to, synced, opened
// read-only and checked (integrity and foreign keys) before it is renamed
// into place, so to is either absent, the old file, or a verified copy. An
// existing file at to is refused unless Overwrite is given.
func (s *Store) Backup(ctx context.Context, to string, opts ...BackupOption) (BackupInfo, error) {
	var o backupOptions
	for _, opt := range opts {
		opt(&o)
	}
	if to == "" {
		return BackupInfo{}, errors.New("backup: no destination; give a file path such as ./radar-backup.db")
	}
	abs, err := filepath.Abs(to)
	if err != nil {
		return BackupInfo{}, fmt.Errorf("backup: %w", err)
	}
	if src, err := filepath.Abs(s.path); err == nil && src == abs {
		return BackupInfo{}, fmt.Errorf("backup: %s is the database itself; give another path", to)
	}
	if fi, err := os.Stat(to); err == nil {
		if fi.IsDir() {
			return BackupInfo{}, fmt.Errorf("backup: %s is a directory; give a file path inside it, such as %s", to, filepath.Join(to, "radar-backup.db"))
		}
		if !o.overwrite {
			return BackupInfo{}, fmt.Errorf("backup: %s already exists; choose a new name, or pass --force to replace it", to)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return BackupInfo{}, fmt.Errorf("backup: %w", err)
	}
	dir := filepath.Dir(abs)
	// VACUUM INTO writes into an empty file; CreateTemp reserves the name.
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(abs)+".tmp-*")
	if err != nil {
		return BackupInfo{}, fmt.Errorf("backup: create a file in %s: %w (the directory must exist and be writable)", dir, err)
	}
	tmpPath := tmp.Name()
	tmp.Close()
	done := false
	defer func() {
		if !done {
			os.Remove(tmpPath)
		}
	}()

	if _, err := s.db.ExecContext(ctx, `VACUUM INTO ?`, tmpPath); err != nil {
		return BackupInfo{}, fmt.Errorf("backup: copy %s: %w%s", s.path, err, backupHint(err))
	}
	if err := syncFile(tmpPath); err != nil {
		return BackupInfo{}, fmt.Errorf("backup: %w", err)
	}
	version, err := verifyCopy(ctx, tmpPath, to)
	if err != nil {
		return BackupInfo{}, err
	}
	if !o.overwrite {
		// Refuse a file that appeared while the copy was made.
		if _, err := os.Stat(to); err == nil {
			return BackupInfo{}, fmt.Errorf("backup: %s appeared while the copy was made; choose a new name, or pass --force to replace it", to)
		}
	}
	if err := os.Rename(tmpPath, abs); err != nil {
		return BackupInfo{}, fmt.Errorf("backup: move the copy into place: %w", err)
	}
	done = true
	if err := syncFile(dir); err != nil {
		return BackupInfo{}, fmt.Errorf("backup: %w", err)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return BackupInfo{}, fmt.Errorf("backup: %w", err)
	}
	return BackupInfo{Path: to, Size: fi.Size(), SchemaVersion: version}, nil
}

// verifyCopy opens the copy at path read-only, checks it and returns its
// schema version. name is how errors call it.
func verifyCopy(ctx context.Context, path, name string) (string, error) {
	q := url.Values{}
	q.Set("mode", "ro")
	db, err := sql.Open("sqlite3", fileURI(path, q))
	if err != nil {
		return "", fmt.Errorf("backup: open the copy: %w", err)
	}
	defer db.Close()
	if err := checkOpened(ctx, db, path); err != nil {
		return "", fmt.Errorf("backup: open the copy: %w", err)
	}
	c := &Store{db: db, path: name}
	if err := c.IntegrityCheck(ctx); err != nil {
		return "", fmt.Errorf("backup: the copy failed its check, so it was not kept (run radar backup again; if it fails again, check the live database with sqlite3 PRAGMA integrity_check): %w", err)
	}
	version, err := c.SchemaVersion(ctx)
	if err != nil {
		return "", fmt.Errorf("backup: read the copy's schema version: %w", err)
	}
	if version == "" {
		return "", errors.New("backup: the copy holds no schema version, so it was not kept; is store.path a Radar database?")
	}
	return version, nil
}

// backupHint says what to do about a failed VACUUM INTO.
func backupHint(err error) string {
	switch msg := err.Error(); {
	case strings.Contains(msg, "full"):
		return "; the destination's disk is full: free space or back up elsewhere"
	case strings.Contains(msg, "unable to open"), strings.Contains(msg, "readonly"):
		return "; the destination directory must be writable by this user"
	}
	return ""
}

// syncFile flushes a file or directory to stable storage.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", path, err)
	}
	return nil
}
