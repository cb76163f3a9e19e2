package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/jirasim"
	"github.com/radarhq/radar/store"
	"github.com/radarhq/radar/store/storetest"
)

// syncedSim syncs a small three-project scenario into a new database and
// returns the configuration's path and the database's.
func syncedSim(t *testing.T) (cfg, db string) {
	t.Helper()
	sc := jirasim.Generate(jirasim.ScenarioConfig{Seed: 9, Projects: []string{"PAY", "WEB", "OPS"}, IssuesPerProject: 60, Now: time.Now()})
	_, srv := storetest.ServeJira(t, sc, jirasim.Options{Email: "pm@example.com", Token: "sim-token"})
	cfg, db = syncConfig(t, srv.URL)
	runCmd(t, simTokenEnv, "sync", "--config", cfg)
	return cfg, db
}

// runFail runs a radar subcommand that must fail with exit code want, and
// returns what it wrote to stderr.
func runFail(t *testing.T, want int, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	if code := run(context.Background(), args, &out, &errOut, simTokenEnv); code != want {
		t.Fatalf("radar %s: exit %d, want %d: %s%s", strings.Join(args, " "), code, want, out.String(), errOut.String())
	}
	return errOut.String()
}

// TestAnalyzeFilters: --project, --kind, --min-severity, --state and --limit narrow
// radar analyze's answer as the API's filters do.
func TestAnalyzeFilters(t *testing.T) {
	cfg, _ := syncedSim(t)
	report := func(args ...string) radar.Report {
		t.Helper()
		out := runCmd(t, simTokenEnv, append([]string{"analyze", "--config", cfg, "--format", "json"}, args...)...)
		var r radar.Report
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatalf("analyze %v: %v", args, err)
		}
		return r
	}
	all := report()
	tests := []struct {
		name string
		args []string
		keep func(radar.Finding) bool
		max  int
	}{
		{"one project", []string{"--project", "pay"}, func(f radar.Finding) bool { return f.Project == "PAY" }, 0},
		{"two projects, repeated", []string{"--project", "PAY", "--project", "WEB"}, func(f radar.Finding) bool { return f.Project != "OPS" }, 0},
		{"two projects, comma", []string{"--project", "PAY,WEB"}, func(f radar.Finding) bool { return f.Project != "OPS" }, 0},
		{"kinds", []string{"--kind", "stale,overdue"}, func(f radar.Finding) bool { return f.Kind == radar.KindStale || f.Kind == radar.KindOverdue }, 0},
		{"min severity", []string{"--min-severity", "warning"}, func(f radar.Finding) bool { return f.Severity != radar.SeverityInfo }, 0},
		{"limit", []string{"--limit", "3"}, func(radar.Finding) bool { return true }, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want []string
			for _, f := range all.Findings {
				if tt.keep(f) {
					want = append(want, f.ID)
				}
			}
			if tt.max > 0 && len(want) > tt.max {
				want = want[:tt.max]
			}
			got := report(tt.args...)
			var ids []string
			for _, f := range got.Findings {
				ids = append(ids, f.ID)
			}
			if len(want) == 0 || len(want) == len(all.Findings) && tt.max == 0 {
				t.Fatalf("scenario: the filter keeps %d of %d findings; want some, not all", len(want), len(all.Findings))
			}
			if strings.Join(ids, " ") != strings.Join(want, " ") {
				t.Errorf("got %d findings %v, want %d %v", len(ids), ids, len(want), want)
			}
		})
	}
	for _, v := range report("--project", "WEB").Versions {
		if v.Project != "WEB" {
			t.Errorf("--project WEB shows version %s %s", v.Project, v.Name)
		}
	}
	// Nobody acted on a finding yet: every one is unowned.
	if got, none := report("--state", "Unowned"), report("--state", "acknowledged,snoozed"); len(got.Findings) != len(all.Findings) || len(none.Findings) != 0 {
		t.Errorf("--state unowned kept %d of %d findings, --state acknowledged,snoozed %d; want all and none", len(got.Findings), len(all.Findings), len(none.Findings))
	}
	for _, bad := range [][]string{{"--kind", "blockr"}, {"--min-severity", "loud"}, {"--state", "mine"}, {"--limit", "-1"}} {
		if msg := runFail(t, 2, append([]string{"analyze", "--config", cfg}, bad...)...); !strings.Contains(msg, bad[0]) {
			t.Errorf("analyze %v: the error does not name %s: %s", bad, bad[0], msg)
		}
	}
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"analyze", "--config", cfg, "--limit", "2"}, &out, &errOut, simTokenEnv); code != 0 ||
		!strings.Contains(errOut.String(), fmt.Sprintf("showing the 2 most urgent of %d findings", len(all.Findings))) {
		t.Errorf("analyze --limit 2: exit %d, stderr %q; want it to say how many it left out", code, errOut.String())
	}
	table := runCmd(t, simTokenEnv, "analyze", "--config", cfg, "--kind", "blocker", "--limit", "1")
	if !strings.Contains(table, ": 1 finding:") || strings.Count(table, " blocker ") != 1 {
		t.Errorf("analyze --kind blocker --limit 1 printed:\n%s", table)
	}

	// One finding acknowledged now: --state picks it out, or leaves it
	// out; an analysis as of an hour ago did not know of the ack.
	runCmd(t, simTokenEnv, "analyze", "--config", cfg, "--record")
	acked := all.Findings[0].ID
	runCmd(t, simTokenEnv, "ack", acked, "--config", cfg, "--by", "ada")
	ids := func(r radar.Report) []string {
		var out []string
		for _, f := range r.Findings {
			out = append(out, f.ID)
		}
		return out
	}
	if got := ids(report("--state", "acknowledged")); len(got) != 1 || got[0] != acked {
		t.Errorf("--state acknowledged = %v, want [%s]", got, acked)
	}
	if got := ids(report("--state", "unowned")); len(got) != len(all.Findings)-1 || slices.Contains(got, acked) {
		t.Errorf("--state unowned kept %d of %d findings (%s among them: %v); want all but it", len(got), len(all.Findings), acked, slices.Contains(got, acked))
	}
	before := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	if got := ids(report("--now", before, "--state", "acknowledged")); len(got) != 0 {
		t.Errorf("--now an hour ago --state acknowledged = %v; want none: the ack came later", got)
	}
	for _, f := range report("--now", before).Findings {
		if f.Ack != nil {
			t.Errorf("--now an hour ago shows %s's ack made since", f.ID)
		}
	}
}

