package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/radarhq/radar"
)

// Errors PutAck returns for a finding nobody can act on.
var (
	ErrUnknownFinding  = errors.New("no such finding")
	ErrFindingResolved = errors.New("the finding is resolved")
)

const ackColumns = `finding_id, state, by_name, slack_user, at, until, until_worse, note, kind, severity, blast_radius, reminded_at`

func scanAck(sc interface{ Scan(...any) error }) (string, radar.Ack, error) {
	var (
		id        string
		a         radar.Ack
		at        int64
		until     sql.NullInt64
		reminded  sql.NullInt64
		sev       string
		untilWors int
	)
	if err := sc.Scan(&id, &a.State, &a.By, &a.SlackUser, &at, &until, &untilWors, &a.Note, &a.Kind, &sev, &a.BlastRadius, &reminded); err != nil {
		return "", a, err
	}
	a.At, a.Until, a.RemindedAt = time.UnixMilli(at).UTC(), fromMS(until), fromMS(reminded)
	a.UntilWorse, a.Severity = untilWors != 0, radar.Severity(sev)
	return id, a, nil
}

// PutAck records a person's action on an open finding, replacing any
// earlier one, with the finding's kind, severity and blast radius as the
// baseline its escalation is measured from. It returns the finding, its
// Ack set. A finding never recorded is ErrUnknownFinding, a resolved one
// ErrFindingResolved.
func (s *Store) PutAck(ctx context.Context, findingID string, a radar.Ack) (KnownFinding, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return KnownFinding{}, fmt.Errorf("acknowledge %s: %w", findingID, err)
	}
	defer tx.Rollback()
	sf, err := scanFinding(tx.QueryRowContext(ctx, `SELECT `+findingColumns+` FROM findings WHERE id = ?`, findingID))
	if errors.Is(err, sql.ErrNoRows) {
		return KnownFinding{}, fmt.Errorf("acknowledge %s: %w; list open findings with radar analyze or GET /api/findings", findingID, ErrUnknownFinding)
	}
	if err != nil {
		return KnownFinding{}, fmt.Errorf("acknowledge %s: %w", findingID, err)
	}
	if !sf.resolvedAt.IsZero() {
		return KnownFinding{}, fmt.Errorf("acknowledge %s: %w (on %s); nothing to do", findingID, ErrFindingResolved, sf.resolvedAt.Format("2006-01-02"))
	}
	a.Kind, a.Severity, a.BlastRadius, a.RemindedAt = sf.f.Kind, sf.f.Severity, sf.f.BlastRadius(), time.Time{}
	if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO finding_acks (`+ackColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)`,
		findingID, a.State, a.By, a.SlackUser, a.At.UnixMilli(), ms(a.Until), a.UntilWorse, a.Note, a.Kind, string(a.Severity), a.BlastRadius); err != nil {
		return KnownFinding{}, fmt.Errorf("acknowledge %s: %w", findingID, err)
	}
	if err := tx.Commit(); err != nil {
		return KnownFinding{}, fmt.Errorf("acknowledge %s: %w", findingID, err)
	}
	sf.f.Ack = &a
	return KnownFinding{Finding: sf.f, FirstSeen: sf.firstSeen}, nil
}

// Acks returns the acks of open findings, by finding id.
func (s *Store) Acks(ctx context.Context) (map[string]radar.Ack, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+ackColumns+` FROM finding_acks
		WHERE finding_id IN (SELECT id FROM findings WHERE resolved_at IS NULL)`)
	if err != nil {
		return nil, fmt.Errorf("acks: %w", err)
	}
	defer rows.Close()
	out := map[string]radar.Ack{}
	for rows.Next() {
		id, a, err := scanAck(rows)
		if err != nil {
			return nil, fmt.Errorf("acks: %w", err)
		}
		out[id] = a
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("acks: %w", err)
	}
	return out, nil
}

// AttachAcks returns a copy of fs with each finding's Ack set from the
// store (nil where nobody acted).
func (s *Store) AttachAcks(ctx context.Context, fs []radar.Finding) ([]radar.Finding, error) {
	acks, err := s.Acks(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]radar.Finding, len(fs))
	for i, f := range fs {
		if a, ok := acks[f.ID]; ok {
			f.Ack = &a
		}
		out[i] = f
	}
	return out, nil
}

// RebaseAck moves an ack's baseline to f after its escalation was told,
// so the same escalation re-alerts once. A dismissal, or a snooze until
// it gets worse, ends instead: the finding got worse.
func (s *Store) RebaseAck(ctx context.Context, f radar.Finding) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("rebase ack of %s: %w", f.ID, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM finding_acks WHERE finding_id = ? AND (state = ? OR (state = ? AND until_worse != 0))`,
		f.ID, radar.AckDismissed, radar.AckSnoozed); err != nil {
		return fmt.Errorf("rebase ack of %s: %w", f.ID, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE finding_acks SET kind = ?, severity = ?, blast_radius = ? WHERE finding_id = ?`,
		f.Kind, string(f.Severity), f.BlastRadius(), f.ID); err != nil {
		return fmt.Errorf("rebase ack of %s: %w", f.ID, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("rebase ack of %s: %w", f.ID, err)
	}
	return nil
}

// MarkAckReminded records that an ack's owner was reminded.
func (s *Store) MarkAckReminded(ctx context.Context, findingID string, at time.Time) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE finding_acks SET reminded_at = ? WHERE finding_id = ?`, at.UnixMilli(), findingID); err != nil {
		return fmt.Errorf("mark ack reminded %s: %w", findingID, err)
	}
	return nil
}

// SeenWindow is how long a Slack request's signature is remembered: a
// little over the 5 minutes its timestamp is accepted.
const SeenWindow = 10 * time.Minute

// SeenSlackRequest records a verified Slack request's signature and
// reports whether it was already recorded (a replay). Signatures older
// than SeenWindow are forgotten.
func (s *Store) SeenSlackRequest(ctx context.Context, signature string, at time.Time) (bool, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("seen slack request: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM slack_requests_seen WHERE seen_at < ?`, at.Add(-SeenWindow).UnixMilli()); err != nil {
		return false, fmt.Errorf("seen slack request: %w", err)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO slack_requests_seen(signature, seen_at) VALUES (?, ?) ON CONFLICT(signature) DO NOTHING`,
		signature, at.UnixMilli())
	if err != nil {
		return false, fmt.Errorf("seen slack request: %w", err)
	}
	n, _ := res.RowsAffected()
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("seen slack request: %w", err)
	}
	return n == 0, nil
}
