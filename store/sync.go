package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/radarhq/radar"
)

// IssueRecord is one synced issue with everything that is replaced with it:
// the dependency links it reports, its full changelog and its sprints.
type IssueRecord struct {
	Issue radar.Issue
	Scope string
	Links []LinkRecord
	// Changes is the issue's full changelog, replacing what was stored.
	Changes []radar.Change
	Sprints []radar.Sprint
}

// LinkRecord is a dependency link normalised to blocker → blocked, with the
// ids of both ends so keys can follow issue moves.
type LinkRecord struct {
	ID         string
	Type       string
	BlockerID  string
	BlockerKey string
	BlockedID  string
	BlockedKey string
}

// Watermark is a scope's incremental sync position.
type Watermark struct {
	Scope string
	// SyncedUntil: every update before it (minus the overlap) has landed.
	SyncedUntil time.Time
	// ReconciledAt is when the scope's deletions and moves were last reconciled.
	ReconciledAt time.Time
}

// Batch is written in one transaction: issues first, then watermarks, so a
// watermark never lands without the data it covers.
type Batch struct {
	Issues     []IssueRecord
	Watermarks []Watermark
}

// SyncRun is one sync's record.
type SyncRun struct {
	ID         int64
	StartedAt  time.Time
	FinishedAt time.Time
	Mode       string
	Issues     int
	Links      int
	Changes    int
	Removed    int
	Requests   int
	Retries    int
	Error      string
}

// BeginSync records the start of a sync run and returns its id.
func (s *Store) BeginSync(ctx context.Context, mode string, started time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, `INSERT INTO sync_runs(started_at, mode) VALUES (?, ?)`, started.UnixMilli(), mode)
	if err != nil {
		return 0, fmt.Errorf("record sync start: %w", err)
	}
	return res.LastInsertId()
}

// FinishSync records the end of a sync run. A non-empty r.Mode replaces the
// mode BeginSync recorded (a sync asked to be incremental that fetched a
// never-synced project whole was a full one).
func (s *Store) FinishSync(ctx context.Context, r SyncRun) error {
	var errText any
	if r.Error != "" {
		errText = r.Error
	}
	_, err := s.db.ExecContext(ctx, `UPDATE sync_runs SET finished_at = ?, issues = ?, links = ?, changes = ?,
		removed = ?, requests = ?, retries = ?, error = ?, mode = coalesce(nullif(?, ''), mode) WHERE id = ?`,
		r.FinishedAt.UnixMilli(), r.Issues, r.Links, r.Changes, r.Removed, r.Requests, r.Retries, errText, r.Mode, r.ID)
	if err != nil {
		return fmt.Errorf("record sync end: %w", err)
	}
	return nil
}

// LastSuccessfulSync returns the latest sync run that finished without error;
// ok is false when there is none.
func (s *Store) LastSuccessfulSync(ctx context.Context) (run SyncRun, ok bool, err error) {
	var fin sql.NullInt64
	var started int64
	err = s.db.QueryRowContext(ctx, `SELECT id, started_at, finished_at, mode, issues, links, changes, removed, requests, retries
		FROM sync_runs WHERE finished_at IS NOT NULL AND error IS NULL ORDER BY id DESC LIMIT 1`).
		Scan(&run.ID, &started, &fin, &run.Mode, &run.Issues, &run.Links, &run.Changes, &run.Removed, &run.Requests, &run.Retries)
	if errors.Is(err, sql.ErrNoRows) {
		return SyncRun{}, false, nil
	}
	if err != nil {
		return SyncRun{}, false, fmt.Errorf("read last sync: %w", err)
	}
	run.StartedAt = time.UnixMilli(started).UTC()
	run.FinishedAt = fromMS(fin)
	return run, true, nil
}

// Watermarks returns every scope's watermark, keyed by scope.
func (s *Store) Watermarks(ctx context.Context) (map[string]Watermark, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT scope, synced_until, reconciled_at FROM watermarks`)
	if err != nil {
		return nil, fmt.Errorf("read watermarks: %w", err)
	}
	defer rows.Close()
	out := map[string]Watermark{}
	for rows.Next() {
		var w Watermark
		var until int64
		var rec sql.NullInt64
		if err := rows.Scan(&w.Scope, &until, &rec); err != nil {
			return nil, fmt.Errorf("read watermarks: %w", err)
		}
		w.SyncedUntil = time.UnixMilli(until).UTC()
		w.ReconciledAt = fromMS(rec)
		out[w.Scope] = w
	}
	return out, rows.Err()
}

// WriteBatch writes issues (replacing their links, changelogs and sprints) and
// then watermarks, in one transaction.
func (s *Store) WriteBatch(ctx context.Context, b Batch) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("write batch: %w", err)
	}
	defer tx.Rollback()
	// A sync's batches touch more pages than SQLite's default 2 MB cache
	// holds; the connection that writes them gets 32 MB (kept while the
	// connection lives; it fills only as pages are used). Readers keep
	// the default.
	if _, err := tx.ExecContext(ctx, `PRAGMA cache_size = -32768`); err != nil {
		return fmt.Errorf("write batch: %w", err)
	}
	if err := s.writeIssues(ctx, tx, b.Issues); err != nil {
		return fmt.Errorf("write batch: %w", err)
	}
	for _, w := range b.Watermarks {
		if err := putWatermark(ctx, tx, w); err != nil {
			return fmt.Errorf("write batch: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("write batch: commit: %w", err)
	}
	return nil
}

func putWatermark(ctx context.Context, tx *sql.Tx, w Watermark) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO watermarks(scope, synced_until, reconciled_at) VALUES (?, ?, ?)
		ON CONFLICT(scope) DO UPDATE SET synced_until = excluded.synced_until,
		reconciled_at = coalesce(excluded.reconciled_at, watermarks.reconciled_at)`,
		w.Scope, w.SyncedUntil.UnixMilli(), ms(w.ReconciledAt))
	if err != nil {
		return fmt.Errorf("watermark %s: %w", w.Scope, err)
	}
	return nil
}

// rekey replaces references to an issue's old key after it moved.
func rekey(ctx context.Context, tx *sql.Tx, from, to string) error {
	for _, q := range []string{
		`UPDATE issues SET parent_key = ?2 WHERE parent_key = ?1`,
		`UPDATE issues SET epic_key = ?2 WHERE epic_key = ?1`,
		`UPDATE links SET blocker_key = ?2 WHERE blocker_key = ?1`,
		`UPDATE links SET blocked_key = ?2 WHERE blocked_key = ?1`,
	} {
		if _, err := tx.ExecContext(ctx, q, from, to); err != nil {
			return err
		}
	}
	return nil
}

// deleteOrphanLinks removes the given links where no issue reports them.
func deleteOrphanLinks(ctx context.Context, tx *sql.Tx, ids map[string]bool) error {
	if len(ids) == 0 {
		return nil
	}
	st, err := tx.PrepareContext(ctx, `DELETE FROM links WHERE id = ? AND NOT EXISTS (SELECT 1 FROM issue_links WHERE link_id = ?)`)
	if err != nil {
		return err
	}
	defer st.Close()
	for id := range ids {
		if _, err := st.ExecContext(ctx, id, id); err != nil {
			return fmt.Errorf("drop link %s: %w", id, err)
		}
	}
	return nil
}

func jsonList(v []string) string {
	if len(v) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(v)
	return string(b)
}
