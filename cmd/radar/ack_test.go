package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/jirasim"
	"github.com/radarhq/radar/slacksim"
	"github.com/radarhq/radar/store/storetest"
)

// syncedDemo syncs the demo scenario from a simulator into a new database
// and returns the configuration's path and the scenario.
// syncedDemo is a config file whose database holds a full sync of the
// demo site as of now.
func syncedDemo(t *testing.T) (string, *jirasim.Scenario) {
	t.Helper()
	return syncedDemoAt(t, time.Now().UTC())
}

// syncedDemoAt is syncedDemo for the demo site generated as of now.
func syncedDemoAt(t *testing.T, now time.Time) (string, *jirasim.Scenario) {
	t.Helper()
	sc := jirasim.Generate(jirasim.Demo(now))
	_, srv := storetest.ServeJira(t, sc, jirasim.Options{Email: "radar@example.com", Token: "sim-token"})
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "radar.yaml")
	cfg := fmt.Sprintf("jira:\n  url: %s\n  email: radar@example.com\n  projects: [PAY, WEB, OPS]\nstore:\n  path: %s\n", srv.URL, filepath.Join(dir, "radar.db"))
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	runCmd(t, simTokenEnv, "sync", "--config", cfgPath)
	return cfgPath, sc
}

func TestAckCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	cfgPath, sc := syncedDemo(t)
	runCmd(t, simTokenEnv, "analyze", "--config", cfgPath, "--record")
	id := string(radar.KindBlocker) + ":" + sc.Planted.Blocker

	bad := []struct {
		name string
		args []string
		code int
		says string
	}{
		{"no id", []string{"ack", "--config", cfgPath, "--by", "ada"}, 2, "no finding id"},
		{"two actions", []string{"ack", id, "--config", cfgPath, "--by", "ada", "--dismiss", "--until-worse"}, 2, "--snooze, --until-worse and --dismiss"},
		{"bad snooze", []string{"ack", id, "--config", cfgPath, "--by", "ada", "--snooze", "fortnight"}, 2, `--snooze: "fortnight"`},
		{"unknown finding", []string{"ack", "blocker:NOPE-1", "--config", cfgPath, "--by", "ada"}, 1, "no such finding"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(context.Background(), tt.args, &out, &errOut, simTokenEnv)
			if code != tt.code || !strings.Contains(errOut.String(), tt.says) {
				t.Errorf("exit %d, stderr %q; want exit %d saying %q", code, errOut.String(), tt.code, tt.says)
			}
		})
	}

	out := runCmd(t, simTokenEnv, "ack", id, "--config", cfgPath, "--snooze", "1w", "--by", "ada", "--note", "vendor fix on Friday")
	if !strings.Contains(out, id+" snoozed by ada until ") {
		t.Errorf("radar ack printed %q", out)
	}
	js := runCmd(t, simTokenEnv, "analyze", "--config", cfgPath, "--format", "json")
	var rep radar.Report
	if err := json.Unmarshal([]byte(js), &rep); err != nil {
		t.Fatal(err)
	}
	acked := 0
	for _, f := range rep.Findings {
		if f.Ack == nil {
			continue
		}
		acked++
		if f.ID != id || f.Ack.State != radar.AckSnoozed || f.Ack.By != "ada" || f.Ack.Note != "vendor fix on Friday" || f.Ack.Until.Sub(f.Ack.At) != 7*24*time.Hour {
			t.Errorf("ack of %s = %+v; want ada's week-long snooze of %s", f.ID, f.Ack, id)
		}
	}
	if acked != 1 {
		t.Errorf("%d findings carry an ack, want 1", acked)
	}
}

// TestAckSlackFailureExitCode acks a finding whose Slack thread cannot be
// updated: the ack is recorded and printed, and the command still exits
// non-zero saying the update waits in the outbox.
func TestAckSlackFailureExitCode(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	cfgPath, sc := syncedDemo(t)
	slack, srv := storetest.ServeSlack(t, slacksim.Options{Token: "xoxb-good"}, "#delivery")
	f, err := os.OpenFile(cfgPath, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, "slack:\n  token: xoxb-good\n  api_url: %s/api/\n  routes:\n    - {channel: \"#delivery\", min_severity: info}\n", srv.URL)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	runCmd(t, simTokenEnv, "alert", "--config", cfgPath)
	if len(slack.Messages()) == 0 {
		t.Fatal("radar alert posted nothing")
	}
	slack.SetOutage(slacksim.ServerError, 0)

	// A slipped due date is critical: it has its own thread to update.
	id := string(radar.KindDueDateSlipped) + ":" + sc.Planted.Slipped[0]
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"ack", id, "--config", cfgPath, "--dismiss", "--by", "ada"}, &out, &errOut, simTokenEnv)
	if code == 0 || !strings.Contains(errOut.String(), "stays in the outbox") {
		t.Errorf("exit %d, stderr %q; want a failure saying the update stays in the outbox", code, errOut.String())
	}
	if !strings.Contains(out.String(), id+" dismissed by ada") {
		t.Errorf("stdout %q; want the recorded ack", out.String())
	}
}
