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

const upsertIssueSQL = `INSERT INTO issues(id, key, project, scope, type, subtask, summary, status, status_id,
	status_category, priority, assignee_id, assignee_name, assignee_email, created, updated, resolved, due,
	start_date, story_points, original_estimate, remaining_estimate, time_spent, parent_key, epic_key, labels,
	components, fix_versions, flagged, synced_at, removed_at)
	VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,NULL)
	ON CONFLICT(id) DO UPDATE SET key=excluded.key, project=excluded.project, scope=excluded.scope,
	type=excluded.type, subtask=excluded.subtask, summary=excluded.summary, status=excluded.status,
	status_id=excluded.status_id, status_category=excluded.status_category, priority=excluded.priority,
	assignee_id=excluded.assignee_id, assignee_name=excluded.assignee_name, assignee_email=excluded.assignee_email,
	created=excluded.created, updated=excluded.updated, resolved=excluded.resolved, due=excluded.due,
	start_date=excluded.start_date, story_points=excluded.story_points, original_estimate=excluded.original_estimate,
	remaining_estimate=excluded.remaining_estimate, time_spent=excluded.time_spent, parent_key=excluded.parent_key,
	epic_key=excluded.epic_key, labels=excluded.labels, components=excluded.components,
	fix_versions=excluded.fix_versions, flagged=excluded.flagged, synced_at=excluded.synced_at, removed_at=NULL`

