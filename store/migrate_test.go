package store_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/radarhq/radar/store"
	"github.com/radarhq/radar/store/storetest"
)

// migrationNames lists the embedded migrations in the order Open applies them.
func migrationNames(t *testing.T) []string {
	t.Helper()
	names, err := fs.Glob(store.EmbeddedMigrations(), "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	if len(names) == 0 {
		t.Fatal("no embedded migrations")
	}
	return names
}

// firstMigrations is a migrations directory holding the first k embedded
// migrations, plus extra files.
func firstMigrations(t *testing.T, k int, extra map[string]string) fstest.MapFS {
	t.Helper()
	fsys := fstest.MapFS{}
	for _, name := range migrationNames(t)[:k] {
		b, err := fs.ReadFile(store.EmbeddedMigrations(), name)
		if err != nil {
			t.Fatal(err)
		}
		fsys[name] = &fstest.MapFile{Data: b}
	}
	for name, body := range extra {
		fsys[name] = &fstest.MapFile{Data: []byte(body)}
	}
	return fsys
}

var spaces = regexp.MustCompile(`\s+`)

// schemaOf is the database's schema as "type name: sql" lines, whitespace
// and SQL comments normalised, sorted.
func schemaOf(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query(`SELECT type, name, coalesce(sql, '') FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var typ, name, text string
		if err := rows.Scan(&typ, &name, &text); err != nil {
			t.Fatal(err)
		}
		var kept []string
		for _, l := range strings.Split(text, "\n") {
			if i := strings.Index(l, "--"); i >= 0 {
				l = l[:i]
			}
			kept = append(kept, l)
		}
		norm := strings.TrimSpace(spaces.ReplaceAllString(strings.Join(kept, " "), " "))
		norm = strings.ReplaceAll(strings.ReplaceAll(norm, "( ", "("), " )", ")")
		out = append(out, typ+" "+name+": "+norm)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// userTables lists the tables holding Radar's data (not SQLite's, not
// schema_migrations).
func userTables(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table'
		AND name NOT LIKE 'sqlite_%' AND name != 'schema_migrations' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		names = append(names, n)
	}
	return names
}

type column struct{ name, typ string }

func columnsOf(t *testing.T, db *sql.DB, table string) []column {
	t.Helper()
	rows, err := db.Query(`SELECT name, type FROM pragma_table_info(?) ORDER BY cid`, table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var cols []column
	for rows.Next() {
		var c column
		rows.Scan(&c.name, &c.typ)
		cols = append(cols, c)
	}
	return cols
}

// sampleValue is the value row i holds in a column named col of type typ. It
// depends only on the column's name, so a foreign key given the name of the
// column it references points at an existing row.
func sampleValue(col, typ string, i int) any {
	switch typ = strings.ToUpper(typ); {
	case strings.Contains(typ, "INT"):
		return int64(1_700_000_000_000 + i)
	case strings.Contains(typ, "REAL"), strings.Contains(typ, "FLOA"), strings.Contains(typ, "DOUB"):
		return float64(i) + 0.5
	default:
		return fmt.Sprintf("%s-%d ✓ <&>", col, i)
	}
}

// fillTables writes two rows into every data table, every column set, with
// foreign keys pointing at the rows written into the tables they name.
func fillTables(t *testing.T, db *sql.DB) {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil { // tables are filled in name order
		t.Fatal(err)
	}
	defer conn.ExecContext(ctx, `PRAGMA foreign_keys = ON`)
	for _, table := range userTables(t, db) {
		cols := columnsOf(t, db, table)
		refs := map[string]string{} // column → the column it references
		fk, err := db.Query(`SELECT "from", "to" FROM pragma_foreign_key_list(?)`, table)
		if err != nil {
			t.Fatal(err)
		}
		for fk.Next() {
			var from, to string
			fk.Scan(&from, &to)
			refs[from] = to
		}
		fk.Close()
		names := make([]string, len(cols))
		marks := make([]string, len(cols))
		for j, c := range cols {
			names[j], marks[j] = `"`+c.name+`"`, "?"
		}
		q := fmt.Sprintf(`INSERT INTO "%s" (%s) VALUES (%s)`, table, strings.Join(names, ", "), strings.Join(marks, ", "))
		for i := 1; i <= 2; i++ {
			args := make([]any, len(cols))
			for j, c := range cols {
				name := c.name
				if to, ok := refs[c.name]; ok {
					name = to
				}
				args[j] = sampleValue(name, c.typ, i)
			}
			if _, err := conn.ExecContext(ctx, q, args...); err != nil {
				t.Fatalf("fill %s: %v", table, err)
			}
		}
	}
}

// rowsOf reads the given columns of every row of table as sorted lines.
func rowsOf(t *testing.T, db *sql.DB, table string, cols []column) []string {
	t.Helper()
	names := make([]string, len(cols))
	for j, c := range cols {
		names[j] = `"` + c.name + `"`
	}
	rows, err := db.Query(fmt.Sprintf(`SELECT %s FROM "%s"`, strings.Join(names, ", "), table))
	if err != nil {
		t.Fatalf("read %s: %v", table, err)
	}
	defer rows.Close()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for j := range vals {
		ptrs[j] = &vals[j]
	}
	var out []string
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for j, v := range vals {
			if b2, ok := v.([]byte); ok {
				v = string(b2)
			}
			fmt.Fprintf(&b, "%s=%#v ", cols[j].name, v)
		}
		out = append(out, b.String())
	}
	slices.Sort(out)
	return out
}

func TestMigrateFromEveryEarlierVersion(t *testing.T) {
	ctx := context.Background()
	names := migrationNames(t)
	fresh := storetest.Open(t)
	want := schemaOf(t, fresh.DB())
	latest := strings.TrimSuffix(names[len(names)-1], ".sql")

	for k := 0; k < len(names); k++ {
		from := "empty"
		if k > 0 {
			from = strings.TrimSuffix(names[k-1], ".sql")
		}
		t.Run("from "+from, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "radar.db")
			old, err := store.Open(ctx, path, store.WithMigrations(firstMigrations(t, k, nil)))
			if err != nil {
				t.Fatalf("build a database at %s: %v", from, err)
			}
			if got, _ := old.SchemaVersion(ctx); got != strings.TrimSuffix(from, "empty") {
				t.Fatalf("built database is at %q, want %q", got, from)
			}
			fillTables(t, old.DB())
			before := map[string][]string{}
			oldCols := map[string][]column{}
			for _, table := range userTables(t, old.DB()) {
				oldCols[table] = columnsOf(t, old.DB(), table)
				before[table] = rowsOf(t, old.DB(), table, oldCols[table])
				if len(before[table]) == 0 {
					t.Fatalf("fixture wrote no rows into %s", table)
				}
			}
			old.Close()

			s, err := store.Open(ctx, path)
			if err != nil {
				t.Fatalf("open a database at %s with the current code: %v", from, err)
			}
			defer s.Close()
			if got, err := s.SchemaVersion(ctx); err != nil || got != latest {
				t.Errorf("schema version after open = %q (%v), want %q", got, err, latest)
			}
			var applied int
			s.DB().QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&applied)
			if applied != len(names) {
				t.Errorf("schema_migrations holds %d versions, want %d", applied, len(names))
			}
			for table, rows := range before {
				if got := rowsOf(t, s.DB(), table, oldCols[table]); !slices.Equal(got, rows) {
					t.Errorf("rows of %s changed by the migration:\ngot  %q\nwant %q", table, got, rows)
				}
			}
			if got := schemaOf(t, s.DB()); !slices.Equal(got, want) {
				t.Errorf("schema after migrating from %s differs from a fresh database's:\ngot  %q\nwant %q", from, got, want)
			}
			if err := s.IntegrityCheck(ctx); err != nil {
				t.Error(err)
			}
		})
	}
}

func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "radar.db")
	// A newer Radar migrated this database one step further.
	future := firstMigrations(t, len(migrationNames(t)), map[string]string{
		"9999_future.sql": "CREATE TABLE future_things (id TEXT PRIMARY KEY);",
	})
	s, err := store.Open(ctx, path, store.WithMigrations(future))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().Exec(`INSERT INTO future_things VALUES ('x')`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	sum := fileSum(t, path)

	_, err = store.Open(ctx, path)
	if !errors.Is(err, store.ErrSchemaTooNew) {
		t.Fatalf("open a newer database: %v; want ErrSchemaTooNew", err)
	}
	for _, want := range []string{"9999_future", "upgrade radar", "restore a backup", path} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if got := fileSum(t, path); got != sum {
		t.Error("refusing the newer database changed its file")
	}
	// The newer Radar still opens it as it left it.
	s, err = store.Open(ctx, path, store.WithMigrations(future))
	if err != nil {
		t.Fatalf("the newer radar cannot open its database after the refusal: %v", err)
	}
	defer s.Close()
	if got, _ := s.SchemaVersion(ctx); got != "9999_future" {
		t.Errorf("schema version = %q, want 9999_future", got)
	}
}

func TestFailedMigrationLeavesPreviousVersion(t *testing.T) {
	ctx := context.Background()
	names := migrationNames(t)
	latest := strings.TrimSuffix(names[len(names)-1], ".sql")
	path := filepath.Join(t.TempDir(), "radar.db")
	s, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	fillTables(t, s.DB())
	s.Close()

	// The broken migration gets half way: a table made, rows moved, then a
	// statement fails.
	broken := firstMigrations(t, len(names), map[string]string{
		"9000_broken.sql": `CREATE TABLE half_done (a INTEGER);
INSERT INTO half_done SELECT 1 FROM issues;
DELETE FROM issues;
INSERT INTO no_such_table VALUES (1);`,
	})
	_, err = store.Open(ctx, path, store.WithMigrations(broken))
	if err == nil || !strings.Contains(err.Error(), "migration 9000_broken") || !strings.Contains(err.Error(), "no_such_table") {
		t.Fatalf("open with a failing migration: %v; want an error naming it", err)
	}

	s, err = store.Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen after the failed migration: %v", err)
	}
	defer s.Close()
	if got, _ := s.SchemaVersion(ctx); got != latest {
		t.Errorf("schema version after the failed migration = %q, want %q", got, latest)
	}
	var n int
	if err := s.DB().QueryRow(`SELECT count(*) FROM sqlite_master WHERE name = 'half_done'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("the failed migration's table exists (%d, %v)", n, err)
	}
	if err := s.DB().QueryRow(`SELECT count(*) FROM issues`).Scan(&n); err != nil || n != 2 {
		t.Errorf("issues after the failed migration = %d (%v), want the 2 rows from before", n, err)
	}
}
