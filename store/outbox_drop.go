package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// DroppedPrefix starts the last_error of an outbox row an operator dropped.
const DroppedPrefix = "dropped by operator"

// sameChannel matches a channel column against a name given with or
// without its '#' ("pay-delivery" is "#pay-delivery").
const sameChannel = `ltrim(channel, '#') = ltrim(?, '#')`

// DropOutbox gives up on pending notifications an operator chose to drop
// (say, for a channel the bot will never join): one row by id, or every
// pending row of a channel (named with or without its '#'). Dropping a finding's parent message drops its
// pending follow-ups too, which could never be threaded, and forgets the
// thread, so the finding's next change is told afresh. Rows are kept,
// marked done with last_error starting with DroppedPrefix, so the outbox
// still shows what was never said. It returns how many rows were dropped.
func (s *Store) DropOutbox(ctx context.Context, id int64, channel string, at time.Time) (int, error) {
	if (id == 0) == (channel == "") {
		return 0, errors.New("drop outbox: give either a message id or a channel")
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("drop outbox: %w", err)
	}
	defer tx.Rollback()
	mark := `UPDATE slack_outbox SET sent_at = ?, last_error = ? || CASE WHEN last_error = '' THEN '' ELSE ' (' || last_error || ')' END
		WHERE sent_at IS NULL AND `
	var res sql.Result
	// A thread whose parent is dropped was never started: forget it, so the
	// finding's next change starts a new message rather than replying to
	// nothing.
	forget := `DELETE FROM slack_threads WHERE parent_ts = '' AND `
	if channel != "" {
		res, err = tx.ExecContext(ctx, mark+sameChannel, at.UnixMilli(), DroppedPrefix, channel)
		if err == nil {
			_, err = tx.ExecContext(ctx, forget+sameChannel, channel)
		}
	} else {
		var route, finding, op string
		err = tx.QueryRowContext(ctx, `SELECT route, finding_id, op FROM slack_outbox WHERE id = ? AND sent_at IS NULL`, id).
			Scan(&route, &finding, &op)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, fmt.Errorf("drop outbox: no pending message %d; list them with radar outbox", id)
		}
		if err != nil {
			return 0, fmt.Errorf("drop outbox: %w", err)
		}
		if op == OpParent && finding != "" {
			res, err = tx.ExecContext(ctx, mark+`route = ? AND finding_id = ? AND id >= ?`, at.UnixMilli(), DroppedPrefix, route, finding, id)
			if err == nil {
				_, err = tx.ExecContext(ctx, forget+`route = ? AND finding_id = ?`, route, finding)
			}
		} else {
			res, err = tx.ExecContext(ctx, mark+`id = ?`, at.UnixMilli(), DroppedPrefix, id)
		}
	}
	if err != nil {
		return 0, fmt.Errorf("drop outbox: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("drop outbox: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
