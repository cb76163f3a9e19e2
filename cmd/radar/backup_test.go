package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/radarhq/radar/jirasim"
)

// TestBackupCommand backs up a synced database, refuses to overwrite the
// copy without --force, and restores it: radar analyze on the copy reports
// what it reports on the original.
func TestBackupCommand(t *testing.T) {
	sc := jirasim.Generate(jirasim.ScenarioConfig{Seed: 3, Projects: []string{"PAY"}, IssuesPerProject: 60, Now: time.Now()})
	srv := httptest.NewServer(jirasim.New(sc, jirasim.Options{Email: "pm@example.com", Token: "sim-token"}))
	defer srv.Close()
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
