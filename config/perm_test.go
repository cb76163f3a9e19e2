package config

import (
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// writeMode writes body to name in dir with exactly mode (whatever the
// umask) and returns its path.
func writeMode(t *testing.T, dir, name, body string, mode os.FileMode) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestWarnsAboutSecretsOthersCanRead(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("file modes do not describe access on Windows")
	}
	type file struct {
		name, body string
		mode       os.FileMode
	}
	tests := []struct {
		name  string
		files []file // the first is the config file
		env   map[string]string
		want  []string // per warning: the file's name and what it holds
	}{
		{"private config with an inline token", []file{
			{"radar.yaml", "jira:\n  token: tok-123\n", 0o600},
		}, nil, nil},
		{"world-readable config with an inline token", []file{
			{"radar.yaml", "jira:\n  token: tok-123\n", 0o644},
		}, nil, []string{"radar.yaml holds jira.token itself"}},
		{"group-readable config with a webhook and an http token", []file{
			{"radar.yaml", "slack:\n  webhook_url: https://hooks.slack.com/services/T/B/x\nhttp:\n  token: h-1\n", 0o640},
		}, nil, []string{"radar.yaml holds slack.webhook_url, http.token itself"}},
		{"world-readable config naming the token through ${ENV}", []file{
			{"radar.yaml", "jira:\n  token: ${MY_TOKEN}\nslack:\n  token: $SLACK\n", 0o644},
		}, map[string]string{"MY_TOKEN": "tok-from-env", "SLACK": "xoxb-from-env"}, nil},
		{"world-readable config without secrets", []file{
			{"radar.yaml", "jira:\n  url: https://x.atlassian.net\n", 0o644},
		}, map[string]string{EnvJiraToken: "tok-from-env"}, nil},
		{"private config, world-readable token file", []file{
			{"radar.yaml", "jira:\n  token_file: jira-token\n", 0o600},
			{"jira-token", "tok-123\n", 0o644},
		}, nil, []string{"jira-token holds jira.token and"}},
		{"private config, private token files", []file{
			{"radar.yaml", "jira:\n  token_file: jira-token\nslack:\n  token_file: slack-token\n", 0o600},
			{"jira-token", "tok-123\n", 0o600},
			{"slack-token", "xoxb-1\n", 0o400},
		}, nil, nil},
		{"everything open", []file{
			{"radar.yaml", "jira:\n  token: tok-123\nslack:\n  webhook_url_file: hook\nhttp:\n  token_file: http-token\n", 0o666},
			{"hook", "https://hooks.slack.com/services/T/B/x\n", 0o604},
			{"http-token", "h-1\n", 0o660},
		}, nil, []string{"radar.yaml holds jira.token itself", "hook holds slack.webhook_url and", "http-token holds http.token and"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			var cfgPath string
			for i, f := range tt.files {
				p := writeMode(t, dir, f.name, f.body, f.mode)
				if i == 0 {
					cfgPath = p
				}
			}
			_, warnings, err := LoadWithWarnings(cfgPath, envMap(tt.env))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, w := range warnings {
				got = append(got, w.String())
			}
			if len(got) != len(tt.want) {
				t.Fatalf("warnings = %q, want %d: %q", got, len(tt.want), tt.want)
			}
			for i, w := range warnings {
				path := filepath.Join(dir, strings.Fields(tt.want[i])[0])
				if w.Path != path {
					t.Errorf("warning %d path = %q, want %q", i, w.Path, path)
				}
				if !strings.HasPrefix(w.Message, filepath.Join(dir, tt.want[i])) {
					t.Errorf("warning %d = %q, want it to start %q", i, w.Message, filepath.Join(dir, tt.want[i]))
				}
				if fix := "chmod 600 " + path; !strings.HasSuffix(w.Message, fix) {
					t.Errorf("warning %d = %q, want it to end with the fix %q", i, w.Message, fix)
				}
				if w.Mode&0o077 == 0 {
					t.Errorf("warning %d mode = %v, want one open to others", i, w.Mode)
				}
			}
		})
	}
}

func TestLoadKeepsWorkingWithOpenFiles(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("file modes do not describe access on Windows")
	}
	dir := t.TempDir()
	writeMode(t, dir, "token", "tok-123\n", 0o644)
	path := writeMode(t, dir, "radar.yaml", "jira:\n  token_file: token\nhttp:\n  token: h-1\n", 0o644)
	cfg, err := Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := []string{cfg.Jira.Token.Value(), cfg.HTTP.Token.Value()}
	if want := []string{"tok-123", "h-1"}; !slices.Equal(got, want) {
		t.Errorf("secrets = %q, want %q: a warning must not stop the load", got, want)
	}
	_, warnings, err := LoadWithWarnings(path, nil)
	if err != nil || len(warnings) != 2 {
		t.Fatalf("LoadWithWarnings = %v, %v; want two warnings", warnings, err)
	}
	for _, w := range warnings {
		for _, secret := range []string{"tok-123", "h-1"} {
			if strings.Contains(w.Message, secret) {
				t.Errorf("warning %q contains the secret", w.Message)
			}
		}
	}
}
