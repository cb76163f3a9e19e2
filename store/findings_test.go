package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/store/storetest"
)

func finding(id string, sev radar.Severity) radar.Finding {
	return radar.Finding{ID: id, Kind: radar.KindBlocker, Severity: sev, Project: "PAY", Issue: id[len("blocker:"):],
		Title: "title " + id, Detail: "detail", Evidence: radar.BlockerFacts{BlastRadius: 3, DirectDependents: []string{"PAY-2"}}}
}

type change struct {
	id   string
	tr   radar.Transition
	prev radar.Severity
}

func summarise(chs []radar.FindingChange) map[string]change {
	out := map[string]change{}
	for _, c := range chs {
		out[c.Finding.ID] = change{c.Finding.ID, c.Transition, c.PrevSeverity}
	}
	return out
}

func TestRecordFindingsLifecycle(t *testing.T) {
	s := storetest.Open(t)
	ctx := context.Background()
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	runs := []struct {
		name  string
		fs    []radar.Finding
		want  []change
		open  int
		first map[string]time.Time
	}{
		{"first run", []radar.Finding{finding("blocker:PAY-1", radar.SeverityWarning), finding("blocker:PAY-2", radar.SeverityCritical), finding("blocker:PAY-3", radar.SeverityInfo)},
			[]change{{"blocker:PAY-1", radar.TransitionNew, ""}, {"blocker:PAY-2", radar.TransitionNew, ""}, {"blocker:PAY-3", radar.TransitionNew, ""}}, 3, nil},
		{"escalate, deescalate, resolve", []radar.Finding{finding("blocker:PAY-1", radar.SeverityCritical), finding("blocker:PAY-2", radar.SeverityWarning)},
			[]change{{"blocker:PAY-1", radar.TransitionEscalated, radar.SeverityWarning}, {"blocker:PAY-2", radar.TransitionDeescalated, radar.SeverityCritical},
				{"blocker:PAY-3", radar.TransitionResolved, radar.SeverityInfo}}, 2, nil},
		{"unchanged and reopened", []radar.Finding{finding("blocker:PAY-1", radar.SeverityCritical), finding("blocker:PAY-2", radar.SeverityWarning), finding("blocker:PAY-3", radar.SeverityWarning)},
			[]change{{"blocker:PAY-1", radar.TransitionUnchanged, radar.SeverityCritical}, {"blocker:PAY-2", radar.TransitionUnchanged, radar.SeverityWarning},
				{"blocker:PAY-3", radar.TransitionReopened, radar.SeverityInfo}}, 3, map[string]time.Time{"blocker:PAY-3": t0}},
		{"everything resolved", nil,
			[]change{{"blocker:PAY-1", radar.TransitionResolved, radar.SeverityCritical}, {"blocker:PAY-2", radar.TransitionResolved, radar.SeverityWarning},
				{"blocker:PAY-3", radar.TransitionResolved, radar.SeverityWarning}}, 0, nil},
	}
	for k, run := range runs {
		at := t0.Add(time.Duration(k) * time.Hour)
		chs, err := s.RecordFindings(ctx, at, run.fs)
		if err != nil {
			t.Fatalf("%s: %v", run.name, err)
		}
		got := summarise(chs)
		if len(chs) != len(run.want) {
			t.Errorf("%s: %d changes, want %d: %+v", run.name, len(chs), len(run.want), got)
		}
		for _, w := range run.want {
			if got[w.id] != w {
				t.Errorf("%s: change %s = %+v, want %+v", run.name, w.id, got[w.id], w)
			}
		}
		for _, c := range chs {
			if c.Transition == radar.TransitionResolved && !c.ResolvedAt.Equal(at) {
				t.Errorf("%s: %s resolved at %v, want %v", run.name, c.Finding.ID, c.ResolvedAt, at)
			}
			if c.Transition == radar.TransitionResolved && c.Finding.Title != "title "+c.Finding.ID {
				t.Errorf("%s: resolved %s lost its last state: %+v", run.name, c.Finding.ID, c.Finding)
			}
			if want, ok := run.first[c.Finding.ID]; ok && !c.FirstSeen.Equal(want) {
				t.Errorf("%s: %s first seen %v, want %v (kept across reopen)", run.name, c.Finding.ID, c.FirstSeen, want)
			}
		}
		open, err := s.OpenFindings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(open) != run.open {
			t.Errorf("%s: %d open findings, want %d", run.name, len(open), run.open)
		}
	}
	var reopened int
	if err := s.DB().QueryRow(`SELECT times_reopened FROM findings WHERE id = 'blocker:PAY-3'`).Scan(&reopened); err != nil {
		t.Fatal(err)
	}
	if reopened != 1 {
		t.Errorf("times_reopened = %d, want 1", reopened)
	}
	var runsRecorded int
	if err := s.DB().QueryRow(`SELECT count(*) FROM analysis_runs`).Scan(&runsRecorded); err != nil {
		t.Fatal(err)
	}
	if runsRecorded != len(runs) {
		t.Errorf("analysis_runs = %d, want %d", runsRecorded, len(runs))
	}
}

