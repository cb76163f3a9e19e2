package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// ScopeKeys returns the current keys of those of ids that scope holds
// (not removed), by id: what a reconciliation compares a listing page with.
func (s *Store) ScopeKeys(ctx context.Context, scope string, ids []string) (map[string]string, error) {
	out := make(map[string]string, len(ids))
	const chunk = 500
	for i := 0; i < len(ids); i += chunk {
		part := ids[i:min(i+chunk, len(ids))]
		args := make([]any, 0, len(part)+1)
		args = append(args, scope)
		for _, id := range part {
			args = append(args, id)
		}
		rows, err := s.db.QueryContext(ctx, `SELECT id, key FROM issues WHERE scope = ? AND removed_at IS NULL AND id IN (`+
			strings.TrimSuffix(strings.Repeat("?,", len(part)), ",")+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("list issues of %s: %w", scope, err)
		}
		for rows.Next() {
			var id, key string
			if err := rows.Scan(&id, &key); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = key
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("list issues of %s: %w", scope, err)
		}
	}
	return out, nil
}

// GoneIssues lists the ids of scope's present issues that a complete listing
// (present) no longer shows, leaving out those written at or after
// listedAt: a sync that wrote them saw them exist after the listing began.
func (s *Store) GoneIssues(ctx context.Context, scope string, present IDSet, listedAt time.Time) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM issues WHERE scope = ? AND removed_at IS NULL AND synced_at < ?`,
		scope, listedAt.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("reconcile %s: %w", scope, err)
	}
	defer rows.Close()
	var gone []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		if !present.Has(id) {
			gone = append(gone, id)
		}
	}
	return gone, rows.Err()
}

// Reconcile marks the gone issues of scope as removed and records the
// reconciliation time, in one transaction. moved maps the gone issues that
// still exist elsewhere to their new keys: their dependency links stay (the
// issues still in scope still have them) under the new key. The links of the
// others, deleted in Jira, go. It returns how many issues were marked.
func (s *Store) Reconcile(ctx context.Context, scope string, gone []string, moved map[string]string, at time.Time) (int, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("reconcile %s: %w", scope, err)
	}
	defer tx.Rollback()
	mark, err := tx.PrepareContext(ctx, `UPDATE issues SET removed_at = ? WHERE id = ? AND removed_at IS NULL`)
	if err != nil {
		return 0, err
	}
	defer mark.Close()
	dropLinks, err := tx.PrepareContext(ctx, `DELETE FROM issue_links WHERE link_id IN
		(SELECT id FROM links WHERE blocker_id = ?1 OR blocked_id = ?1) OR issue_id = ?1`)
	if err != nil {
		return 0, err
	}
	defer dropLinks.Close()
	dropLinkRows, err := tx.PrepareContext(ctx, `DELETE FROM links WHERE blocker_id = ?1 OR blocked_id = ?1`)
	if err != nil {
		return 0, err
	}
	defer dropLinkRows.Close()
	n := 0
	for _, id := range gone {
		res, err := mark.ExecContext(ctx, at.UnixMilli(), id)
		if err != nil {
			return 0, fmt.Errorf("reconcile %s: %w", scope, err)
		}
		if k, _ := res.RowsAffected(); k > 0 {
			n++
		}
		if newKey, ok := moved[id]; ok {
			var oldKey string
			if err := tx.QueryRowContext(ctx, `SELECT key FROM issues WHERE id = ?`, id).Scan(&oldKey); err != nil {
				return 0, fmt.Errorf("reconcile %s: %w", scope, err)
			}
			if oldKey != newKey {
				if _, err := tx.ExecContext(ctx, `UPDATE issues SET key = ? WHERE id = ?`, newKey, id); err != nil {
					return 0, fmt.Errorf("reconcile %s: %w", scope, err)
				}
				if err := rekey(ctx, tx, oldKey, newKey); err != nil {
					return 0, fmt.Errorf("reconcile %s: %w", scope, err)
				}
			}
			// The issue no longer reports links itself; in-scope issues do,
			// and a link none of them reports any more is gone.
			orphans := map[string]bool{}
			rows, err := tx.QueryContext(ctx, `SELECT link_id FROM issue_links WHERE issue_id = ?`, id)
			if err != nil {
				return 0, fmt.Errorf("reconcile %s: %w", scope, err)
			}
			for rows.Next() {
				var l string
				if err := rows.Scan(&l); err != nil {
					rows.Close()
					return 0, err
				}
				orphans[l] = true
			}
			rows.Close()
			if _, err := tx.ExecContext(ctx, `DELETE FROM issue_links WHERE issue_id = ?`, id); err != nil {
				return 0, fmt.Errorf("reconcile %s: %w", scope, err)
			}
			if err := deleteOrphanLinks(ctx, tx, orphans); err != nil {
				return 0, fmt.Errorf("reconcile %s: %w", scope, err)
			}
			continue
		}
		if _, err := dropLinks.ExecContext(ctx, id); err != nil {
			return 0, fmt.Errorf("reconcile %s: %w", scope, err)
		}
		if _, err := dropLinkRows.ExecContext(ctx, id); err != nil {
			return 0, fmt.Errorf("reconcile %s: %w", scope, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE watermarks SET reconciled_at = ? WHERE scope = ?`, at.UnixMilli(), scope); err != nil {
		return 0, fmt.Errorf("reconcile %s: %w", scope, err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("reconcile %s: %w", scope, err)
	}
	return n, nil
}

// RetireScopes marks removed every present issue whose scope is not in keep
// (a project dropped from the configuration, or a query that changed) and
// forgets those scopes' watermarks, so a project added back syncs whole.
// It returns how many issues were marked.
func (s *Store) RetireScopes(ctx context.Context, keep []string, at time.Time) (int, error) {
	if len(keep) == 0 {
		return 0, nil
	}
	marks := strings.TrimSuffix(strings.Repeat("?,", len(keep)), ",")
	args := []any{at.UnixMilli()}
	for _, k := range keep {
		args = append(args, k)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("retire scopes: %w", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE issues SET removed_at = ? WHERE removed_at IS NULL AND scope NOT IN (`+marks+`)`, args...)
	if err != nil {
		return 0, fmt.Errorf("retire scopes: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM watermarks WHERE scope NOT IN (`+marks+`)`, args[1:]...); err != nil {
		return 0, fmt.Errorf("retire scopes: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("retire scopes: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
