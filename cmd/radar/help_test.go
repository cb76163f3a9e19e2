package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestHelpAndVersion: radar --version, radar help CMD and radar CMD --help
// answer on stdout with exit 0; a bad flag still fails with 2 on stderr.
func TestHelpAndVersion(t *testing.T) {
	tests := []struct {
		args       []string
		code       int
		stdout     string // wanted in stdout
		stderrOnly string // wanted in stderr, with stdout empty
	}{
		{[]string{"--version"}, 0, "radar ", ""},
		{[]string{"-v"}, 0, "radar ", ""},
		{[]string{"version"}, 0, "radar ", ""},
		{[]string{"help"}, 0, "commands:", ""},
		{[]string{"help", "sync"}, 0, "-full", ""},
		{[]string{"sync", "--help"}, 0, "-full", ""},
		{[]string{"sync", "-h"}, 0, "sync Jira into the database once", ""},
		{[]string{"analyze", "--help"}, 0, "-min-severity", ""},
		{[]string{"ack", "--help"}, 0, "usage: radar ack FINDING-ID", ""},
		{[]string{"help", "nosuch"}, 2, "", "unknown command"},
		{[]string{"sync", "--bogus"}, 2, "", "-bogus"},
		{[]string{"sync", "extra"}, 2, "", `unexpected argument "extra"`},
		{[]string{"ack", "blocker:PAY-1", "extra"}, 2, "", `unexpected argument "extra"`},
		{[]string{"ack", "--note", "x", "blocker:PAY-1", "extra"}, 2, "", `unexpected argument "extra"`},
		{[]string{"ack", "--bogus", "blocker:PAY-1"}, 2, "", "-bogus"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(context.Background(), tt.args, &out, &errOut, func(string) string { return "" })
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr %s", code, tt.code, errOut.String())
			}
			if tt.stdout != "" && !strings.Contains(out.String(), tt.stdout) {
				t.Errorf("stdout %q lacks %q", out.String(), tt.stdout)
			}
			if tt.stderrOnly != "" && (out.Len() != 0 || !strings.Contains(errOut.String(), tt.stderrOnly)) {
				t.Errorf("stdout %q stderr %q; want only stderr, with %q", out.String(), errOut.String(), tt.stderrOnly)
			}
		})
	}
}

// TestCompletion runs the bash completion script in bash against this
// binary: commands, a command's flags (read from its --help) and the
// shells of radar completion complete.
func TestCompletion(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash not on PATH")
	}
	dir := t.TempDir()
	wrapper := "#!/bin/sh\nRADAR_TEST_MAIN=1 exec " + os.Args[0] + " \"$@\"\n"
	if err := os.WriteFile(filepath.Join(dir, "radar"), []byte(wrapper), 0o755); err != nil {
		t.Fatal(err)
	}
	script := runCmd(t, nil, "completion", "bash")
	if err := os.WriteFile(filepath.Join(dir, "radar.bash"), []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		words string // the command line so far, the last word being completed
		want  string
	}{
		{"radar sy", "sync"},
		{"radar ana", "analyze"},
		{"radar sync --f", "--full"},
		{"radar analyze --min", "--min-severity"},
		{"radar help backu", "backup"},
		{"radar completion z", "zsh"},
	}
	for _, tt := range tests {
		t.Run(tt.words, func(t *testing.T) {
			words := strings.Fields(tt.words)
			cmd := exec.Command(bash, "-c", `source radar.bash; COMP_WORDS=(`+strings.Join(words, " ")+`); COMP_CWORD=`+
				strings.Repeat("1+", len(words)-2)+`1; COMP_CWORD=$((COMP_CWORD)); _radar; echo "${COMPREPLY[@]}"`)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "PATH="+dir+":"+os.Getenv("PATH"))
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			if got := strings.Fields(string(out)); len(got) != 1 || got[0] != tt.want {
				t.Errorf("completes to %q, want %q", out, tt.want)
			}
		})
	}
	if zsh, err := exec.LookPath("zsh"); err == nil {
		// compadd works only inside a completion widget, so zsh is asked
		// that the script loads under compinit and registers _radar, and
		// that _radar's flag pipeline finds a command's flags.
		if err := os.WriteFile(filepath.Join(dir, "radar.zsh"), []byte(runCmd(t, nil, "completion", "zsh")), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(zsh, "-f", "-c", `autoload -Uz compinit && compinit -u -D && source radar.zsh && print -r -- $_comps[radar] && `+
			`radar sync --help | `+flagsOf)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "PATH="+dir+":"+os.Getenv("PATH"), "HOME="+dir)
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "_radar") || !strings.Contains(string(out), "--full") {
			t.Errorf("zsh: %v:\n%s", err, out)
		}
	} else {
		t.Log("zsh not on PATH: the zsh script is only checked for its function")
	}
	for _, shell := range []string{"zsh", "bash"} {
		if !strings.Contains(runCmd(t, nil, "completion", shell), "_radar") {
			t.Errorf("radar completion %s prints no _radar function", shell)
		}
	}
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"completion", "fish"}, &out, &errOut, func(string) string { return "" }); code != 2 {
		t.Errorf("radar completion fish: exit %d, want 2", code)
	}
}

// TestServeLogsVersionAndConfig: serve's first log line names its version
// and the effective configuration, with no secret in it.
func TestServeLogsVersionAndConfig(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "radar.yaml")
	body := "jira:\n  url: https://jira.example.com\n  email: pm@example.com\n  projects: [PAY]\nstore:\n  path: radar.db\nhttp:\n  listen: 256.0.0.1:0\n"
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	getenv := func(k string) string {
		return map[string]string{"RADAR_JIRA_TOKEN": "SECRET-jira", "RADAR_HTTP_TOKEN": "SECRET-http"}[k]
	}
	if code := run(context.Background(), []string{"serve", "--config", cfg}, &out, &errOut, getenv); code != 1 {
		t.Fatalf("serve on an address it cannot listen on: exit %d, want 1:\n%s", code, errOut.String())
	}
	logs := errOut.String()
	for _, want := range []string{"radar starting", "version=", "config.jira.url=https://jira.example.com", "config.store=" + filepath.Join(dir, "radar.db"), "config.http.token=true", "config.analysis.trials=2000", "config.jira.overlap=5m0s"} {
		if !strings.Contains(logs, want) {
			t.Errorf("serve logs lack %q:\n%s", want, logs)
		}
	}
	if strings.Contains(logs, "SECRET") {
		t.Errorf("serve logs show a secret:\n%s", logs)
	}
}
