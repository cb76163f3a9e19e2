package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/radarhq/radar/report"
)

func TestReportCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	cfgPath, _ := syncedDemo(t)
	first := runCmd(t, simTokenEnv, "report", "--config", cfgPath, "--project", "PAY", "--since", "2w")
	if !strings.Contains(first, "# Status report · PAY") || !strings.Contains(first, "## Releases") || strings.Contains(first, "(the last report)") {
		t.Errorf("first report:\n%s", first)
	}
	if !strings.Contains(first, "**Track record:** P85 held in") {
		t.Errorf("the first report does not give the forecasts' track record from a backtest:\n%s", first)
	}
	second := runCmd(t, simTokenEnv, "report", "--config", cfgPath, "--project", "PAY", "--audience", "exec", "--format", "html")
	if !strings.HasPrefix(second, "<!doctype html>") || !strings.Contains(second, "(the last report)") {
		t.Errorf("second report does not compare with the first:\n%s", second)
	}
	slackJSON := runCmd(t, simTokenEnv, "report", "--config", cfgPath, "--format", "slack", "--dry-run")
	var msgs []json.RawMessage
	if err := json.Unmarshal([]byte(slackJSON), &msgs); err != nil || len(msgs) == 0 {
		t.Errorf("--format slack: %v\n%s", err, slackJSON)
	}
	for _, args := range [][]string{{"--format", "pdf"}, {"--audience", "board"}, {"--since", "soon"}, {"--since", "5m"}, {"--project", "NOPE"}} {
		var out, errOut bytes.Buffer
		if code := run(context.Background(), append([]string{"report", "--config", cfgPath}, args...), &out, &errOut, simTokenEnv); code != 2 ||
			!strings.Contains(errOut.String(), args[0]+` "`+args[1]+`"`) {
			t.Errorf("report %v: exit %d (%s), want 2 naming the flag and its value", args, code, errOut.String())
		}
	}
}

// Every format report.ParseQuery accepts has a writer, and no other.
func TestReportWritersCoverFormats(t *testing.T) {
	if len(reportWriters) != len(report.Formats) {
		t.Errorf("%d writers for %d formats", len(reportWriters), len(report.Formats))
	}
	for _, f := range report.Formats {
		if reportWriters[f] == nil {
			t.Errorf("no writer for --format %s", f)
		}
	}
}
