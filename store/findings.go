package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/radarhq/radar"
)

// storedFinding is a findings row.
type storedFinding struct {
	f             radar.Finding
	firstSeen     time.Time
	resolvedAt    time.Time
	timesReopened int
}

const findingColumns = `id, kind, severity, project, issue, title, detail, evidence, first_seen, resolved_at, times_reopened`

func scanFinding(sc interface{ Scan(...any) error }) (storedFinding, error) {
	var (
		sf       storedFinding
		sev      string
		evidence string
		first    int64
		resolved sql.NullInt64
	)
	f := &sf.f
	if err := sc.Scan(&f.ID, &f.Kind, &sev, &f.Project, &f.Issue, &f.Title, &f.Detail, &evidence, &first, &resolved, &sf.timesReopened); err != nil {
		return sf, err
	}
	f.Severity = radar.Severity(sev)
	ev, err := radar.DecodeEvidence(f.Kind, []byte(evidence))
	if err != nil {
		return sf, fmt.Errorf("finding %s: %w", f.ID, err)
	}
	f.Evidence = ev
	sf.firstSeen = time.UnixMilli(first).UTC()
	sf.resolvedAt = fromMS(resolved)
	return sf, nil
}

// RecordFindings records one analysis run's findings at time at, in one
// transaction, and returns how each changed since the previous run: a change
// for every finding seen now (new, escalated, deescalated, unchanged or
// reopened) and for every previously open finding absent now (resolved,
// carrying its last known state). Findings keep their first-seen time
// across a resolve and reopen. Duplicate ids in fs count once.
func (s *Store) RecordFindings(ctx context.Context, at time.Time, fs []radar.Finding) ([]radar.FindingChange, error) {
	at = at.UTC()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("record findings: %w", err)
	}
	defer tx.Rollback()
	prev := map[string]storedFinding{}
	rows, err := tx.QueryContext(ctx, `SELECT `+findingColumns+` FROM findings`)
	if err != nil {
		return nil, fmt.Errorf("record findings: load previous: %w", err)
	}
	for rows.Next() {
		sf, err := scanFinding(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("record findings: load previous: %w", err)
		}
		prev[sf.f.ID] = sf
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("record findings: load previous: %w", err)
	}

	insert, err := tx.PrepareContext(ctx, `INSERT INTO findings (`+findingColumns+`, last_seen)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, 0, ?)`)
	if err != nil {
		return nil, fmt.Errorf("record findings: %w", err)
	}
	defer insert.Close()
	update, err := tx.PrepareContext(ctx, `UPDATE findings SET kind = ?, severity = ?, project = ?, issue = ?, title = ?,
		detail = ?, evidence = ?, last_seen = ?, resolved_at = NULL, times_reopened = times_reopened + ? WHERE id = ?`)
	if err != nil {
		return nil, fmt.Errorf("record findings: %w", err)
	}
	defer update.Close()
	event, err := tx.PrepareContext(ctx, `INSERT INTO finding_events (finding_id, at, transition, severity, prev_severity) VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		return nil, fmt.Errorf("record findings: %w", err)
	}
	defer event.Close()

	atMS := at.UnixMilli()
	seen := make(map[string]bool, len(fs))
	var changes []radar.FindingChange
	moved := 0
	for _, f := range fs {
		if seen[f.ID] {
			continue
		}
		seen[f.ID] = true
		evidence, err := json.Marshal(f.Evidence)
		if err != nil {
			return nil, fmt.Errorf("record finding %s: evidence: %w", f.ID, err)
		}
		if f.Evidence == nil {
			evidence = []byte("{}")
		}
		p, known := prev[f.ID]
		ch := radar.FindingChange{Finding: f, FirstSeen: at}
		switch {
		case !known:
			ch.Transition = radar.TransitionNew
			_, err = insert.ExecContext(ctx, f.ID, f.Kind, string(f.Severity), f.Project, f.Issue, f.Title, f.Detail, string(evidence), atMS, atMS)
		default:
			ch.FirstSeen = p.firstSeen
			ch.PrevSeverity = p.f.Severity
			reopened := 0
			switch {
			case !p.resolvedAt.IsZero():
				ch.Transition, reopened = radar.TransitionReopened, 1
			case f.Severity.Rank() > p.f.Severity.Rank():
				ch.Transition = radar.TransitionEscalated
			case f.Severity.Rank() < p.f.Severity.Rank():
				ch.Transition = radar.TransitionDeescalated
			default:
				ch.Transition = radar.TransitionUnchanged
			}
			_, err = update.ExecContext(ctx, f.Kind, string(f.Severity), f.Project, f.Issue, f.Title, f.Detail, string(evidence), atMS, reopened, f.ID)
		}
		if err != nil {
			return nil, fmt.Errorf("record finding %s: %w", f.ID, err)
		}
		if ch.Transition != radar.TransitionUnchanged {
			moved++
			if _, err := event.ExecContext(ctx, f.ID, atMS, string(ch.Transition), string(f.Severity), string(ch.PrevSeverity)); err != nil {
				return nil, fmt.Errorf("record finding %s: event: %w", f.ID, err)
			}
		}
		changes = append(changes, ch)
	}

	var gone []storedFinding
	for id, p := range prev {
		if !seen[id] && p.resolvedAt.IsZero() {
			gone = append(gone, p)
		}
	}
	slices.SortFunc(gone, func(a, b storedFinding) int { return strings.Compare(a.f.ID, b.f.ID) })
	for _, p := range gone {
		if _, err := tx.ExecContext(ctx, `UPDATE findings SET resolved_at = ? WHERE id = ?`, atMS, p.f.ID); err != nil {
			return nil, fmt.Errorf("resolve finding %s: %w", p.f.ID, err)
		}
		if _, err := event.ExecContext(ctx, p.f.ID, atMS, string(radar.TransitionResolved), string(p.f.Severity), string(p.f.Severity)); err != nil {
			return nil, fmt.Errorf("resolve finding %s: event: %w", p.f.ID, err)
		}
		// What people said about it ends with it: back again, it is news.
		if _, err := tx.ExecContext(ctx, `DELETE FROM finding_acks WHERE finding_id = ?`, p.f.ID); err != nil {
			return nil, fmt.Errorf("resolve finding %s: ack: %w", p.f.ID, err)
		}
		moved++
		changes = append(changes, radar.FindingChange{Finding: p.f, Transition: radar.TransitionResolved,
			PrevSeverity: p.f.Severity, FirstSeen: p.firstSeen, ResolvedAt: at})
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO analysis_runs (at, recorded_at, findings, changes) VALUES (?, ?, ?, ?)`,
		atMS, s.now().UnixMilli(), len(seen), moved); err != nil {
		return nil, fmt.Errorf("record findings: run: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("record findings: %w", err)
	}
	return changes, nil
}

