package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/radarhq/radar"
)

func TestBacktestAndReplayEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	now := time.Now().UTC()
	cfgPath, _ := syncedDemoAt(t, now)

	out := runCmd(t, simTokenEnv, "backtest", "--config", cfgPath, "--format", "json", "--horizons", "1w,2w")
	var bt struct {
		GeneratedAt string            `json:"generated_at"`
		Cases       []json.RawMessage `json:"cases"`
		Summary     map[string]any    `json:"summary"`
	}
	if err := json.Unmarshal([]byte(out), &bt); err != nil || bt.Summary == nil || bt.Cases == nil {
		t.Fatalf("backtest --format json: %v\n%s", err, out)
	}
	for _, f := range []string{"table", "markdown"} {
		if out := runCmd(t, simTokenEnv, "backtest", "--config", cfgPath, "--format", f); !strings.Contains(out, "backtest") {
			t.Errorf("backtest --format %s: %q", f, out)
		}
	}

	// A replay a week back says so, and is the same on a second run.
	stamp := now.AddDate(0, 0, -7).Format(time.RFC3339)
	out = runCmd(t, simTokenEnv, "analyze", "--config", cfgPath, "--format", "json", "--now", stamp)
	var rep radar.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Replay == nil || rep.Replay.AsOf.Format(time.RFC3339) != stamp || len(rep.Replay.Notes) == 0 {
		t.Errorf("replay = %+v, want as of %s with notes", rep.Replay, stamp)
	}
	if rep.TrackRecord == nil {
		t.Error("no track record in the report")
	}
	if again := runCmd(t, simTokenEnv, "analyze", "--config", cfgPath, "--format", "json", "--now", stamp); again != out {
		t.Error("a second replay of the same moment gave different output")
	}
	runCmd(t, simTokenEnv, "graph", "--config", cfgPath, "--now", stamp)

	// Moments the data cannot answer for are refused, with the range.
	for _, bad := range []string{"0001-01-01T00:00:00Z", "9999-01-01T00:00:00Z", "1990-01-01T00:00:00Z"} {
		for _, cmd := range []string{"analyze", "graph", "backtest"} {
			var o, e bytes.Buffer
			if code := run(context.Background(), []string{cmd, "--config", cfgPath, "--now", bad}, &o, &e, simTokenEnv); code != 2 || !strings.Contains(e.String(), "use") {
				t.Errorf("%s --now %s: exit %d, %q; want 2 and a hint", cmd, bad, code, e.String())
			}
		}
	}
}

func TestBacktestFlags(t *testing.T) {
	for _, args := range [][]string{
		{"backtest", "--format", "yaml"},
		{"backtest", "--horizons", "2"},
		{"backtest", "--horizons", "0w"},
		{"backtest", "--horizons", "x,y"},
		{"backtest", "--horizons", ","},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			if got := run(context.Background(), args, &out, &errOut, func(string) string { return "" }); got != 2 {
				t.Errorf("exit = %d, want 2 (%s)", got, errOut.String())
			}
		})
	}
}
