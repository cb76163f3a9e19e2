package store

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// Ignore names what a Dump leaves out: per table, the columns to mask, or
// "*" for the whole table. A masked column still shows whether it is NULL,
// so "removed at some time" and "not removed" differ.
type Ignore map[string][]string

// SyncVolatile is what differs between two syncs of the same Jira data made
// at different moments or with a different number of attempts: run
// bookkeeping, wall-clock stamps and watermarks. Everything else a sync
// writes must be equal.
func SyncVolatile() Ignore {
	return Ignore{
		"schema_migrations": {"applied_at"},
		"sync_runs":         {"*"},
		"watermarks":        {"synced_until", "reconciled_at"},
		// removed_at is the clock of the sync whose reconciliation noticed
		// the issue gone: a deletion made during a sync is noticed by that
		// sync or by the next, both right. Whether it is removed still
		// compares (NULL or set).
		"issues":        {"synced_at", "removed_at"},
		"version_dates": {"observed_at"},
	}
}

// Dump writes every table of the database as canonical text: one line per
// row, "table col=value ...", with the columns in schema order and the rows
// of each table sorted, tables by name. Two databases holding the same data
// dump to the same text whatever order it was written in.
func (s *Store) Dump(ctx context.Context, w io.Writer, ignore Ignore) error {
	rows, err := s.db.QueryContext(ctx, `SELECT name FROM sqlite_master
		WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		return fmt.Errorf("dump: list tables: %w", err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return fmt.Errorf("dump: list tables: %w", err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("dump: list tables: %w", err)
	}
	for _, table := range tables {
		if slices.Contains(ignore[table], "*") {
			continue
		}
		lines, err := s.dumpTable(ctx, table, ignore[table])
		if err != nil {
			return fmt.Errorf("dump %s: %w", table, err)
		}
		for _, l := range lines {
			if _, err := io.WriteString(w, l+"\n"); err != nil {
				return fmt.Errorf("dump: %w", err)
			}
		}
	}
	return nil
}

// DumpTable writes one table's lines of Dump, nothing masked: what a test
// reads of one table without dumping every other.
func (s *Store) DumpTable(ctx context.Context, w io.Writer, table string) error {
	lines, err := s.dumpTable(ctx, table, nil)
	if err != nil {
		return fmt.Errorf("dump %s: %w", table, err)
	}
	for _, l := range lines {
		if _, err := io.WriteString(w, l+"\n"); err != nil {
			return fmt.Errorf("dump: %w", err)
		}
	}
	return nil
}

func (s *Store) dumpTable(ctx context.Context, table string, masked []string) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT * FROM "`+strings.ReplaceAll(table, `"`, `""`)+`"`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var lines []string
	var b strings.Builder
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		b.Reset()
		b.WriteString(table)
		for i, c := range cols {
			b.WriteByte(' ')
			b.WriteString(c)
			b.WriteByte('=')
			if slices.Contains(masked, c) && vals[i] != nil {
				b.WriteByte('*') // set, to a value that may differ; NULL stays NULL
				continue
			}
			b.WriteString(dumpValue(vals[i]))
		}
		lines = append(lines, b.String())
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.Sort(lines)
	return lines, nil
}

func dumpValue(v any) string {
	switch v := v.(type) {
	case nil:
		return "NULL"
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	case []byte:
		return strconv.Quote(string(v))
	case string:
		return strconv.Quote(v)
	default:
		return strconv.Quote(fmt.Sprint(v))
	}
}

// IntegrityCheck runs SQLite's integrity_check and foreign_key_check and
// returns an error naming what they found, nil when the database is sound.
func (s *Store) IntegrityCheck(ctx context.Context) error {
	rows, err := s.db.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			rows.Close()
			return fmt.Errorf("integrity check: %w", err)
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	fk, err := s.db.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		return fmt.Errorf("foreign key check: %w", err)
	}
	for fk.Next() {
		var table, parent string
		var rowid, fkid any
		if err := fk.Scan(&table, &rowid, &parent, &fkid); err != nil {
			fk.Close()
			return fmt.Errorf("foreign key check: %w", err)
		}
		problems = append(problems, fmt.Sprintf("row %v of %s points at a missing %s", rowid, table, parent))
	}
	fk.Close()
	if len(problems) > 0 {
		return fmt.Errorf("database %s is damaged: %s; restore it from a backup (radar backup) or delete it and run a full sync",
			s.path, strings.Join(problems, "; "))
	}
	return nil
}
