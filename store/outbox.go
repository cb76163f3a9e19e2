package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Outbox operations.
const (
	OpParent = "parent" // a finding's own message; its ts becomes the thread's parent
	OpPost   = "post"   // a standalone message (summary, digest, test)
	OpReply  = "reply"  // a reply in the finding's thread
	OpUpdate = "update" // an edit of the finding's parent message
)

// OutboxMessage is one notification in the Slack outbox.
type OutboxMessage struct {
	ID        int64
	Key       string // idempotency key; a second Enqueue with the same key is ignored
	Route     string
	Channel   string
	Op        string
	FindingID string
	Payload   []byte // JSON
	CreatedAt time.Time
	Attempts  int
	LastError string
	SentAt    time.Time
	TS        string
	// InFlightAt is when a send whose answer never came began (the first
	// such attempt); zero when every attempt was answered. The message may
	// be in Slack already: look for it before posting it again.
	InFlightAt time.Time
	// ParentTS is the ts of the finding's thread parent in the route, read
	// with pending messages; empty when the parent is not sent yet. It may be
	// stale by the time the message is sent (the parent can go out earlier in
	// the same flush): senders read SlackThreadParent right before sending.
	ParentTS string
	// ParentChannel is the channel id Slack answered for the parent.
	ParentChannel string
}

// SlackThread is what one route has told its channel about one finding.
type SlackThread struct {
	Route          string
	FindingID      string
	Channel        string
	ParentTS       string
	ParentChannel  string
	InSummary      bool
	Kind           string
	Issue          string
	Severity       string
	Open           bool
	LastTransition string
	FirstAt        time.Time
	ChangedAt      time.Time
}

// EnqueueSlack records one route's messages in the outbox, upserts its
// thread states and marks the route as seen, in one transaction. Messages
// whose key is already present are skipped; it returns how many were added.
// A thread upsert never clears a parent ts.
func (s *Store) EnqueueSlack(ctx context.Context, route string, msgs []OutboxMessage, threads []SlackThread) (int, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("enqueue slack: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO slack_routes(route, first_run) VALUES (?, ?) ON CONFLICT(route) DO NOTHING`,
		route, s.now().UnixMilli()); err != nil {
		return 0, fmt.Errorf("enqueue slack: %w", err)
	}
	now := s.now()
	added, err := insertOutbox(ctx, tx, msgs, now)
	if err != nil {
		return 0, fmt.Errorf("enqueue slack: %w", err)
	}
	up, err := tx.PrepareContext(ctx, `INSERT INTO slack_threads(route, finding_id, channel, parent_ts, in_summary, kind, issue, severity, open, last_transition, first_at, changed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(route, finding_id) DO UPDATE SET
			channel = excluded.channel,
			parent_ts = CASE WHEN excluded.parent_ts != '' THEN excluded.parent_ts ELSE slack_threads.parent_ts END,
			in_summary = excluded.in_summary,
			kind = excluded.kind,
			issue = excluded.issue,
			severity = excluded.severity,
			open = excluded.open,
			last_transition = excluded.last_transition,
			changed_at = excluded.changed_at`)
	if err != nil {
		return 0, fmt.Errorf("enqueue slack: %w", err)
	}
	defer up.Close()
	for _, t := range threads {
		first, changed := t.FirstAt, t.ChangedAt
		if first.IsZero() {
			first = now
		}
		if changed.IsZero() {
			changed = now
		}
		if _, err := up.ExecContext(ctx, t.Route, t.FindingID, t.Channel, t.ParentTS, t.InSummary, t.Kind, t.Issue, t.Severity, t.Open,
			t.LastTransition, first.UnixMilli(), changed.UnixMilli()); err != nil {
			return 0, fmt.Errorf("enqueue slack thread %s: %w", t.FindingID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("enqueue slack: %w", err)
	}
	return added, nil
}

// PendingOutbox returns unsent messages in send order, each with its
// thread's parent ts when it has one.
func (s *Store) PendingOutbox(ctx context.Context) ([]OutboxMessage, error) {
	out, err := s.outboxRows(ctx, `o.sent_at IS NULL`)
	if err != nil {
		return nil, fmt.Errorf("pending outbox: %w", err)
	}
	return out, nil
}

// ThreadParent is where a finding's thread lives in one route.
type ThreadParent struct {
	TS      string // the parent message's ts; empty until it is sent
	Channel string // the channel id Slack answered for the parent
	// Pending reports whether a parent message of the thread is still
	// unsent in the outbox: follow-ups must wait behind it.
	Pending bool
}

// SlackThreadParent returns the current parent of a finding's thread in a
// route, read now rather than with the pending list.
func (s *Store) SlackThreadParent(ctx context.Context, route, findingID string) (ThreadParent, error) {
	var p ThreadParent
	err := s.db.QueryRowContext(ctx, `SELECT
			COALESCE((SELECT parent_ts FROM slack_threads WHERE route = ?1 AND finding_id = ?2), ''),
			COALESCE((SELECT parent_channel FROM slack_threads WHERE route = ?1 AND finding_id = ?2), ''),
			EXISTS(SELECT 1 FROM slack_outbox WHERE route = ?1 AND finding_id = ?2 AND op = 'parent' AND sent_at IS NULL)`,
		route, findingID).Scan(&p.TS, &p.Channel, &p.Pending)
	if err != nil {
		return ThreadParent{}, fmt.Errorf("slack thread parent %s: %w", findingID, err)
	}
	return p, nil
}

// MarkOutboxInFlight records, in its own commit, that a send of message id
// begins at at and its answer is not known yet. An earlier unanswered
// attempt's time is kept, so a later search covers both.
func (s *Store) MarkOutboxInFlight(ctx context.Context, id int64, at time.Time) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE slack_outbox SET inflight_at = COALESCE(inflight_at, ?) WHERE id = ?`,
		at.UnixMilli(), id); err != nil {
		return fmt.Errorf("mark outbox in flight %d: %w", id, err)
	}
	return nil
}

// ResetOutboxInFlight records, in its own commit, that a send of message id
// begins at at and starts a new search for it: a lookup found the message
// was not in Slack, could not look, or gave up looking, so it is posted
// again, and if that send's answer never comes it is looked for around at.
func (s *Store) ResetOutboxInFlight(ctx context.Context, id int64, at time.Time) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE slack_outbox SET inflight_at = ? WHERE id = ?`, at.UnixMilli(), id); err != nil {
		return fmt.Errorf("reset outbox in flight %d: %w", id, err)
	}
	return nil
}