// writeIssues upserts issues with prepared statements inside tx.
func (s *Store) writeIssues(ctx context.Context, tx *sql.Tx, recs []IssueRecord) error {
	if len(recs) == 0 {
		return nil
	}
	prep := func(q string) (*sql.Stmt, error) { return tx.PrepareContext(ctx, q) }
	var stmts [9]*sql.Stmt
	queries := [9]string{
		upsertIssueSQL,
		`SELECT link_id FROM issue_links WHERE issue_id = ?`,
		`DELETE FROM issue_links WHERE issue_id = ?`,
		`INSERT OR IGNORE INTO issue_links(issue_id, link_id) VALUES (?, ?)`,
		`INSERT INTO links(id, type, blocker_id, blocker_key, blocked_id, blocked_key) VALUES (?,?,?,?,?,?)
		 ON CONFLICT(id) DO UPDATE SET type=excluded.type, blocker_id=excluded.blocker_id, blocker_key=excluded.blocker_key,
		 blocked_id=excluded.blocked_id, blocked_key=excluded.blocked_key`,
		`DELETE FROM changelog WHERE issue_id = ?`,
		`INSERT OR REPLACE INTO changelog(issue_id, history_id, seq, author, created, field, field_id, from_value,
		 from_string, to_value, to_string) VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
		`DELETE FROM issue_sprints WHERE issue_id = ?`,
		`INSERT OR IGNORE INTO issue_sprints(issue_id, sprint_id) VALUES (?, ?)`,
	}
	for i, q := range queries {
		st, err := prep(q)
		if err != nil {
			return fmt.Errorf("prepare: %w", err)
		}
		defer st.Close()
		stmts[i] = st
	}
	upsert, oldLinks, delLinks, addIssueLink, putLink, delChanges, addChange, delSprints, addSprint :=
		stmts[0], stmts[1], stmts[2], stmts[3], stmts[4], stmts[5], stmts[6], stmts[7], stmts[8]
	putSprint, err := prep(`INSERT INTO sprints(id, name, state, board_id, goal, start, end, complete) VALUES (?,?,?,?,?,?,?,?)
		ON CONFLICT(id) DO UPDATE SET name=excluded.name, state=excluded.state, board_id=excluded.board_id,
		goal=excluded.goal, start=excluded.start, end=excluded.end, complete=excluded.complete`)
	if err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	defer putSprint.Close()

	oldKey, err := prep(`SELECT key, coalesce(updated, 0), removed_at IS NOT NULL FROM issues WHERE id = ?`)
	if err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	defer oldKey.Close()

	now := s.now().UnixMilli()
	orphans := map[string]bool{} // link ids an issue stopped reporting
	seenSprints := map[int64]bool{}
	for i := range recs {
		r := &recs[i]
		is := &r.Issue
		// A moved issue has a new key: repoint what refers to it by key.
		var prev string
		var prevUpdated int64
		var prevRemoved bool
		switch err := oldKey.QueryRowContext(ctx, is.ID).Scan(&prev, &prevUpdated, &prevRemoved); {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return fmt.Errorf("read issue %s: %w", is.Key, err)
		case !prevRemoved && !is.Updated.IsZero() && prevUpdated > is.Updated.UnixMilli():
			// The store already holds a newer version (a concurrent or
			// later fetch landed first): never overwrite it with an older.
			continue
		case prev != is.Key:
			if err := rekey(ctx, tx, prev, is.Key); err != nil {
				return fmt.Errorf("rekey %s to %s: %w", prev, is.Key, err)
			}
		}
		var sp any
		if is.StoryPoints != nil {
			sp = *is.StoryPoints
		}
		if _, err := upsert.ExecContext(ctx, is.ID, is.Key, is.Project, r.Scope, is.Type, is.Subtask, is.Summary,
			is.Status, is.StatusID, string(is.StatusCategory), is.Priority, is.AssigneeID, is.AssigneeName,
			is.AssigneeEmail, ms(is.Created), ms(is.Updated), ms(is.Resolved), ms(is.Due), ms(is.StartDate), sp,
			secs(is.OriginalEstimate), secs(is.RemainingEstimate), secs(is.TimeSpent), is.ParentKey, is.EpicKey,
			jsonList(is.Labels), jsonList(is.Components), jsonList(is.FixVersions), is.Flagged, now); err != nil {
			return fmt.Errorf("upsert issue %s: %w", is.Key, err)
		}

		// Links: remember what the issue reported before, replace, then
		// collect links nobody reports any more.
		rows, err := oldLinks.QueryContext(ctx, is.ID)
		if err != nil {
			return fmt.Errorf("links of %s: %w", is.Key, err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			orphans[id] = true
		}
		rows.Close()
		if _, err := delLinks.ExecContext(ctx, is.ID); err != nil {
			return fmt.Errorf("links of %s: %w", is.Key, err)
		}
		for _, l := range r.Links {
			if _, err := putLink.ExecContext(ctx, l.ID, l.Type, l.BlockerID, l.BlockerKey, l.BlockedID, l.BlockedKey); err != nil {
				return fmt.Errorf("link %s of %s: %w", l.ID, is.Key, err)
			}
			if _, err := addIssueLink.ExecContext(ctx, is.ID, l.ID); err != nil {
				return fmt.Errorf("link %s of %s: %w", l.ID, is.Key, err)
			}
		}

		if r.Changes != nil {
			if _, err := delChanges.ExecContext(ctx, is.ID); err != nil {
				return fmt.Errorf("changelog of %s: %w", is.Key, err)
			}
			seq := map[string]int{}
			for _, c := range r.Changes {
				n := seq[c.HistoryID]
				seq[c.HistoryID] = n + 1
				if _, err := addChange.ExecContext(ctx, is.ID, c.HistoryID, n, c.Author, c.Created.UnixMilli(), c.Field,
					c.FieldID, c.From, c.FromString, c.To, c.ToString); err != nil {
					return fmt.Errorf("changelog of %s: %w", is.Key, err)
				}
			}
		}

		if _, err := delSprints.ExecContext(ctx, is.ID); err != nil {
			return fmt.Errorf("sprints of %s: %w", is.Key, err)
		}
		for _, sp := range r.Sprints {
			if !seenSprints[sp.ID] {
				seenSprints[sp.ID] = true
				if _, err := putSprint.ExecContext(ctx, sp.ID, sp.Name, sp.State, sp.BoardID, sp.Goal, ms(sp.Start), ms(sp.End), ms(sp.Complete)); err != nil {
					return fmt.Errorf("sprint %d: %w", sp.ID, err)
				}
			}
			if _, err := addSprint.ExecContext(ctx, is.ID, sp.ID); err != nil {
				return fmt.Errorf("sprints of %s: %w", is.Key, err)
			}
		}
	}
	return deleteOrphanLinks(ctx, tx, orphans)
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
