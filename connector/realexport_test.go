package connector

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/analysis"
	"github.com/radarhq/radar/store"
	"github.com/radarhq/radar/store/storetest"
)

// realExport is the real 22k-issue Jira export (TIMOB, Apache-2.0), kept
// outside the repository: CI has it at ../shared/data from the repo root.
const realExport = "../../shared/data/tidev-timob.jsonl.xz"

// loadRealExport maps the export's REST-shaped issues through the
// connector's mapping into a store in t.TempDir(), as a sync would, and
// returns the snapshot the analysis reads. It skips when the export or xz
// is absent.
func loadRealExport(tb testing.TB) radar.Snapshot {
	tb.Helper()
	if _, err := os.Stat(realExport); err != nil {
		tb.Skipf("real Jira export not found at %s (it lives outside the repository, in ../shared/data): %v", realExport, err)
	}
	if _, err := exec.LookPath("xz"); err != nil {
		tb.Skip("xz not installed: cannot read the real Jira export")
	}
	ctx := context.Background()
	cmd := exec.CommandContext(ctx, "xz", "-dc", realExport)
	out, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	m := &mapper{deps: map[string]dependencyRule{"blocks": {outwardBlocks: true}, "depends": {outwardBlocks: false}}}
	st := storetest.Open(tb)
	versions := map[string][]radar.Version{}
	seenVersion := map[string]bool{}
	statuses := map[string]radar.Status{}
	var batch []store.IssueRecord
	var latest time.Time
	flush := func() {
		if err := st.WriteBatch(ctx, store.Batch{Issues: batch}); err != nil {
			tb.Fatal(err)
		}
		batch = batch[:0]
	}
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var w wireIssue
		if err := unmarshalWire(sc.Bytes(), &w); err != nil {
			tb.Fatalf("decode export line: %v", err)
		}
		r, _, err := m.issue(&w, "TIMOB")
		if err != nil {
			tb.Fatalf("map %s: %v", w.Key, err)
		}
		for _, f := range w.Fields.FixVersions {
			if v, err := toVersion(r.Issue.Project, f); err == nil && !seenVersion[v.ID] {
				seenVersion[v.ID] = true
				versions[v.Project] = append(versions[v.Project], v)
			}
		}
		if s := w.Fields.Status; s.ID != "" {
			statuses[s.ID] = radar.Status{ID: s.ID, Name: s.Name, Category: radar.StatusCategory(s.StatusCategory.Key)}
		}
		if r.Issue.Updated.After(latest) {
			latest = r.Issue.Updated
		}
		batch = append(batch, r)
		if len(batch) == 1000 {
			flush()
		}
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		tb.Fatalf("xz -dc %s: %v", realExport, err)
	}
	flush()
	var sts []radar.Status
	for _, s := range statuses {
		sts = append(sts, s)
	}
	if err := st.PutStatuses(ctx, sts); err != nil {
		tb.Fatal(err)
	}
	for p, vs := range versions {
		if err := st.PutVersions(ctx, p, vs, latest); err != nil {
			tb.Fatal(err)
		}
	}
	snap, err := st.LoadSnapshot(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	return snap
}

// TestBacktestRealExport backtests the forecasts on the real export (no
// changelogs: finishes are resolution dates) and holds them to the issue's
// bar: P85 coverage 0.70–0.95, P50 0.30–0.70, nothing past five years. It
// takes about 30 s, so it runs only when RADAR_REAL_EXPORT=1 (and is
// skipped when the export is absent).
func TestBacktestRealExport(t *testing.T) {
	if os.Getenv("RADAR_REAL_EXPORT") == "" {
		t.Skip("set RADAR_REAL_EXPORT=1 to backtest on the real Jira export in ../shared/data (about 30 s)")
	}
	snap := loadRealExport(t)
	var now time.Time
	for _, is := range snap.Issues {
		if is.Updated.After(now) {
			now = is.Updated
		}
	}
	start := time.Now()
	rep := analysis.Backtest(snap, analysis.BacktestOptions{Analysis: analysis.Options{Now: now.Add(24 * time.Hour)}})
	t.Logf("%d issues, %d versions; backtest took %v", len(snap.Issues), len(snap.Versions), time.Since(start).Round(time.Millisecond))
	t.Logf("summary %+v", rep.Summary)
	t.Logf("notes %q", rep.Notes)
	s := rep.Summary
	if s.ForecastCases < 100 {
		t.Errorf("only %d cases with a forecast on a 22k-issue site", s.ForecastCases)
	}
	if s.P85Coverage < 0.70 || s.P85Coverage > 0.95 {
		t.Errorf("P85 coverage %.3f, want 0.70–0.95", s.P85Coverage)
	}
	if s.P50Coverage < 0.30 || s.P50Coverage > 0.70 {
		t.Errorf("P50 coverage %.3f, want 0.30–0.70", s.P50Coverage)
	}
	if s.MaxYearsAhead > 5 {
		t.Errorf("a forecast lands %.1f years past its as-of date", s.MaxYearsAhead)
	}
}