// ClearOutboxInFlight records that Slack answered the send of message id
// with an error: nothing was posted, and the message stays pending.
func (s *Store) ClearOutboxInFlight(ctx context.Context, id int64) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE slack_outbox SET inflight_at = NULL WHERE id = ?`, id); err != nil {
		return fmt.Errorf("clear outbox in flight %d: %w", id, err)
	}
	return nil
}

// MarkOutboxSent marks a message sent with Slack's ts. For a parent message
// it also records the ts and channel id as the thread's parent, in the same
// transaction.
func (s *Store) MarkOutboxSent(ctx context.Context, m OutboxMessage, channelID, ts string, at time.Time) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("mark outbox sent: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `UPDATE slack_outbox SET sent_at = ?, ts = ?, attempts = attempts + 1, last_error = '', inflight_at = NULL WHERE id = ?`,
		at.UnixMilli(), ts, m.ID); err != nil {
		return fmt.Errorf("mark outbox sent %d: %w", m.ID, err)
	}
	if m.Op == OpParent && m.FindingID != "" && ts != "" {
		if _, err := tx.ExecContext(ctx, `UPDATE slack_threads SET parent_ts = ?, parent_channel = ? WHERE route = ? AND finding_id = ?`,
			ts, channelID, m.Route, m.FindingID); err != nil {
			return fmt.Errorf("mark outbox sent %d: %w", m.ID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("mark outbox sent %d: %w", m.ID, err)
	}
	return nil
}

// MarkOutboxFailed counts a failed attempt and keeps the message pending.
// It leaves an in-flight mark alone: whether a timed-out send was posted
// is still unknown.
func (s *Store) MarkOutboxFailed(ctx context.Context, id int64, errText string) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE slack_outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?`, errText, id); err != nil {
		return fmt.Errorf("mark outbox failed %d: %w", id, err)
	}
	return nil
}

// PendingOutboxCount counts the messages PendingOutbox returns.
func (s *Store) PendingOutboxCount(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM slack_outbox WHERE sent_at IS NULL`).Scan(&n); err != nil {
		return 0, fmt.Errorf("outbox pending: %w", err)
	}
	return n, nil
}

// OutboxMessages returns every message of a route (all routes when route is
// empty), sent or not, in send order.
func (s *Store) OutboxMessages(ctx context.Context, route string) ([]OutboxMessage, error) {
	out, err := s.outboxRows(ctx, `? = '' OR o.route = ?`, route, route)
	if err != nil {
		return nil, fmt.Errorf("outbox messages: %w", err)
	}
	return out, nil
}

// outboxRows reads the outbox rows matching where, in send order, each with
// its thread's parent ts and channel when it has them.
func (s *Store) outboxRows(ctx context.Context, where string, args ...any) ([]OutboxMessage, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT o.id, o.key, o.route, o.channel, o.op, o.finding_id, o.payload,
			o.created_at, o.attempts, o.last_error, o.sent_at, o.ts, o.inflight_at,
			COALESCE(t.parent_ts, ''), COALESCE(t.parent_channel, '')
		FROM slack_outbox o
		LEFT JOIN slack_threads t ON t.route = o.route AND t.finding_id = o.finding_id AND o.finding_id != ''
		WHERE `+where+` ORDER BY o.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []OutboxMessage
	for rows.Next() {
		var m OutboxMessage
		var payload string
		var created int64
		var sent, inflight sql.NullInt64
		if err := rows.Scan(&m.ID, &m.Key, &m.Route, &m.Channel, &m.Op, &m.FindingID, &payload, &created, &m.Attempts,
			&m.LastError, &sent, &m.TS, &inflight, &m.ParentTS, &m.ParentChannel); err != nil {
			return nil, err
		}
		m.Payload = []byte(payload)
		m.CreatedAt = time.UnixMilli(created).UTC()
		m.SentAt = fromMS(sent)
		m.InFlightAt = fromMS(inflight)
		out = append(out, m)
	}
	return out, rows.Err()
}

// insertOutbox adds msgs to the outbox in tx, each created at its
// CreatedAt or else at; a message whose key is there already is skipped.
// It returns how many were added.
func insertOutbox(ctx context.Context, tx *sql.Tx, msgs []OutboxMessage, at time.Time) (int, error) {
	ins, err := tx.PrepareContext(ctx, `INSERT INTO slack_outbox(key, route, channel, op, finding_id, payload, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(key) DO NOTHING`)
	if err != nil {
		return 0, err
	}
	defer ins.Close()
	added := 0
	for _, m := range msgs {
		created := m.CreatedAt
		if created.IsZero() {
			created = at
		}
		res, err := ins.ExecContext(ctx, m.Key, m.Route, m.Channel, m.Op, m.FindingID, string(m.Payload), created.UnixMilli())
		if err != nil {
			return 0, fmt.Errorf("%s: %w", m.Key, err)
		}
		n, _ := res.RowsAffected()
		added += int(n)
	}
	return added, nil
}
