package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
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

// ScopeIssues returns the id → key of every present issue in scope.
func (s *Store) ScopeIssues(ctx context.Context, scope string) (map[string]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, key FROM issues WHERE scope = ? AND removed_at IS NULL`, scope)
	if err != nil {
		return nil, fmt.Errorf("list issues of %s: %w", scope, err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, key string
		if err := rows.Scan(&id, &key); err != nil {
			return nil, err
		}
		out[id] = key
	}
	return out, rows.Err()
}

// GoneIssues lists the ids of scope's present issues that a complete listing
// (present) no longer shows, leaving out those written at or after
// listedAt: a sync that wrote them saw them exist after the listing began.
func (s *Store) GoneIssues(ctx context.Context, scope string, present map[string]bool, listedAt time.Time) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM issues WHERE scope = ? AND removed_at IS NULL AND synced_at < ?`,
		scope, listedAt.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("reconcile %s: %w", scope, err)
	}
	defer rows.Close()
	var gone []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		if !present[id] {
			gone = append(gone, id)
		}
	}
	return gone, rows.Err()
}

// Reconcile marks the gone issues of scope as removed and records the
// reconciliation time, in one transaction. moved maps the gone issues that
// still exist elsewhere to their new keys: their dependency links stay (the
// issues still in scope still have them) under the new key. The links of the
// others, deleted in Jira, go. It returns how many issues were marked.
func (s *Store) Reconcile(ctx context.Context, scope string, gone []string, moved map[string]string, at time.Time) (int, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("reconcile %s: %w", scope, err)
	}
	defer tx.Rollback()
	mark, err := tx.PrepareContext(ctx, `UPDATE issues SET removed_at = ? WHERE id = ? AND removed_at IS NULL`)
	if err != nil {
		return 0, err
	}
	defer mark.Close()
	dropLinks, err := tx.PrepareContext(ctx, `DELETE FROM issue_links WHERE link_id IN
		(SELECT id FROM links WHERE blocker_id = ?1 OR blocked_id = ?1) OR issue_id = ?1`)
	if err != nil {
		return 0, err
	}
	defer dropLinks.Close()
	dropLinkRows, err := tx.PrepareContext(ctx, `DELETE FROM links WHERE blocker_id = ?1 OR blocked_id = ?1`)
	if err != nil {
		return 0, err
	}
	defer dropLinkRows.Close()
	n := 0
	for _, id := range gone {
		res, err := mark.ExecContext(ctx, at.UnixMilli(), id)
		if err != nil {
			return 0, fmt.Errorf("reconcile %s: %w", scope, err)
		}
		if k, _ := res.RowsAffected(); k > 0 {
			n++
		}
		if newKey, ok := moved[id]; ok {
			var oldKey string
			if err := tx.QueryRowContext(ctx, `SELECT key FROM issues WHERE id = ?`, id).Scan(&oldKey); err != nil {
				return 0, fmt.Errorf("reconcile %s: %w", scope, err)
			}
			if oldKey != newKey {
				if _, err := tx.ExecContext(ctx, `UPDATE issues SET key = ? WHERE id = ?`, newKey, id); err != nil {
					return 0, fmt.Errorf("reconcile %s: %w", scope, err)
				}
				if err := rekey(ctx, tx, oldKey, newKey); err != nil {
					return 0, fmt.Errorf("reconcile %s: %w", scope, err)
				}
			}
			// The issue no longer reports links itself; in-scope issues do,
			// and a link none of them reports any more is gone.
			orphans := map[string]bool{}
			rows, err := tx.QueryContext(ctx, `SELECT link_id FROM issue_links WHERE issue_id = ?`, id)
			if err != nil {
				return 0, fmt.Errorf("reconcile %s: %w", scope, err)
			}
			for rows.Next() {
				var l string
				if err := rows.Scan(&l); err != nil {
					rows.Close()
					return 0, err
				}
				orphans[l] = true
			}
			rows.Close()
			if _, err := tx.ExecContext(ctx, `DELETE FROM issue_links WHERE issue_id = ?`, id); err != nil {
				return 0, fmt.Errorf("reconcile %s: %w", scope, err)
			}
			if err := deleteOrphanLinks(ctx, tx, orphans); err != nil {
				return 0, fmt.Errorf("reconcile %s: %w", scope, err)
			}
			continue
		}
		if _, err := dropLinks.ExecContext(ctx, id); err != nil {
			return 0, fmt.Errorf("reconcile %s: %w", scope, err)
		}
		if _, err := dropLinkRows.ExecContext(ctx, id); err != nil {
			return 0, fmt.Errorf("reconcile %s: %w", scope, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE watermarks SET reconciled_at = ? WHERE scope = ?`, at.UnixMilli(), scope); err != nil {
		return 0, fmt.Errorf("reconcile %s: %w", scope, err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("reconcile %s: %w", scope, err)
	}
	return n, nil
}

// RetireScopes marks removed every present issue whose scope is not in keep
// (a project dropped from the configuration, or a query that changed) and
// forgets those scopes' watermarks, so a project added back syncs whole.
// It returns how many issues were marked.
func (s *Store) RetireScopes(ctx context.Context, keep []string, at time.Time) (int, error) {
	if len(keep) == 0 {
		return 0, nil
	}
	marks := strings.TrimSuffix(strings.Repeat("?,", len(keep)), ",")
	args := []any{at.UnixMilli()}
	for _, k := range keep {
		args = append(args, k)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("retire scopes: %w", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE issues SET removed_at = ? WHERE removed_at IS NULL AND scope NOT IN (`+marks+`)`, args...)
	if err != nil {
		return 0, fmt.Errorf("retire scopes: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM watermarks WHERE scope NOT IN (`+marks+`)`, args[1:]...); err != nil {
		return 0, fmt.Errorf("retire scopes: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("retire scopes: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// PutStatuses upserts the site's statuses.
func (s *Store) PutStatuses(ctx context.Context, sts []radar.Status) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("write statuses: %w", err)
	}
	defer tx.Rollback()
	for _, st := range sts {
		if _, err := tx.ExecContext(ctx, `INSERT INTO statuses(id, name, category) VALUES (?,?,?)
			ON CONFLICT(id) DO UPDATE SET name=excluded.name, category=excluded.category`, st.ID, st.Name, string(st.Category)); err != nil {
			return fmt.Errorf("write statuses: %w", err)
		}
	}
	return tx.Commit()
}

// PutVersions replaces a project's versions: upserts those given, marks the
// others removed, and records each release date that changed since the last
// observation (Jira keeps no history of release dates).
func (s *Store) PutVersions(ctx context.Context, project string, vs []radar.Version, at time.Time) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("write versions of %s: %w", project, err)
	}
	defer tx.Rollback()
	ids := make([]string, 0, len(vs))
	for _, v := range vs {
		ids = append(ids, v.ID)
		if _, err := tx.ExecContext(ctx, `INSERT INTO versions(id, project, name, released, archived, release_date, start_date, removed_at)
			VALUES (?,?,?,?,?,?,?,NULL) ON CONFLICT(id) DO UPDATE SET project=excluded.project, name=excluded.name,
			released=excluded.released, archived=excluded.archived, release_date=excluded.release_date,
			start_date=excluded.start_date, removed_at=NULL`,
			v.ID, project, v.Name, v.Released, v.Archived, ms(v.ReleaseDate), ms(v.StartDate)); err != nil {
			return fmt.Errorf("write version %s: %w", v.Name, err)
		}
		var last sql.NullInt64
		var seen bool
		err := tx.QueryRowContext(ctx, `SELECT release_date FROM version_dates WHERE version_id = ? ORDER BY observed_at DESC LIMIT 1`, v.ID).Scan(&last)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return fmt.Errorf("write version %s: %w", v.Name, err)
		default:
			seen = true
		}
		if !seen || fromMS(last) != v.ReleaseDate.UTC() {
			if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO version_dates(version_id, observed_at, release_date) VALUES (?,?,?)`,
				v.ID, at.UnixMilli(), ms(v.ReleaseDate)); err != nil {
				return fmt.Errorf("write version %s: %w", v.Name, err)
			}
		}
	}
	q := `UPDATE versions SET removed_at = ? WHERE project = ? AND removed_at IS NULL`
	args := []any{at.UnixMilli(), project}
	if len(ids) > 0 {
		q += ` AND id NOT IN (` + strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",") + `)`
		for _, id := range ids {
			args = append(args, id)
		}
	}
	if _, err := tx.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("write versions of %s: %w", project, err)
	}
	return tx.Commit()
}
