package storetest

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/radarhq/radar/store"
)

// Dump returns the store's canonical dump (store.Dump) with ignore masked,
// without its final newline.
func Dump(tb testing.TB, st *store.Store, ignore store.Ignore) string {
	tb.Helper()
	var b strings.Builder
	if err := st.Dump(context.Background(), &b, ignore); err != nil {
		tb.Fatalf("dump: %v", err)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// DumpFile opens the database at path, reports (as a test error) what its
// integrity check finds, and returns its canonical dump with ignore masked.
func DumpFile(tb testing.TB, path string, ignore store.Ignore) string {
	tb.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, path)
	if err != nil {
		tb.Fatalf("open %s: %v", path, err)
	}
	defer st.Close()
	if err := st.IntegrityCheck(ctx); err != nil {
		tb.Errorf("integrity of %s: %v", path, err)
	}
	return Dump(tb, st, ignore)
}

// Row is one row of a table as the canonical dump shows it: column to
// value, strings unquoted, NULL columns absent.
type Row map[string]string

// Rows reads every row of table through the store's canonical dump of
// that table, so tests check what a store holds without SQL of their own.
func Rows(tb testing.TB, st *store.Store, table string) []Row {
	tb.Helper()
	var b strings.Builder
	if err := st.DumpTable(context.Background(), &b, table); err != nil {
		tb.Fatalf("dump %s: %v", table, err)
	}
	var rows []Row
	prefix := table + " "
	for _, line := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
		if !strings.HasPrefix(line, prefix) {
			continue
		}
		r, err := parseRow(line[len(prefix):])
		if err != nil {
			tb.Fatalf("dump of %s: %v in %q", table, err, line)
		}
		rows = append(rows, r)
	}
	return rows
}

// Count is how many rows of table keep says yes to (all of them when keep
// is nil).
func Count(tb testing.TB, st *store.Store, table string, keep func(Row) bool) int {
	tb.Helper()
	n := 0
	for _, r := range Rows(tb, st, table) {
		if keep == nil || keep(r) {
			n++
		}
	}
	return n
}

// parseRow reads `col=value col=value ...` as store.Dump writes it: values
// are NULL, numbers, booleans or Go-quoted strings.
func parseRow(s string) (Row, error) {
	r := Row{}
	for s != "" {
		col, rest, ok := strings.Cut(s, "=")
		if !ok {
			return nil, strconv.ErrSyntax
		}
		var val string
		if strings.HasPrefix(rest, `"`) {
			q, err := strconv.QuotedPrefix(rest)
			if err != nil {
				return nil, err
			}
			if val, err = strconv.Unquote(q); err != nil {
				return nil, err
			}
			rest = rest[len(q):]
		} else {
			val, rest, _ = strings.Cut(rest, " ")
			rest = " " + rest
			if val == "NULL" {
				s = strings.TrimPrefix(rest, " ")
				continue
			}
		}
		r[col] = val
		s = strings.TrimPrefix(rest, " ")
	}
	return r, nil
}