// OpenFindings returns the findings that are not resolved, most severe first.
func (s *Store) OpenFindings(ctx context.Context) ([]radar.Finding, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+findingColumns+` FROM findings WHERE resolved_at IS NULL`)
	if err != nil {
		return nil, fmt.Errorf("open findings: %w", err)
	}
	defer rows.Close()
	var out []radar.Finding
	for rows.Next() {
		sf, err := scanFinding(rows)
		if err != nil {
			return nil, fmt.Errorf("open findings: %w", err)
		}
		out = append(out, sf.f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("open findings: %w", err)
	}
	slices.SortFunc(out, compareFindings)
	return out, nil
}

func compareFindings(a, b radar.Finding) int {
	if c := cmp.Compare(b.Severity.Rank(), a.Severity.Rank()); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Kind, b.Kind); c != 0 {
		return c
	}
	if c := strings.Compare(a.Project, b.Project); c != 0 {
		return c
	}
	if c := strings.Compare(a.Issue, b.Issue); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// FindingChangesSince returns, for digests, the net change of every finding
// whose state moved after t: a finding that appeared (or reopened) since is
// new (reopened) even if it escalated later; one that went back to its old
// severity is left out, as is one that appeared and resolved again within
// the window. Finding holds the latest state; PrevSeverity the severity
// before the window.
func (s *Store) FindingChangesSince(ctx context.Context, t time.Time) ([]radar.FindingChange, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT finding_id, transition, prev_severity FROM finding_events WHERE at > ? ORDER BY finding_id, seq`, t.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("finding changes since: %w", err)
	}
	type window struct {
		first, last radar.Transition
		prev        radar.Severity
	}
	var ids []string
	win := map[string]*window{}
	for rows.Next() {
		var id, tr, prev string
		if err := rows.Scan(&id, &tr, &prev); err != nil {
			rows.Close()
			return nil, fmt.Errorf("finding changes since: %w", err)
		}
		w := win[id]
		if w == nil {
			w = &window{first: radar.Transition(tr), prev: radar.Severity(prev)}
			win[id] = w
			ids = append(ids, id)
		}
		w.last = radar.Transition(tr)
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("finding changes since: %w", err)
	}
	var out []radar.FindingChange
	for _, id := range ids {
		w := win[id]
		sf, err := scanFinding(s.db.QueryRowContext(ctx, `SELECT `+findingColumns+` FROM findings WHERE id = ?`, id))
		if err != nil {
			return nil, fmt.Errorf("finding changes since: %s: %w", id, err)
		}
		ch := radar.FindingChange{Finding: sf.f, PrevSeverity: w.prev, FirstSeen: sf.firstSeen, ResolvedAt: sf.resolvedAt}
		switch {
		case w.first == radar.TransitionNew && w.last == radar.TransitionResolved:
			continue // came and went
		case w.last == radar.TransitionResolved:
			ch.Transition = radar.TransitionResolved
		case w.first == radar.TransitionNew || w.first == radar.TransitionReopened:
			ch.Transition = w.first
			ch.PrevSeverity = ""
			if w.first == radar.TransitionReopened {
				ch.PrevSeverity = w.prev
			}
		case sf.f.Severity.Rank() > w.prev.Rank():
			ch.Transition = radar.TransitionEscalated
		case sf.f.Severity.Rank() < w.prev.Rank():
			ch.Transition = radar.TransitionDeescalated
		default:
			continue // back where it was
		}
		out = append(out, ch)
	}
	slices.SortFunc(out, func(a, b radar.FindingChange) int { return compareFindings(a.Finding, b.Finding) })
	return out, nil
}

// KnownFinding is a finding's last recorded state.
type KnownFinding struct {
	Finding    radar.Finding
	FirstSeen  time.Time
	ResolvedAt time.Time // zero while the finding is open
}

// FindingsByID returns the last recorded state of the findings with the
// given ids, resolved or not, by id; ids never recorded are absent.
func (s *Store) FindingsByID(ctx context.Context, ids []string) (map[string]KnownFinding, error) {
	out := make(map[string]KnownFinding, len(ids))
	const batch = 500 // well under SQLite's host parameter limit
	for start := 0; start < len(ids); start += batch {
		part := ids[start:min(start+batch, len(ids))]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		marks := strings.Repeat(",?", len(part))[1:]
		rows, err := s.db.QueryContext(ctx, `SELECT `+findingColumns+` FROM findings WHERE id IN (`+marks+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("findings by id: %w", err)
		}
		for rows.Next() {
			sf, err := scanFinding(rows)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("findings by id: %w", err)
			}
			out[sf.f.ID] = KnownFinding{Finding: sf.f, FirstSeen: sf.firstSeen, ResolvedAt: sf.resolvedAt}
		}
		if err := rows.Close(); err != nil {
			return nil, fmt.Errorf("findings by id: %w", err)
		}
	}
	return out, nil
}
