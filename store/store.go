// Package store keeps Radar's state in SQLite: the synced Jira data, sync runs
// and watermarks, the findings history and the Slack outbox. It owns the
// schema (embedded, ordered migrations) and every SQL statement; it knows
// nothing of Jira's wire format or of Slack.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"sort"
	"strings"
	"time"

	_ "github.com/mattn/go-sqlite3" // the SQLite driver
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is an open Radar database.
type Store struct {
	db   *sql.DB
	now  func() time.Time
	path string
}

// Option configures a Store.
type Option func(*Store)

// WithClock sets the clock used for timestamps the store writes itself.
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// Open opens (creating if needed) the database at path, sets WAL mode,
// foreign keys and a busy timeout, and applies pending migrations.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	if path == "" {
		return nil, errors.New("open store: store.path is empty; set store.path to a file such as ./radar.db")
	}
	q := url.Values{}
	q.Set("_busy_timeout", "10000")
	q.Set("_journal_mode", "WAL")
	q.Set("_foreign_keys", "on")
	q.Set("_synchronous", "NORMAL")
	q.Set("_txlock", "immediate")
	dsn := "file:" + path + "?" + q.Encode()
	db, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	s := &Store{db: db, now: time.Now, path: path}
	for _, o := range opts {
		o(s)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w%s", path, err, openHint(err))
	}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w%s", path, err, openHint(err))
	}
	return s, nil
}

// openHint says what to do about a database that cannot be opened.
func openHint(err error) string {
	switch msg := err.Error(); {
	case strings.Contains(msg, "unable to open database file"):
		return "; check store.path: its directory must exist and be writable"
	case strings.Contains(msg, "readonly database"):
		return "; check store.path: this user must be able to write the file and its directory"
	}
	return ""
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// DB exposes the database handle for read-only inspection in tests and tools.
func (s *Store) DB() *sql.DB { return s.db }

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		version := strings.TrimSuffix(strings.TrimPrefix(name, "migrations/"), ".sql")
		if err := s.applyMigration(ctx, name, version); err != nil {
			return fmt.Errorf("migration %s: %w", version, err)
		}
	}
	return nil
}

func (s *Store) applyMigration(ctx context.Context, name, version string) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, version).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	body, err := migrations.ReadFile(name)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations(version, applied_at) VALUES (?, ?)`, version, s.now().UnixMilli()); err != nil {
		return err
	}
	return tx.Commit()
}

// Time conversions shared by the store's files.

// ms converts a time to Unix milliseconds, NULL for the zero time.
func ms(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

// fromMS converts nullable Unix milliseconds back to a UTC time.
func fromMS(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.UnixMilli(v.Int64).UTC()
}

// secs converts a duration to whole seconds, NULL for zero.
func secs(d time.Duration) any {
	if d == 0 {
		return nil
	}
	return int64(d / time.Second)
}

// fromSecs converts nullable seconds back to a duration.
func fromSecs(v sql.NullInt64) time.Duration {
	if !v.Valid {
		return 0
	}
	return time.Duration(v.Int64) * time.Second
}
