package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/radarhq/radar"
)

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
