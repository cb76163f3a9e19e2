package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/radarhq/radar/jirasim"
	"github.com/radarhq/radar/store"
	"github.com/radarhq/radar/store/storetest"
)

// TestBackupCommand backs up a synced database, refuses to overwrite the
// copy without --force, and restores it: radar analyze on the copy reports
// what it reports on the original.
func TestBackupCommand(t *testing.T) {
	sc := jirasim.Generate(jirasim.ScenarioConfig{Seed: 3, Projects: []string{"PAY"}, IssuesPerProject: 60, Now: time.Now()})
	_, srv := storetest.ServeJira(t, sc, jirasim.Options{Email: "pm@example.com", Token: "sim-token"})
	cfg, db := writeConfig(t, srv.URL, "")
	runCmd(t, simTokenEnv, "sync", "--config", cfg)

	to := filepath.Join(t.TempDir(), "radar-backup.db")
	out := runCmd(t, nil, "backup", "--config", cfg, "--to", to)
	if !regexp.MustCompile(`^backed up .*radar\.db to .*radar-backup\.db \(\d+(\.\d)? [KM]iB, schema 0\d{3}_\w+, verified\)\n$`).MatchString(out) {
		t.Errorf("backup printed %q", out)
	}

	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"existing destination", []string{"backup", "--config", cfg, "--to", to}, 1, "already exists; choose a new name, or pass --force"},
		{"no destination", []string{"backup", "--config", cfg}, 2, "--to FILE is required"},
		{"no database", []string{"backup", "--to", filepath.Join(t.TempDir(), "x.db"), "--config", writeStoreOnly(t, filepath.Join(t.TempDir(), "none.db"))}, 1, "no database at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if code := run(context.Background(), tt.args, &out, &errOut, nil); code != tt.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tt.code, errOut.String())
			}
			if !strings.Contains(errOut.String(), tt.stderr) {
				t.Errorf("stderr %q lacks %q", errOut.String(), tt.stderr)
			}
		})
	}
	if out := runCmd(t, nil, "backup", "--config", cfg, "--to", to, "--force"); !strings.HasPrefix(out, "backed up") {
		t.Errorf("backup --force printed %q", out)
	}

	// Restore: point store.path at the copy.
	restored := writeStoreOnly(t, to)
	now := "2026-03-02T09:00:00Z"
	want := runCmd(t, nil, "analyze", "--config", cfg, "--format", "json", "--now", now)
	got := runCmd(t, nil, "analyze", "--config", restored, "--format", "json", "--now", now)
	if got != want {
		t.Errorf("analyze on the restored backup differs from the original's:\ngot  %.400s\nwant %.400s", got, want)
	}
	if !strings.Contains(want, `"findings"`) || len(want) < 200 {
		t.Errorf("analyze printed too little to compare: %q", want)
	}
	if _, err := os.Stat(db); err != nil {
		t.Errorf("original database: %v", err)
	}
}

// writeStoreOnly writes a configuration that names only store.path.
func writeStoreOnly(t *testing.T, db string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "radar.yaml")
	if err := os.WriteFile(path, []byte("store:\n  path: "+db+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// buildDatabase writes an SQLite database at p by running each statement
// list in order, outside Radar's store.
func buildDatabase(t *testing.T, p string, scripts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+p+"?_journal_mode=WAL")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range scripts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("build %s: %v", p, err)
		}
	}
}

// TestBackupCommandKeepsSchema: radar backup copies the database as it is.
// A new binary backing up an older database "before upgrading" leaves it
// (and its copy) at the old schema, so an older radar serve still running
// goes on; an old binary backs up a database a newer Radar migrated; a
// database that is not Radar's is refused, untouched.
func TestBackupCommandKeepsSchema(t *testing.T) {
	migrations, err := filepath.Glob(filepath.Join("..", "..", "store", "migrations", "*.sql"))
	if err != nil || len(migrations) < 4 {
		t.Fatalf("store migrations: %v, %v", migrations, err)
	}
	slices.Sort(migrations)
	const ledger = `CREATE TABLE schema_migrations (version TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)`
	var upTo3 []string
	var versions3 []string
	for _, m := range migrations[:3] {
		b, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		v := strings.TrimSuffix(filepath.Base(m), ".sql")
		versions3 = append(versions3, v)
		upTo3 = append(upTo3, string(b), fmt.Sprintf(`INSERT INTO schema_migrations VALUES ('%s', 1)`, v))
	}

	tests := []struct {
		name    string
		build   func(t *testing.T, p string)
		want    []string // versions in the source afterwards, and in the copy
		printed string
	}{
		{"older database, at 0003", func(t *testing.T, p string) {
			buildDatabase(t, p, append([]string{ledger}, upTo3...)...)
		}, versions3, "schema " + versions3[2] + ","},
		{"newer database, with an unknown migration", func(t *testing.T, p string) {
			st, err := store.Open(context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			st.Close()
			buildDatabase(t, p, `CREATE TABLE future (id INTEGER PRIMARY KEY)`,
				`INSERT INTO schema_migrations VALUES ('9999_future', 1)`)
		}, nil, "schema 9999_future,"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			db := filepath.Join(dir, "radar.db")
			tt.build(t, db)
			want := tt.want
			if want == nil {
				want = storetest.Migrations(t, db)
			}
			cfg := writeStoreOnly(t, db)
			to := filepath.Join(dir, "copy.db")
			out := runCmd(t, nil, "backup", "--config", cfg, "--to", to)
			if !strings.Contains(out, tt.printed) {
				t.Errorf("backup printed %q, want it to say %q", out, tt.printed)
			}
			if got := storetest.Migrations(t, db); !slices.Equal(got, want) {
				t.Errorf("after radar backup the database records %q, want %q (backup must not migrate)", got, want)
			}
			if got := storetest.Migrations(t, to); !slices.Equal(got, want) {
				t.Errorf("the copy records %q, want %q", got, want)
			}
		})
	}

	t.Run("not a Radar database", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "notes.db")
		buildDatabase(t, db, `CREATE TABLE notes (body TEXT)`)
		to := filepath.Join(t.TempDir(), "copy.db")
		var out, errOut bytes.Buffer
		if code := run(context.Background(), []string{"backup", "--config", writeStoreOnly(t, db), "--to", to}, &out, &errOut, nil); code != 1 {
			t.Fatalf("exit %d, want 1; stderr: %s", code, errOut.String())
		}
		if !strings.Contains(errOut.String(), "not a Radar database") {
			t.Errorf("stderr %q does not say it is not a Radar database", errOut.String())
		}
		if got := storetest.Migrations(t, db); got != nil {
			t.Errorf("the refused database now records migrations %q", got)
		}
		if _, err := os.Stat(to); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("a refused backup wrote %s: %v", to, err)
		}
	})

	t.Run("missing database", func(t *testing.T) {
		dir := t.TempDir()
		var out, errOut bytes.Buffer
		code := run(context.Background(), []string{"backup", "--config", writeStoreOnly(t, filepath.Join(dir, "none.db")), "--to", filepath.Join(dir, "copy.db")}, &out, &errOut, nil)
		if code != 1 || !strings.Contains(errOut.String(), "no database at") {
			t.Errorf("exit %d, stderr %q; want 1 and no database at", code, errOut.String())
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("backup of a missing database left %v", entries)
		}
	})
}
