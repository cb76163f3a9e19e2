package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/radarhq/radar"
)

// SaveTrackRecord records the summary of a forecast backtest run at at.
func (s *Store) SaveTrackRecord(ctx context.Context, at time.Time, tr radar.TrackRecord) error {
	if _, err := s.db.ExecContext(ctx, `INSERT OR REPLACE INTO track_records(recorded_at, cases, p50_coverage, p85_coverage, p95_coverage)
		VALUES (?,?,?,?,?)`, at.UnixMilli(), tr.Cases, tr.P50Coverage, tr.P85Coverage, tr.P95Coverage); err != nil {
		return fmt.Errorf("record the forecast track record: %w", err)
	}
	return nil
}

// LastTrackRecord returns the latest recorded backtest summary and when it
// was recorded; ok is false when no backtest was recorded yet.
func (s *Store) LastTrackRecord(ctx context.Context) (tr radar.TrackRecord, at time.Time, ok bool, err error) {
	var recorded sql.NullInt64
	err = s.db.QueryRowContext(ctx, `SELECT recorded_at, cases, p50_coverage, p85_coverage, p95_coverage FROM track_records
		ORDER BY recorded_at DESC LIMIT 1`).Scan(&recorded, &tr.Cases, &tr.P50Coverage, &tr.P85Coverage, &tr.P95Coverage)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return tr, at, false, nil
	case err != nil:
		return tr, at, false, fmt.Errorf("read the forecast track record: %w", err)
	}
	return tr, fromMS(recorded), true, nil
}
