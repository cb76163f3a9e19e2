package service

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/report"
	"github.com/radarhq/radar/store"
)

// ReportRequest says which status report to build.
type ReportRequest struct {
	Now      time.Time
	Project  string        // a project, several joined by commas, or "" for every project
	Audience string        // team or exec
	Window   time.Duration // "what changed" look-back when there is no earlier report
	// Record keeps what this report saw, so the next one says what
	// changed since it. A replay is never recorded.
	Record bool
	// Replay, for a report as of a past Now (radar report --now), makes
	// what changed come from the synced snapshot replayed at Now minus
	// Window instead of the stored history and the last recorded report,
	// which know what happened after Now. Nil for a report of the present.
	Replay *ReportReplay
}

// StatusReport builds the status report of an analysis: the findings'
// acks and history and the last report of the same project come from st,
// or, for a replay, what changed from replaying req.Replay.Present at the
// window's start.
func StatusReport(ctx context.Context, st *store.Store, analysis radar.Report, snap radar.Snapshot, req ReportRequest) (radar.StatusReport, error) {
	scope := scopeKey(req.Project)
	in := report.Input{Now: req.Now, Window: req.Window, Project: scope, Audience: req.Audience, Analysis: analysis, Snapshot: snap}
	var err error
	if req.Replay != nil {
		in.Previous, in.Changes, in.Analysis.Replay = replayedWindow(in, *req.Replay)
	} else if in.Previous, in.Changes, err = recordedWindow(ctx, st, in); err != nil {
		return radar.StatusReport{}, err
	}
	if in.Analysis.Findings, err = st.AttachAcks(ctx, analysis.Findings); err != nil {
		return radar.StatusReport{}, err
	}
	if req.Replay != nil {
		radar.AcksAsOf(in.Analysis.Findings, req.Now)
	}
	sr, base := report.Build(in)
	if req.Record && req.Replay == nil {
		b, err := json.Marshal(base)
		if err != nil {
			return radar.StatusReport{}, fmt.Errorf("status report: %w", err)
		}
		if err := st.PutStatusReport(ctx, scope, base.At, b); err != nil {
			return radar.StatusReport{}, err
		}
	}
	return sr, nil
}

// recordedWindow reads what changed from st: the last report of in's
// scope before in.Now, and the findings' net changes since it (else since
// the window's start).
func recordedWindow(ctx context.Context, st *store.Store, in report.Input) (*report.Baseline, []radar.FindingChange, error) {
	var prev *report.Baseline
	at, body, ok, err := st.LastStatusReport(ctx, in.Project)
	if err != nil {
		return nil, nil, err
	}
	if ok && at.Before(in.Now) {
		var b report.Baseline
		if err := json.Unmarshal(body, &b); err != nil {
			return nil, nil, fmt.Errorf("status report: the last report's record is unreadable (%w); it is replaced by this one", err)
		}
		prev = &b
	}
	in.Previous = prev // in is a copy: this moves only the window's start
	changes, err := st.FindingChangesSince(ctx, in.Since())
	if err != nil {
		return nil, nil, err
	}
	return prev, changes, nil
}

// scopeKey names a report's projects in the store: upper case, sorted,
// joined by commas.
func scopeKey(projects string) string {
	var ps []string
	for _, p := range strings.Split(projects, ",") {
		if p = strings.ToUpper(strings.TrimSpace(p)); p != "" {
			ps = append(ps, p)
		}
	}
	slices.Sort(ps)
	return strings.Join(slices.Compact(ps), ",")
}

// pageReport builds the status report the web UI's /report shows, from
// the analysis its pages show. It records nothing: reading a page must not
// move the next report's "what changed".
func (s *Service) pageReport(ctx context.Context, rep radar.Report, snap radar.Snapshot, q report.Request) (radar.StatusReport, error) {
	return StatusReport(ctx, s.store, rep, snap, ReportRequest{Now: s.now(), Project: q.Project, Audience: q.Audience, Window: q.Window})
}

// runReport posts route i's status report to its channel.
func (s *Service) runReport(ctx context.Context, i int) {
	r := s.latestReport()
	if r == nil {
		s.log.Info("no analysis yet; status report skipped", "component", "service", "route", i)
		return
	}
	snap, err := s.store.LoadSnapshot(ctx)
	if err != nil {
		s.log.Error("status report", "component", "service", "route", i, "err", err)
		return
	}
	project, audience := s.alerter.ReportScope(i)
	sr, err := StatusReport(ctx, s.store, *r, snap, ReportRequest{Now: s.now(), Project: project, Audience: audience,
		Window: report.DefaultWindow, Record: true})
	if err == nil {
		err = s.alerter.PostReport(ctx, i, report.Lay(sr))
	}
	s.recordSlack(ctx)
	if err != nil {
		s.log.Error("status report failed", "component", "service", "route", i, "err", err)
	}
}