func TestOpenFindingsRoundTrip(t *testing.T) {
	s := storetest.Open(t)
	ctx := context.Background()
	fs := []radar.Finding{finding("blocker:PAY-1", radar.SeverityInfo), finding("blocker:PAY-2", radar.SeverityCritical)}
	if _, err := s.RecordFindings(ctx, time.Unix(1000, 0), fs); err != nil {
		t.Fatal(err)
	}
	open, err := s.OpenFindings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(open) != 2 || open[0].ID != "blocker:PAY-2" {
		t.Fatalf("open = %+v, want PAY-2 (critical) first", open)
	}
	if got := open[0].BlastRadius(); got != 3 {
		t.Errorf("evidence blast_radius = %#v, want 3", got)
	}
	if got := open[0].Evidence.(radar.BlockerFacts).DirectDependents; len(got) != 1 || got[0] != "PAY-2" {
		t.Errorf("evidence direct_dependents = %#v", got)
	}
}

func TestFindingChangesSince(t *testing.T) {
	s := storetest.Open(t)
	ctx := context.Background()
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	record := func(h int, fs ...radar.Finding) {
		t.Helper()
		if _, err := s.RecordFindings(ctx, t0.Add(time.Duration(h)*time.Hour), fs); err != nil {
			t.Fatal(err)
		}
	}
	// Before the digest window: PAY-1 warning, PAY-2 warning, PAY-4 critical.
	record(0, finding("blocker:PAY-1", radar.SeverityWarning), finding("blocker:PAY-2", radar.SeverityWarning), finding("blocker:PAY-4", radar.SeverityCritical))
	since := t0.Add(30 * time.Minute)
	// In the window: PAY-1 escalates; PAY-2 escalates and comes back; PAY-3
	// appears then escalates; PAY-5 appears and goes; PAY-4 resolves.
	record(1, finding("blocker:PAY-1", radar.SeverityCritical), finding("blocker:PAY-2", radar.SeverityCritical), finding("blocker:PAY-3", radar.SeverityInfo), finding("blocker:PAY-5", radar.SeverityInfo))
	record(2, finding("blocker:PAY-1", radar.SeverityCritical), finding("blocker:PAY-2", radar.SeverityWarning), finding("blocker:PAY-3", radar.SeverityWarning))
	chs, err := s.FindingChangesSince(ctx, since)
	if err != nil {
		t.Fatal(err)
	}
	got := summarise(chs)
	want := map[string]change{
		"blocker:PAY-1": {"blocker:PAY-1", radar.TransitionEscalated, radar.SeverityWarning},
		"blocker:PAY-3": {"blocker:PAY-3", radar.TransitionNew, ""},
		"blocker:PAY-4": {"blocker:PAY-4", radar.TransitionResolved, radar.SeverityCritical},
	}
	if len(got) != len(want) {
		t.Errorf("changes = %+v, want %+v", got, want)
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("change %s = %+v, want %+v", id, got[id], w)
		}
	}
	for _, c := range chs {
		if c.Finding.ID == "blocker:PAY-3" && c.Finding.Severity != radar.SeverityWarning {
			t.Errorf("PAY-3 severity = %s, want its latest (warning)", c.Finding.Severity)
		}
	}
}

func TestFindingsByID(t *testing.T) {
	s := storetest.Open(t)
	ctx := context.Background()
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	fs := []radar.Finding{finding("blocker:PAY-1", radar.SeverityWarning), finding("blocker:PAY-2", radar.SeverityCritical)}
	if _, err := s.RecordFindings(ctx, t0, fs); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordFindings(ctx, t0.Add(time.Hour), fs[:1]); err != nil { // PAY-2 resolves
		t.Fatal(err)
	}
	ids := []string{"blocker:PAY-1", "blocker:PAY-2", "blocker:NOPE-1"}
	for i := 0; i < 600; i++ { // more ids than one query takes
		ids = append(ids, fmt.Sprintf("blocker:X-%d", i))
	}
	got, err := s.FindingsByID(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("found %d findings, want 2", len(got))
	}
	tests := []struct {
		id       string
		sev      radar.Severity
		resolved time.Time
	}{
		{"blocker:PAY-1", radar.SeverityWarning, time.Time{}},
		{"blocker:PAY-2", radar.SeverityCritical, t0.Add(time.Hour)},
	}
	for _, tt := range tests {
		k, ok := got[tt.id]
		if !ok {
			t.Errorf("%s: missing", tt.id)
			continue
		}
		if k.Finding.Severity != tt.sev || k.Finding.Title != "title "+tt.id || k.Finding.BlastRadius() != 3 {
			t.Errorf("%s: got %+v, want severity %s with its title and evidence", tt.id, k.Finding, tt.sev)
		}
		if !k.FirstSeen.Equal(t0) || !k.ResolvedAt.Equal(tt.resolved) {
			t.Errorf("%s: first seen %v resolved %v, want %v and %v", tt.id, k.FirstSeen, k.ResolvedAt, t0, tt.resolved)
		}
	}
}
