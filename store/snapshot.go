package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/radarhq/radar"
)

// LoadSnapshot reads the synced scope for analysis: the issues not removed
// (with their sprints), the dependency links with the current keys of
// in-scope issues (links to issues outside the scope keep the key Jira
// reported), the changelog of the issues in scope ordered by issue then
// time, the sprints, the versions not removed, the recorded release dates
// ordered by version then time, and the statuses.
func (s *Store) LoadSnapshot(ctx context.Context) (radar.Snapshot, error) {
	var snap radar.Snapshot
	// A deferred transaction on one connection reads one consistent
	// snapshot without taking the write lock (the store's default
	// transactions are IMMEDIATE), so a sync can write meanwhile.
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return snap, fmt.Errorf("load snapshot: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `BEGIN DEFERRED`); err != nil {
		return snap, fmt.Errorf("load snapshot: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `ROLLBACK`)
	for _, step := range []struct {
		name string
		load func(context.Context, querier, *radar.Snapshot) error
	}{
		{"issues", loadIssues},
		{"links", loadLinks},
		{"changelog", loadChanges},
		{"sprints", loadSprints},
		{"versions", loadVersions},
		{"version dates", loadVersionDates},
		{"statuses", loadStatuses},
	} {
		if err := step.load(ctx, conn, &snap); err != nil {
			return radar.Snapshot{}, fmt.Errorf("load snapshot: %s: %w", step.name, err)
		}
	}
	return snap, nil
}

// querier is what the snapshot loaders read through.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func loadIssues(ctx context.Context, q querier, snap *radar.Snapshot) error {
	sprints := map[string][]int64{}
	rows, err := q.QueryContext(ctx, `SELECT s.issue_id, s.sprint_id FROM issue_sprints s
		JOIN issues i ON i.id = s.issue_id WHERE i.removed_at IS NULL ORDER BY s.issue_id, s.sprint_id`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id string
		var sprint int64
		if err := rows.Scan(&id, &sprint); err != nil {
			rows.Close()
			return err
		}
		sprints[id] = append(sprints[id], sprint)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	rows, err = q.QueryContext(ctx, `SELECT id, key, project, type, subtask, summary, status, status_id, status_category, priority,
		assignee_id, assignee_name, assignee_email, created, updated, resolved, due, start_date, story_points,
		original_estimate, remaining_estimate, time_spent, parent_key, epic_key, labels, components, fix_versions, flagged
		FROM issues WHERE removed_at IS NULL ORDER BY key`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			is                                     radar.Issue
			category                               string
			created, updated, resolved, due, start sql.NullInt64
			points                                 sql.NullFloat64
			original, remaining, spent             sql.NullInt64
			labels, components, fixVersions        string
		)
		if err := rows.Scan(&is.ID, &is.Key, &is.Project, &is.Type, &is.Subtask, &is.Summary, &is.Status, &is.StatusID, &category, &is.Priority,
			&is.AssigneeID, &is.AssigneeName, &is.AssigneeEmail, &created, &updated, &resolved, &due, &start, &points,
			&original, &remaining, &spent, &is.ParentKey, &is.EpicKey, &labels, &components, &fixVersions, &is.Flagged); err != nil {
			return err
		}
		is.StatusCategory = radar.StatusCategory(category)
		is.Created, is.Updated, is.Resolved = fromMS(created), fromMS(updated), fromMS(resolved)
		is.Due, is.StartDate = fromMS(due), fromMS(start)
		if points.Valid {
			p := points.Float64
			is.StoryPoints = &p
		}
		is.OriginalEstimate, is.RemainingEstimate, is.TimeSpent = fromSecs(original), fromSecs(remaining), fromSecs(spent)
		for _, l := range []struct {
			raw  string
			into *[]string
		}{{labels, &is.Labels}, {components, &is.Components}, {fixVersions, &is.FixVersions}} {
			if err := json.Unmarshal([]byte(l.raw), l.into); err != nil {
				return fmt.Errorf("issue %s: %w", is.Key, err)
			}
		}
		is.SprintIDs = sprints[is.ID]
		snap.Issues = append(snap.Issues, is)
	}
	return rows.Err()
}

func loadLinks(ctx context.Context, q querier, snap *radar.Snapshot) error {
	rows, err := q.QueryContext(ctx, `SELECT l.id, l.type, COALESCE(b.key, l.blocker_key), COALESCE(d.key, l.blocked_key)
		FROM links l
		LEFT JOIN issues b ON b.id = l.blocker_id AND b.removed_at IS NULL
		LEFT JOIN issues d ON d.id = l.blocked_id AND d.removed_at IS NULL
		ORDER BY l.id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var d radar.Dependency
		if err := rows.Scan(&d.LinkID, &d.Type, &d.Blocker, &d.Blocked); err != nil {
			return err
		}
		snap.Dependencies = append(snap.Dependencies, d)
	}
	return rows.Err()
}

func loadChanges(ctx context.Context, q querier, snap *radar.Snapshot) error {
	rows, err := q.QueryContext(ctx, `SELECT i.key, c.history_id, c.author, c.created, c.field, c.field_id,
		c.from_value, c.from_string, c.to_value, c.to_string
		FROM changelog c JOIN issues i ON i.id = c.issue_id
		WHERE i.removed_at IS NULL
		ORDER BY i.key, c.created, c.history_id, c.seq`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var c radar.Change
		var created int64
		if err := rows.Scan(&c.IssueKey, &c.HistoryID, &c.Author, &created, &c.Field, &c.FieldID,
			&c.From, &c.FromString, &c.To, &c.ToString); err != nil {
			return err
		}
		c.Created = time.UnixMilli(created).UTC()
		snap.Changes = append(snap.Changes, c)
	}
	return rows.Err()
}

func loadSprints(ctx context.Context, q querier, snap *radar.Snapshot) error {
	rows, err := q.QueryContext(ctx, `SELECT id, name, state, board_id, goal, start, end, complete FROM sprints ORDER BY id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var sp radar.Sprint
		var start, end, complete sql.NullInt64
		if err := rows.Scan(&sp.ID, &sp.Name, &sp.State, &sp.BoardID, &sp.Goal, &start, &end, &complete); err != nil {
			return err
		}
		sp.Start, sp.End, sp.Complete = fromMS(start), fromMS(end), fromMS(complete)
		snap.Sprints = append(snap.Sprints, sp)
	}
	return rows.Err()
}

func loadVersions(ctx context.Context, q querier, snap *radar.Snapshot) error {
	rows, err := q.QueryContext(ctx, `SELECT id, project, name, released, archived, release_date, start_date
		FROM versions WHERE removed_at IS NULL ORDER BY project, id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var v radar.Version
		var release, start sql.NullInt64
		if err := rows.Scan(&v.ID, &v.Project, &v.Name, &v.Released, &v.Archived, &release, &start); err != nil {
			return err
		}
		v.ReleaseDate, v.StartDate = fromMS(release), fromMS(start)
		snap.Versions = append(snap.Versions, v)
	}
	return rows.Err()
}

func loadVersionDates(ctx context.Context, q querier, snap *radar.Snapshot) error {
	rows, err := q.QueryContext(ctx, `SELECT version_id, observed_at, release_date FROM version_dates ORDER BY version_id, observed_at`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var d radar.VersionDate
		var observed int64
		var release sql.NullInt64
		if err := rows.Scan(&d.VersionID, &observed, &release); err != nil {
			return err
		}
		d.ObservedAt, d.ReleaseDate = time.UnixMilli(observed).UTC(), fromMS(release)
		snap.VersionDates = append(snap.VersionDates, d)
	}
	return rows.Err()
}

func loadStatuses(ctx context.Context, q querier, snap *radar.Snapshot) error {
	rows, err := q.QueryContext(ctx, `SELECT id, name, category FROM statuses ORDER BY id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var st radar.Status
		var category string
		if err := rows.Scan(&st.ID, &st.Name, &category); err != nil {
			return err
		}
		st.Category = radar.StatusCategory(category)
		snap.Statuses = append(snap.Statuses, st)
	}
	return rows.Err()
}
