package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/radarhq/radar/jirasim"
	"github.com/radarhq/radar/store/storetest"
)

func writeConfig(t *testing.T, url, extra string) (path, db string) {
	t.Helper()
	dir := t.TempDir()
	db = filepath.Join(dir, "radar.db")
	path = filepath.Join(dir, "radar.yaml")
	body := fmt.Sprintf("jira:\n  url: %s\n  email: pm@example.com\n  projects: [PAY]\n%sstore:\n  path: %s\n", url, extra, db)
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, db
}

func TestSyncCommand(t *testing.T) {
	sc := jirasim.Generate(jirasim.ScenarioConfig{Seed: 1, Projects: []string{"PAY"}, IssuesPerProject: 40, Now: time.Now()})
	_, srv := storetest.ServeJira(t, sc, jirasim.Options{Email: "pm@example.com", Token: "good-token"})
	cfg, _ := writeConfig(t, srv.URL, "")
	env := func(token string) func(string) string {
		return func(k string) string {
			if k == "RADAR_JIRA_TOKEN" {
				return token
			}
			return ""
		}
	}
	summary := regexp.MustCompile(`^synced \(cloud, full\): (\d+) issues, \d+ links, \d+ changelog items, 0 removed, \d+ requests, 0 retries in \S+\n$`)

	tests := []struct {
		name     string
		args     []string
		token    string
		code     int
		stdout   *regexp.Regexp
		stderr   []string
		noStderr []string
	}{
		{name: "first sync", args: []string{"sync", "--config", cfg}, token: "good-token", code: 0, stdout: summary},
		{name: "wrong token", args: []string{"sync", "--config", cfg}, token: "bad-token", code: 1,
			stderr: []string{"radar sync:", "401", "jira.email", "jira.token"}, noStderr: []string{"bad-token"}},
		{name: "no token", args: []string{"sync", "--config", cfg}, token: "", code: 1, stderr: []string{"jira.token"}},
		{name: "bad flag", args: []string{"sync", "--nope"}, code: 2, stderr: []string{"flag provided but not defined"}},
		{name: "missing config", args: []string{"sync", "--config", filepath.Join(t.TempDir(), "none.yaml")}, code: 1, stderr: []string{"none.yaml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(context.Background(), tt.args, &out, &errOut, env(tt.token))
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tt.code, errOut.String())
			}
			if tt.stdout != nil && !tt.stdout.MatchString(out.String()) {
				t.Errorf("stdout %q does not match %s", out.String(), tt.stdout)
			}
			for _, w := range tt.stderr {
				if !strings.Contains(errOut.String(), w) {
					t.Errorf("stderr %q lacks %q", errOut.String(), w)
				}
			}
			for _, w := range tt.noStderr {
				if strings.Contains(errOut.String(), w) {
					t.Errorf("stderr leaks %q: %s", w, errOut.String())
				}
			}
		})
	}
}

func TestVersionCommand(t *testing.T) {
	out := runCmd(t, nil, "version")
	if !strings.HasPrefix(out, "radar ") {
		t.Errorf("version printed %q", out)
	}
}

func TestCommandsSayWhatIsWrong(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "typo.yaml")
	os.WriteFile(missing, []byte("store:\n  path: "+filepath.Join(dir, "nope.db")+"\n"), 0o600)
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"help", []string{"help"}, 0, "usage: radar", ""},
		{"no args", nil, 2, "", "usage: radar"},
		{"analyze without a database", []string{"analyze", "--config", missing}, 1, "", "no database at"},
		{"graph without a database", []string{"graph", "--config", missing}, 1, "", "run radar sync first"},
		{"sync without --config", []string{"sync"}, 1, "", "no --config given"},
		{"config problems listed", []string{"sync"}, 1, "", "problem(s):\n  "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(context.Background(), tt.args, &out, &errOut, func(string) string { return "" })
			if code != tt.code || !strings.Contains(out.String(), tt.stdout) || !strings.Contains(errOut.String(), tt.stderr) {
				t.Errorf("exit %d (want %d)\nstdout %q (want %q)\nstderr %q (want %q)", code, tt.code, out.String(), tt.stdout, errOut.String(), tt.stderr)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "nope.db")); err == nil {
		t.Errorf("a read-only command created the database file")
	}
}
