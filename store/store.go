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
	"os"
	"path/filepath"
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
	if err := checkPath(path); err != nil {
		return nil, err
	}
	q := url.Values{}
	q.Set("_busy_timeout", "10000")
	q.Set("_journal_mode", "WAL")
	q.Set("_foreign_keys", "on")
	q.Set("_synchronous", "NORMAL")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite3", fileURI(path, q))
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
	if err := checkOpened(ctx, db, path); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w%s", path, err, openHint(err))
	}
	return s, nil
}

// OpenForBackup opens the existing database at path read-only for Backup
// (and other reads: Dump, IntegrityCheck, SchemaVersion), without applying
// migrations: a backup is a copy of the database as it is, whatever Radar
// wrote it, so a new binary can back up a database before migrating it and
// an old one can back up a database a newer Radar has migrated. radar serve
// and radar sync may go on writing meanwhile (WAL readers do not block
// them). A missing file is an error, never created, and so is a file that is
// not a Radar database (no schema_migrations table). Methods that write fail
// on the returned Store.
//
// The connection never writes to the database, but SQLite's WAL needs the
// -wal and -shm files beside it: if no other connection had them open they
// are created, and stay (empty of changes) after Close, since a read-only
// connection cannot remove them; the next read-write connection uses them.
// Where they cannot be created (a directory this user cannot write, as for
// a backup run by another user) and no -wal file is there (no Radar has the
// database open, and none stopped without a checkpoint), the database is
// opened immutable instead: read as the file it is, with no side files.
func OpenForBackup(ctx context.Context, path string) (*Store, error) {
	return openForBackup(ctx, path, dirWritable(filepath.Dir(path)))
}

// openForBackup is OpenForBackup, told whether this user can create files
// beside the database.
func openForBackup(ctx context.Context, path string, canCreateSideFiles bool) (*Store, error) {
	if err := checkPath(path); err != nil {
		return nil, err
	}
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("open store %s: no database at %s; check store.path", path, path)
	case err != nil:
		return nil, fmt.Errorf("open store %s: %w", path, err)
	case fi.IsDir():
		return nil, fmt.Errorf("open store %s: %s is a directory; store.path must name the database file", path, path)
	}
	q := url.Values{}
	q.Set("mode", "ro") // never creates the file, never writes to it
	q.Set("_busy_timeout", "10000")
	if _, err := os.Stat(path + "-wal"); !canCreateSideFiles && errors.Is(err, os.ErrNotExist) {
		// Without a -wal file every committed transaction is in the file
		// itself; immutable needs no -shm to read it.
		q.Set("immutable", "1")
	}
	db, err := sql.Open("sqlite3", fileURI(path, q))
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	s := &Store{db: db, now: time.Now, path: path, migrations: embeddedMigrations()}
	fail := func(err error) (*Store, error) {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w%s", path, err, openHint(err))
	}
	if err := db.PingContext(ctx); err != nil {
		return fail(err)
	}
	if err := checkOpened(ctx, db, path); err != nil {
		return fail(err)
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&n); err != nil {
		return fail(err)
	}
	if n == 0 {
		return fail(errors.New("not a Radar database: it has no schema_migrations table; check store.path"))
	}
	return s, nil
}

// checkPath refuses a path no SQLite URI can name.
func checkPath(path string) error {
	if path == "" {
		return errors.New("open store: store.path is empty; set store.path to a file such as ./radar.db")
	}
	if strings.IndexByte(path, 0) >= 0 {
		return fmt.Errorf("open store %q: store.path contains a NUL byte; give a plain file path", path)
	}
	return nil
}

// fileURI is the SQLite URI naming exactly the file at path, with the
// parameters q (SQLite's own, such as mode, and the driver's, such as
// _busy_timeout). mattn/go-sqlite3 reads its parameters after the first '?'
// and hands the whole "file:" string to sqlite3_open_v2 with SQLITE_OPEN_URI;
// SQLite ends the path at '?' or '#' and decodes %HH in it. So every byte of
// the path but unreserved ones and '/' is %-escaped, and an absolute path
// gets an empty authority ("file:///abs"), so one starting "//" is not
// taken for a host.
func fileURI(path string, q url.Values) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.WriteString("file:")
	if strings.HasPrefix(path, "/") {
		b.WriteString("//")
	}
	for i := 0; i < len(path); i++ {
		c := path[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '-', c == '.', c == '_', c == '~', c == '/':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	if len(q) > 0 {
		b.WriteByte('?')
		b.WriteString(q.Encode())
	}
	return b.String()
}

// checkOpened confirms that db's main database is the file at path: a
// mis-parsed URI would otherwise open (and maybe create) another file.
func checkOpened(ctx context.Context, db *sql.DB, path string) error {
	var file string
	if err := db.QueryRowContext(ctx, `SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&file); err != nil {
		return fmt.Errorf("check the opened file: %w", err)
	}
	want, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("check the opened file: %w", err)
	}
	if file == "" {
		return fmt.Errorf("sqlite opened a temporary database instead of %s; give a plain file path", path)
	}
	got, err := os.Stat(file)
	if err != nil || !os.SameFile(got, want) {
		return fmt.Errorf("sqlite opened %s instead of %s; give a plain file path", file, path)
	}
	return nil
}

// openHint says what to do about a database that cannot be opened.
func openHint(err error) string {
	switch msg := err.Error(); {
	case strings.Contains(msg, "unable to open database file"):
		return "; check store.path: its directory must exist and be writable"
	case strings.Contains(msg, "readonly database"):
		return "; check store.path: this user must be able to write the file and its directory"
	case strings.Contains(msg, "file is not a database"):
		return "; store.path is not a Radar database: check it"
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
