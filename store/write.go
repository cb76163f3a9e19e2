package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

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

// changeRowsPerInsert is how many changelog rows one INSERT writes: a first
// sync writes tens of rows an issue, and one statement per row cost more
// in database/sql and cgo than SQLite spent storing them.
const changeRowsPerInsert = 64

const changeColumns = `INSERT OR REPLACE INTO changelog(issue_id, history_id, seq, author, created, field, field_id,
	from_value, from_string, to_value, to_string) VALUES `

// heldIssue is what the store holds of an issue a batch writes.
type heldIssue struct {
	key     string
	updated int64
	removed bool
}

// writeIssues upserts issues with prepared statements inside tx. It reads
// which of them the store already holds in one query per 500 ids: an issue
// new to the store has no links, changelog or sprints to replace, so a
// first sync writes its rows without reading or deleting any first.
func (s *Store) writeIssues(ctx context.Context, tx *sql.Tx, recs []IssueRecord) error {
	if len(recs) == 0 {
		return nil
	}
	held, err := heldIssues(ctx, tx, recs)
	if err != nil {
		return err
	}
	prep := func(q string) (*sql.Stmt, error) { return tx.PrepareContext(ctx, q) }
	var stmts [11]*sql.Stmt
	queries := [11]string{
		upsertIssueSQL,
		`SELECT link_id FROM issue_links WHERE issue_id = ?`,
		`DELETE FROM issue_links WHERE issue_id = ?`,
		`INSERT OR IGNORE INTO issue_links(issue_id, link_id) VALUES (?, ?)`,
		`INSERT INTO links(id, type, blocker_id, blocker_key, blocked_id, blocked_key) VALUES (?,?,?,?,?,?)
		 ON CONFLICT(id) DO UPDATE SET type=excluded.type, blocker_id=excluded.blocker_id, blocker_key=excluded.blocker_key,
		 blocked_id=excluded.blocked_id, blocked_key=excluded.blocked_key`,
		`DELETE FROM changelog WHERE issue_id = ?`,
		changeColumns + `(?,?,?,?,?,?,?,?,?,?,?)`,
		changeColumns + strings.Repeat(`(?,?,?,?,?,?,?,?,?,?,?),`, changeRowsPerInsert-1) + `(?,?,?,?,?,?,?,?,?,?,?)`,
		`DELETE FROM issue_sprints WHERE issue_id = ?`,
		`INSERT OR IGNORE INTO issue_sprints(issue_id, sprint_id) VALUES (?, ?)`,
		`INSERT INTO sprints(id, name, state, board_id, goal, start, end, complete) VALUES (?,?,?,?,?,?,?,?)
		ON CONFLICT(id) DO UPDATE SET name=excluded.name, state=excluded.state, board_id=excluded.board_id,
		goal=excluded.goal, start=excluded.start, end=excluded.end, complete=excluded.complete`,
	}
	for i, q := range queries {
		st, err := prep(q)
		if err != nil {
			return fmt.Errorf("prepare: %w", err)
		}
		defer st.Close()
		stmts[i] = st
	}
	upsert, oldLinks, delLinks, addIssueLink, putLink, delChanges, addChange, addChanges, delSprints, addSprint, putSprint :=
		stmts[0], stmts[1], stmts[2], stmts[3], stmts[4], stmts[5], stmts[6], stmts[7], stmts[8], stmts[9], stmts[10]

	// Changelog rows wait here and go changeRowsPerInsert to a statement.
	// An issue's rows are written before anything deletes its changelog
	// (the same issue twice in a batch).
	var rows []any
	waiting := map[string]bool{} // issues with rows in rows
	flush := func(all bool) error {
		const width = 11
		for len(rows) >= changeRowsPerInsert*width {
			if _, err := addChanges.ExecContext(ctx, rows[:changeRowsPerInsert*width]...); err != nil {
				return fmt.Errorf("changelog: %w", err)
			}
			rows = rows[changeRowsPerInsert*width:]
		}
		if !all {
			return nil
		}
		for ; len(rows) > 0; rows = rows[width:] {
			if _, err := addChange.ExecContext(ctx, rows[:width]...); err != nil {
				return fmt.Errorf("changelog: %w", err)
			}
		}
		clear(waiting)
		return nil
	}

	now := s.now().UnixMilli()
	orphans := map[string]bool{} // link ids an issue stopped reporting
	seenSprints := map[int64]bool{}
	for i := range recs {
		r := &recs[i]
		is := &r.Issue
		prev, isHeld := held[is.ID]
		switch {
		case !isHeld:
		case !prev.removed && !is.Updated.IsZero() && prev.updated > is.Updated.UnixMilli():
			// The store already holds a newer version (a concurrent or
			// later fetch landed first): never overwrite it with an older.
			continue
		case prev.key != is.Key:
			// A moved issue has a new key: repoint what refers to it by key.
			if err := rekey(ctx, tx, prev.key, is.Key); err != nil {
				return fmt.Errorf("rekey %s to %s: %w", prev.key, is.Key, err)
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
		var updated int64
		if !is.Updated.IsZero() {
			updated = is.Updated.UnixMilli()
		}
		held[is.ID] = heldIssue{key: is.Key, updated: updated}

		// Links: remember what the issue reported before, replace, then
		// collect links nobody reports any more.
		if isHeld {
			if err := linksOf(ctx, oldLinks, is.ID, orphans); err != nil {
				return fmt.Errorf("links of %s: %w", is.Key, err)
			}
			if _, err := delLinks.ExecContext(ctx, is.ID); err != nil {
				return fmt.Errorf("links of %s: %w", is.Key, err)
			}
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
			if isHeld {
				if waiting[is.ID] {
					if err := flush(true); err != nil {
						return err
					}
				}
				if _, err := delChanges.ExecContext(ctx, is.ID); err != nil {
					return fmt.Errorf("changelog of %s: %w", is.Key, err)
				}
			}
			seq := map[string]int{}
			for _, c := range r.Changes {
				n := seq[c.HistoryID]
				seq[c.HistoryID] = n + 1
				rows = append(rows, is.ID, c.HistoryID, n, c.Author, c.Created.UnixMilli(), c.Field,
					c.FieldID, c.From, c.FromString, c.To, c.ToString)
			}
			if len(r.Changes) > 0 {
				waiting[is.ID] = true
			}
			if err := flush(false); err != nil {
				return err // rows of several issues: flush names none
			}
		}

		if isHeld {
			if _, err := delSprints.ExecContext(ctx, is.ID); err != nil {
				return fmt.Errorf("sprints of %s: %w", is.Key, err)
			}
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
	if err := flush(true); err != nil {
		return err
	}
	return deleteOrphanLinks(ctx, tx, orphans)
}

// heldIssues reads what the store holds of the batch's issues, by id.
func heldIssues(ctx context.Context, tx *sql.Tx, recs []IssueRecord) (map[string]heldIssue, error) {
	const chunk = 500
	out := make(map[string]heldIssue, len(recs))
	args := make([]any, 0, chunk)
	for i := 0; i < len(recs); i += chunk {
		args = args[:0]
		for _, r := range recs[i:min(i+chunk, len(recs))] {
			args = append(args, r.Issue.ID)
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, key, coalesce(updated, 0), removed_at IS NOT NULL FROM issues WHERE id IN (?`+
			strings.Repeat(",?", len(args)-1)+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("read issues: %w", err)
		}
		for rows.Next() {
			var id string
			var h heldIssue
			if err := rows.Scan(&id, &h.key, &h.updated, &h.removed); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read issues: %w", err)
			}
			out[id] = h
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("read issues: %w", err)
		}
	}
	return out, nil
}

// linksOf adds the link ids an issue reports in the store to into.
func linksOf(ctx context.Context, q *sql.Stmt, id string, into map[string]bool) error {
	rows, err := q.QueryContext(ctx, id)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var link string
		if err := rows.Scan(&link); err != nil {
			return err
		}
		into[link] = true
	}
	return rows.Err()
}
