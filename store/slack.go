package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// SlackThreads returns the thread state of every finding a route has
// reported, by finding id.
func (s *Store) SlackThreads(ctx context.Context, route string) (map[string]SlackThread, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT route, finding_id, channel, parent_ts, parent_channel, in_summary, kind, issue, severity, open, last_transition, first_at, changed_at
		FROM slack_threads WHERE route = ?`, route)
	if err != nil {
		return nil, fmt.Errorf("slack threads: %w", err)
	}
	defer rows.Close()
	out := map[string]SlackThread{}
	for rows.Next() {
		var t SlackThread
		var first, changed int64
		if err := rows.Scan(&t.Route, &t.FindingID, &t.Channel, &t.ParentTS, &t.ParentChannel, &t.InSummary, &t.Kind, &t.Issue, &t.Severity, &t.Open, &t.LastTransition, &first, &changed); err != nil {
			return nil, fmt.Errorf("slack threads: %w", err)
		}
		t.FirstAt = time.UnixMilli(first).UTC()
		t.ChangedAt = time.UnixMilli(changed).UTC()
		out[t.FindingID] = t
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("slack threads: %w", err)
	}
	return out, nil
}

// SlackRouteSeen reports whether a route has ever planned a notification:
// false means its next delivery is its first run.
func (s *Store) SlackRouteSeen(ctx context.Context, route string) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM slack_routes WHERE route = ?`, route).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("slack route seen: %w", err)
	}
	return n > 0, nil
}

// SlackUser returns the cached Slack user id for an email (empty when Slack
// said it has no such user) and when it was looked up; ok is false when the
// email was never looked up.
func (s *Store) SlackUser(ctx context.Context, email string) (userID string, lookedUp time.Time, ok bool, err error) {
	var at int64
	err = s.db.QueryRowContext(ctx, `SELECT user_id, looked_up FROM slack_users WHERE email = ?`, email).Scan(&userID, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return "", time.Time{}, false, nil
	}
	if err != nil {
		return "", time.Time{}, false, fmt.Errorf("slack user: %w", err)
	}
	return userID, time.UnixMilli(at).UTC(), true, nil
}

// PutSlackUser caches a lookup answer; an empty userID records "not found".
func (s *Store) PutSlackUser(ctx context.Context, email, userID string, at time.Time) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO slack_users(email, user_id, looked_up) VALUES (?, ?, ?)
		ON CONFLICT(email) DO UPDATE SET user_id = excluded.user_id, looked_up = excluded.looked_up`, email, userID, at.UnixMilli())
	if err != nil {
		return fmt.Errorf("put slack user: %w", err)
	}
	return nil
}

// LastSlackDigest returns when a route's last digest was planned; zero when never.
func (s *Store) LastSlackDigest(ctx context.Context, route string) (time.Time, error) {
	var at int64
	err := s.db.QueryRowContext(ctx, `SELECT sent_at FROM slack_digests WHERE route = ?`, route).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("last slack digest: %w", err)
	}
	return time.UnixMilli(at).UTC(), nil
}

// EnqueueSlackDigest records a digest's messages in the outbox and the
// digest time of its route in one transaction.
func (s *Store) EnqueueSlackDigest(ctx context.Context, route string, at time.Time, msgs []OutboxMessage) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("enqueue slack digest: %w", err)
	}
	defer tx.Rollback()
	if _, err := insertOutbox(ctx, tx, msgs, at); err != nil {
		return fmt.Errorf("enqueue slack digest: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO slack_digests(route, sent_at) VALUES (?, ?)
		ON CONFLICT(route) DO UPDATE SET sent_at = excluded.sent_at`, route, at.UnixMilli()); err != nil {
		return fmt.Errorf("enqueue slack digest: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("enqueue slack digest: %w", err)
	}
	return nil
}

// EnqueueSlackPosts records standalone messages (status reports,
// reminders) in the outbox in one transaction, leaving thread and route
// state alone; messages whose key is present are skipped. It returns how
// many were added.
func (s *Store) EnqueueSlackPosts(ctx context.Context, msgs []OutboxMessage) (int, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("enqueue slack posts: %w", err)
	}
	defer tx.Rollback()
	added, err := insertOutbox(ctx, tx, msgs, s.now())
	if err != nil {
		return 0, fmt.Errorf("enqueue slack posts: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("enqueue slack posts: %w", err)
	}
	return added, nil
}
