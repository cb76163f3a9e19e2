package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// LastStatusReport returns the body a status report of scope recorded
// last, and when; ok is false when none was.
func (s *Store) LastStatusReport(ctx context.Context, scope string) (at time.Time, body []byte, ok bool, err error) {
	var ms int64
	err = s.db.QueryRowContext(ctx, `SELECT at, body FROM status_reports WHERE scope = ? ORDER BY at DESC LIMIT 1`, scope).Scan(&ms, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil, false, nil
	}
	if err != nil {
		return time.Time{}, nil, false, fmt.Errorf("last status report: %w", err)
	}
	return time.UnixMilli(ms).UTC(), body, true, nil
}

// keptReports is how many status reports are kept per scope.
const keptReports = 52

// PutStatusReport records what a status report of scope saw at at,
// keeping the latest keptReports per scope.
func (s *Store) PutStatusReport(ctx context.Context, scope string, at time.Time, body []byte) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("put status report: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO status_reports(scope, at, body) VALUES (?, ?, ?)`, scope, at.UnixMilli(), string(body)); err != nil {
		return fmt.Errorf("put status report: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM status_reports WHERE scope = ? AND at NOT IN
		(SELECT at FROM status_reports WHERE scope = ? ORDER BY at DESC LIMIT ?)`, scope, scope, keptReports); err != nil {
		return fmt.Errorf("put status report: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("put status report: %w", err)
	}
	return nil
}