// TestRecordersRefuseBesideServe: analyze --record and alert would use up
// the transitions a running serve alerts on, so they refuse and say why;
// analyze without --record still works.
func TestRecordersRefuseBesideServe(t *testing.T) {
	cfg, db := syncedSim(t)
	lock, err := store.TryLockPath(db, store.LockServe) // what a running serve holds
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"analyze", "--record"}, {"alert"}} {
		msg := runFail(t, 1, append(args, "--config", cfg)...)
		if !strings.Contains(msg, "radar serve is running") || !strings.Contains(msg, "transitions") {
			t.Errorf("radar %v beside serve: %s; want it refused, saying why", args, msg)
		}
	}
	runCmd(t, simTokenEnv, "analyze", "--config", cfg)
	lock.Unlock()
	runCmd(t, simTokenEnv, "analyze", "--config", cfg, "--record")
}

// TestAnalyzeDamagedDatabase: on a damaged database radar analyze says to
// restore a radar backup copy, and how.
func TestAnalyzeDamagedDatabase(t *testing.T) {
	cfg, db := syncedSim(t)
	storetest.CorruptTable(t, db, "changelog")
	msg := runFail(t, 1, "analyze", "--config", cfg)
	for _, want := range []string{"malformed", "radar backup", "-wal"} {
		if !strings.Contains(msg, want) {
			t.Errorf("analyze on a damaged database: %s; want it to mention %q", msg, want)
		}
	}
}

// TestFirstSyncIsRecordedFull: sync_runs.mode says "full" for a first sync,
// which fetches everything, and "incremental" for the next.
func TestFirstSyncIsRecordedFull(t *testing.T) {
	cfg, db := syncedSim(t)
	runCmd(t, simTokenEnv, "sync", "--config", cfg)
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var modes []string
	for _, r := range storetest.Rows(t, st, "sync_runs") { // two runs: id order
		modes = append(modes, r["mode"])
	}
	if strings.Join(modes, " ") != "full incremental" {
		t.Errorf("sync_runs modes %q, want [full incremental]", modes)
	}
}
