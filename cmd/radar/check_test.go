package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/radarhq/radar/jirasim"
	"github.com/radarhq/radar/slacksim"
	"github.com/radarhq/radar/store/storetest"
)

// TestCheckCommand runs radar check against the Jira simulator and the
// fake Slack: a good configuration passes every check; each mistake fails
// its own check with what to fix, and nothing is synced or posted.
func TestCheckCommand(t *testing.T) {
	sc := jirasim.Generate(jirasim.ScenarioConfig{Seed: 3, Projects: []string{"PAY", "WEB"}, IssuesPerProject: 20, Now: time.Now()})
	_, jira := storetest.ServeJira(t, sc, jirasim.Options{Email: "pm@example.com", Token: "sim-token"})
	slack, slackSrv := storetest.ServeSlack(t, slacksim.Options{Token: "xoxb-good"}, "#delivery")

	type parts struct {
		projects, link, fields, channel, jiraToken, slackToken string
	}
	good := parts{projects: "[PAY, WEB]", link: "Blocks", channel: "#delivery", jiraToken: "sim-token", slackToken: "xoxb-good"}
	check := func(t *testing.T, p parts) (int, string) {
		t.Helper()
		dir := t.TempDir()
		cfg := filepath.Join(dir, "radar.yaml")
		body := fmt.Sprintf(`jira:
  url: %s
  email: pm@example.com
  projects: %s
  dependencies: [{link: %s, outward: blocks}]
%sstore:
  path: radar.db
slack:
  api_url: %s/api/
  routes:
    - {channel: "%s"}
`, jira.URL, p.projects, p.link, p.fields, slackSrv.URL, p.channel)
		if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		getenv := func(k string) string {
			return map[string]string{"RADAR_JIRA_TOKEN": p.jiraToken, "RADAR_SLACK_TOKEN": p.slackToken}[k]
		}
		var out, errOut bytes.Buffer
		code := run(context.Background(), []string{"check", "--config", cfg}, &out, &errOut, getenv)
		if _, err := os.Stat(filepath.Join(dir, "radar.db")); err == nil {
			t.Error("radar check created the database")
		}
		return code, out.String() + errOut.String()
	}

	code, out := check(t, good)
	if code != 0 {
		t.Fatalf("good configuration: exit %d:\n%s", code, out)
	}
	for _, want := range []string{"ok      config", "ok      jira sign-in", "ok      jira project PAY", "ok      jira project WEB",
		"ok      jira link types", "ok      jira fields: found", "ok      slack sign-in", "ok      slack channel #delivery", "all checks passed"} {
		if !strings.Contains(out, want) {
			t.Errorf("good configuration: output lacks %q:\n%s", want, out)
		}
	}
	if n := len(slack.Messages()); n != 0 {
		t.Errorf("radar check posted %d Slack messages", n)
	}

	tests := []struct {
		name string
		edit func(*parts)
		want []string // in the output, after FAILED
	}{
		{"wrong jira token", func(p *parts) { p.jiraToken = "wrong" }, []string{"FAILED  jira sign-in", "401", "check jira.email"}},
		{"unknown project", func(p *parts) { p.projects = "[PAY, NOPE]" }, []string{"FAILED  jira project NOPE", "jira.projects[1]", "Browse Projects"}},
		{"unknown link type", func(p *parts) { p.link = "Blocker" }, []string{"FAILED  jira link types", `no link type "Blocker"`, "Blocks"}},
		{"unknown field", func(p *parts) { p.fields = "  fields: {sprint: customfield_99999}\n" }, []string{"FAILED  jira fields", "jira.fields.sprint: customfield_99999"}},
		{"unknown fields in the documented order", func(p *parts) {
			p.fields = "  fields: {start_date: customfield_99998, story_points: customfield_99997}\n"
		},
			[]string{"jira.fields.story_points: customfield_99997; jira.fields.start_date: customfield_99998"}},
		{"wrong slack token", func(p *parts) { p.slackToken = "xoxb-wrong" }, []string{"FAILED  slack sign-in", "invalid_auth", "slack.token"}},
		{"channel without the app", func(p *parts) { p.channel = "#nobot" }, []string{"FAILED  slack channel #nobot", "/invite"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := good
			tt.edit(&p)
			code, out := check(t, p)
			if code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			for _, want := range tt.want {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
			for _, secret := range []string{"sim-token", "xoxb-good", "xoxb-wrong"} {
				if strings.Contains(out, secret) {
					t.Errorf("output shows the secret %q:\n%s", secret, out)
				}
			}
		})
	}
}
