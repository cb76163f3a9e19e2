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
	// migrations holds the NNNN_name.sql files Open applies, in name order;
	// the embedded set unless a test substitutes its own.
	migrations fs.FS
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
	s := &Store{db: db, now: time.Now, path: path, migrations: embeddedMigrations()}
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

// embeddedMigrations is the migrations directory compiled into the binary.
func embeddedMigrations() fs.FS {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory
	}
	return sub
}

// ErrSchemaTooNew reports a database migrated by a newer Radar: this binary
// does not know every version recorded in its schema_migrations.
var ErrSchemaTooNew = errors.New("database schema is newer than this radar")

// migrate applies, in order, each migration the database has not recorded.
// Migrations only go forward: a database holding a version this binary does
// not know was written by a newer Radar and is refused untouched. Each
// migration runs in its own transaction with its schema_migrations row, so
// one that fails leaves the database at the version before it.
func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	names, err := fs.Glob(s.migrations, "*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	known := make(map[string]bool, len(names))
	for _, name := range names {
		known[strings.TrimSuffix(name, ".sql")] = true
	}
	applied, err := s.appliedVersions(ctx)
	if err != nil {
		return err
	}
	var unknown []string
	for _, v := range applied {
		if !known[v] {
			unknown = append(unknown, v)
		}
	}
	if len(unknown) > 0 {
		latest := "none"
		if len(names) > 0 {
			latest = strings.TrimSuffix(names[len(names)-1], ".sql")
		}
		return fmt.Errorf("%w: it records migration %s, which this radar (knowing up to %s) does not have; "+
			"upgrade radar to the version that wrote it, or restore a backup made before the upgrade (the database was left unchanged)",
			ErrSchemaTooNew, strings.Join(unknown, ", "), latest)
	}
	for _, name := range names {
		version := strings.TrimSuffix(name, ".sql")
		if err := s.applyMigration(ctx, name, version); err != nil {
			return fmt.Errorf("migration %s: %w (the database stays at the version before it)", version, err)
		}
	}
	return nil
}

// appliedVersions lists the versions recorded in schema_migrations, sorted.
func (s *Store) appliedVersions(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	defer rows.Close()
	var vs []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("read schema_migrations: %w", err)
		}
		vs = append(vs, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	return vs, nil
}

// SchemaVersion returns the latest migration recorded in the database
// ("0003_alerts"), or "" for a database with none.
func (s *Store) SchemaVersion(ctx context.Context) (string, error) {
	vs, err := s.appliedVersions(ctx)
	if err != nil || len(vs) == 0 {
		return "", err
	}
	return vs[len(vs)-1], nil
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
	body, err := fs.ReadFile(s.migrations, name)
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
