package report_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/analysis"
	"github.com/radarhq/radar/internal/realexport"
	"github.com/radarhq/radar/report"
	"github.com/radarhq/radar/service"
	"github.com/radarhq/radar/store/storetest"
)

// TestReportOnARealSite builds two weekly reports at the end of a real,
// years-old site's life: dormant versions and versions done but never
// released are counted, not listed, and a cleanup day does not read as a
// throughput change.
func TestReportOnARealSite(t *testing.T) {
	if testing.Short() {
		t.Skip("real data")
	}
	snap := realexport.Load(t)
	last := realexport.LastUpdated(snap)
	first, second := last.AddDate(0, 0, -7), last
	opts := func(now time.Time) analysis.Options { return analysis.Options{Now: now, Trials: 1000, Seed: 1} }
	_, base := report.Build(report.Input{Now: first, Window: 7 * 24 * time.Hour, Analysis: analysis.Analyze(snap, opts(first)), Snapshot: snap})
	rep := analysis.Analyze(snap, opts(second))
	st, now := report.Build(report.Input{Now: second, Window: 7 * 24 * time.Hour, Analysis: rep, Snapshot: snap, Previous: &base})

	if len(st.Releases) > 15 {
		t.Errorf("%d releases listed out of %d unreleased; a weekly report should show the live ones", len(st.Releases), len(rep.Versions))
	}
	if st.Dormant == 0 {
		t.Errorf("no dormant version counted among %d unreleased on a site with years of history", len(rep.Versions))
	}
	// The site resolved 4 issues on a typical day and up to 1,639 on a
	// cleanup day: a weekly throughput in the hundreds would be a cleanup
	// read as speed.
	for _, b := range []report.Baseline{base, now} {
		if b.Throughput > 70 {
			t.Errorf("throughput %.1f issues a week at %s: a cleanup day read as speed", b.Throughput, b.At.Format(time.DateOnly))
		}
	}
	var b bytes.Buffer
	if err := report.WriteMarkdown(&b, report.Lay(st)); err != nil {
		t.Fatal(err)
	}
	if b.Len() > 20<<10 {
		t.Errorf("the report is %d KiB; a status report is read in a minute", b.Len()>>10)
	}
	t.Logf("%d releases shown, %d dormant, %d done but unreleased, of %d unreleased:\n%s", len(st.Releases), st.Dormant, st.DoneNotReleased, len(rep.Versions), b.String())
}

// TestReplayedReportOnARealSite replays a real site at two moments a week
// apart years before its end, as radar report --now does, and checks the
// week's change is the handful a week brings, not replay artefacts: the
// export has no changelogs, so both replays take every field as it is now
// but the resolution dates, and its versions, first recorded at the
// export's end as by a sync then, are left out where nothing of them was
// open at the time.
func TestReplayedReportOnARealSite(t *testing.T) {
	if testing.Short() {
		t.Skip("real data")
	}
	snap := realexport.Load(t)
	last := realexport.LastUpdated(snap)
	at := last.AddDate(-2, 0, 0)
	opts := analysis.Options{Now: at, Trials: 1000, Seed: 1}
	then, notes := analysis.AsOf(snap, at)
	rep := analysis.Analyze(then, opts)
	rep.Replay = &radar.Replay{AsOf: at, Notes: notes}
	// What radar report --now runs: the service replays the window itself.
	st, err := service.StatusReport(context.Background(), storetest.Open(t), rep, then, service.ReportRequest{Now: at,
		Window: 7 * 24 * time.Hour, Replay: &service.ReportReplay{Present: snap, Options: opts}})
	if err != nil {
		t.Fatal(err)
	}
	changes := append(append(append([]radar.Finding(nil), st.New...), st.Escalated...), st.Resolved...)

	// The site resolved 4 issues on a typical day.
	if len(changes) == 0 || len(changes) > 20 {
		t.Errorf("%d of %d findings changed in a week: want some, a handful", len(changes), len(rep.Findings))
	}
	if len(st.Releases) == 0 || len(st.Releases) > 15 {
		t.Errorf("%d releases listed as of %s; a weekly report should show the live ones", len(st.Releases), at.Format(time.DateOnly))
	}
	var b bytes.Buffer
	if err := report.WriteMarkdown(&b, report.Lay(st)); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d findings changed at warning or above (%d new, %d escalated, %d resolved):\n%s", len(changes), len(st.New), len(st.Escalated), len(st.Resolved), b.String())
}
