package service

import (
	"fmt"
	"slices"
	"time"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/analysis"
	"github.com/radarhq/radar/report"
)

// ReportReplay is what a replayed report needs beside its analysis (of
// the snapshot replayed as of ReportRequest.Now).
type ReportReplay struct {
	Present radar.Snapshot   // the synced snapshot, as of today
	Options analysis.Options // how it is analysed; Now and TrackRecord are set per replay
}

// replayedWindow is what changed in the window of a report as of a past
// in.Now, from the replay alone: the snapshot replayed at the window's
// start is analysed, the report it would have given there is the
// baseline, and the findings' net change between the two analyses is the
// change. Neither the stored findings history nor a recorded report is
// read: both know what happened after in.Now. A window that would start
// before the first synced issue was created starts there instead, as
// nothing existed earlier; the replay's notes say so.
func replayedWindow(in report.Input, r ReportReplay) (*report.Baseline, []radar.FindingChange, *radar.Replay) {
	rp := radar.Replay{AsOf: in.Now}
	if in.Analysis.Replay != nil {
		rp = *in.Analysis.Replay
	}
	rp.Notes = slices.Clip(rp.Notes)
	since := in.Now.Add(-in.Window)
	if first := analysis.FirstCreated(r.Present); !first.IsZero() && since.Before(first) {
		rp.Notes = append(rp.Notes, fmt.Sprintf("what changed covers from %s, when the first synced issue was created, not from %s: nothing existed before",
			first.UTC().Format(time.RFC3339), since.UTC().Format(time.RFC3339)))
		since = first
	}
	rp.Notes = append(rp.Notes, "owners, states and notes are the acknowledgements made by then that still stand: Radar keeps no history of them")
	past, _ := analysis.AsOf(r.Present, since)
	opts := r.Options
	opts.Now, opts.TrackRecord = since, nil // the baseline keeps no track record
	before := analysis.Analyze(past, opts)
	_, base := report.Build(report.Input{Now: since, Window: in.Window, Project: in.Project, Audience: in.Audience,
		Analysis: before, Snapshot: past})
	return &base, report.ChangesBetween(before.Findings, in.Analysis.Findings), &rp
}
