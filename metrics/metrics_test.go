package metrics

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/radarhq/radar"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// analysisNames are the metrics the analysis snapshot sets.
var analysisNames = []string{
	"radar_findings", "radar_issues", "radar_blocked_issues", "radar_blocker_blast_radius_max",
	"radar_release_due_timestamp_seconds", "radar_release_forecast_timestamp_seconds",
	"radar_release_on_time_ratio", "radar_critical_path_remaining_seconds",
}

// operationalNames are the metrics the hooks set.
var operationalNames = []string{
	"radar_sync_last_success_timestamp_seconds", "radar_sync_duration_seconds",
	"radar_sync_issues_total", "radar_sync_failures_total", "radar_jira_requests_total",
	"radar_jira_retries_total", "radar_analysis_duration_seconds",
	"radar_slack_notifications_total", "radar_slack_outbox_pending",
	"radar_dependency_up", "radar_dependency_last_success_timestamp_seconds",
}

// fixtureIssues are three projects' issues; OPS has no findings at all.
func fixtureIssues() []radar.Issue {
	mk := func(key string, cat radar.StatusCategory) radar.Issue {
		return radar.Issue{
			ID: "1" + key[len(key)-1:], Key: key, Project: strings.Split(key, "-")[0],
			Summary: "secret summary of " + key, StatusCategory: cat,
			AssigneeID: "5b10ac8d82e05b22cc7d4ef5", AssigneeName: "Ada Lovelace",
		}
	}
	return []radar.Issue{
		mk("PAY-1", radar.CategoryInProgress), mk("PAY-2", radar.CategoryNew),
		mk("PAY-4", radar.CategoryInProgress), mk("PAY-5", radar.CategoryInProgress),
		mk("PAY-6", radar.CategoryDone), mk("WEB-3", radar.CategoryInProgress),
		mk("WEB-7", radar.CategoryNew), mk("WEB-8", radar.CategoryNew),
		mk("OPS-9", radar.CategoryDone),
	}
}

// fixtureReport has blockers, blocked issues, a finding of an unknown kind,
// versions with and without dates, and the project counts the analysis
// makes of fixtureIssues: PAY-2 waits on two PAY blockers and WEB-3 on one,
// so PAY has 2 blocked issues (PAY-2, PAY-5) and WEB 1 (WEB-3).
func fixtureReport() radar.Report {
	return radar.Report{
		GeneratedAt: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC),
		Findings: []radar.Finding{
			{ID: "a", Kind: radar.KindBlocker, Severity: radar.SeverityCritical, Project: "PAY", Issue: "PAY-1",
				Evidence: radar.BlockerFacts{BlastRadius: 7, DirectDependents: []string{"PAY-2", "WEB-3"}}},
			{ID: "b", Kind: radar.KindBlocker, Severity: radar.SeverityWarning, Project: "PAY", Issue: "PAY-4",
				Evidence: radar.BlockerFacts{BlastRadius: 3, DirectDependents: []string{"PAY-2"}}},
			{ID: "c", Kind: radar.KindBlockedInProgress, Severity: radar.SeverityWarning, Project: "PAY", Issue: "PAY-5"},
			{ID: "d", Kind: radar.KindBlockedInProgress, Severity: radar.SeverityInfo, Project: "WEB", Issue: "WEB-3"},
			{ID: "e", Kind: radar.KindOverdue, Severity: radar.SeverityCritical, Project: "WEB", Issue: "WEB-7"},
			{ID: "f", Kind: radar.KindOverdue, Severity: radar.SeverityCritical, Project: "WEB", Issue: "WEB-8"},
			{ID: "g", Kind: radar.KindStale, Severity: radar.SeverityInfo, Project: "WEB", Issue: "WEB-8"},
			{ID: "h", Kind: "made_up_kind", Severity: radar.SeverityWarning, Project: "PAY", Issue: "PAY-6"},
			{ID: "i", Kind: radar.KindStale, Severity: "catastrophic", Project: "PAY", Issue: "PAY-6"},
		},
		Versions: []radar.VersionForecast{
			{Project: "PAY", Name: "2.4.0", ReleaseDate: radar.MustParseDate("2026-03-31"), P50: radar.MustParseDate("2026-03-20"), P85: radar.MustParseDate("2026-04-03"), P95: radar.MustParseDate("2026-04-10"),
				OnTimeProbability: 0.62, CriticalPath: []string{"PAY-1", "PAY-2"}, CriticalPathRemaining: 36 * time.Hour},
			{Project: "WEB", Name: "Q2 launch", P50: radar.MustParseDate("2026-05-04"), P85: radar.MustParseDate("2026-05-18"), P95: radar.MustParseDate("2026-05-29"),
				CriticalPathRemaining: 90 * time.Minute},
			{Project: "OPS", Name: "1.0", ReleaseDate: radar.MustParseDate("2026-04-01"), P50: radar.MustParseDate("2026-03-10"), P85: radar.MustParseDate("2026-03-12"),
				OnTimeProbability: 1},
		},
		Projects: []radar.ProjectStats{
			{Project: "PAY", New: 1, InProgress: 3, Done: 1, Blocked: 2, Blockers: 2, BlastRadiusMax: 7},
			{Project: "WEB", New: 2, InProgress: 1, Blocked: 1},
			{Project: "OPS", Done: 1},
		},
	}
}

// roundTrip sends the report through JSON as the HTTP API would, decoding
// numbers as json.Number or float64.
func roundTrip(t *testing.T, r radar.Report, useNumber bool) radar.Report {
	t.Helper()
	body, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if useNumber {
		dec.UseNumber()
	}
	var out radar.Report
	if err := dec.Decode(&out); err != nil {
		t.Fatal(err)
	}
	// CriticalPathRemaining is not part of the JSON form.
	for i := range out.Versions {
		out.Versions[i].CriticalPathRemaining = r.Versions[i].CriticalPathRemaining
	}
	return out
}

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, name string, c prometheus.Collector, names ...string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		reg := prometheus.NewPedanticRegistry()
		reg.MustRegister(c)
		got, err := testutil.GatherAndFormat(reg, expfmt.TypeTextPlain, names...)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.Open(path)
	if err != nil {
		t.Fatalf("open golden file (run go test -update to create it): %v", err)
	}
	defer want.Close()
	if err := testutil.CollectAndCompare(c, want, names...); err != nil {
		t.Errorf("%s differs (go test ./metrics -update rewrites it):\n%v", path, err)
	}
}

func TestAnalysisGolden(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		report func(t *testing.T) radar.Report
		issues []radar.Issue
	}{
		{"in process", "analysis.prom", func(*testing.T) radar.Report { return fixtureReport() }, fixtureIssues()},
		{"json float64", "analysis.prom", func(t *testing.T) radar.Report { return roundTrip(t, fixtureReport(), false) }, fixtureIssues()},
		{"json number", "analysis.prom", func(t *testing.T) radar.Report { return roundTrip(t, fixtureReport(), true) }, fixtureIssues()},
		{"empty", "empty.prom", func(*testing.T) radar.Report { return radar.Report{} }, nil},
		{"issues only", "issues_only.prom", func(*testing.T) radar.Report { return radar.Report{} }, fixtureIssues()[5:8]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if *update && tt.name != "in process" && tt.golden == "analysis.prom" {
				t.Skip("golden written by the in process case")
			}
			m := New(prometheus.NewRegistry())
			m.SetAnalysis(FromReport(tt.report(t), tt.issues))
			golden(t, tt.golden, m.analysis, analysisNames...)
		})
	}
}

func TestFromReport(t *testing.T) {
	s := FromReport(fixtureReport(), fixtureIssues())
	byProject := map[string]ProjectStats{}
	for _, p := range s.Projects {
		byProject[p.Project] = p
	}
	tests := []struct {
		project                 string
		blocked, blast          int
		new, inProgress, done   int
		criticalBlockers, stale int
	}{
		{project: "PAY", blocked: 2, blast: 7, new: 1, inProgress: 3, done: 1, criticalBlockers: 1},
		{project: "WEB", blocked: 1, new: 2, inProgress: 1, stale: 1},
		{project: "OPS", done: 1},
	}
	if got, want := len(s.Projects), len(tests); got != want {
		t.Fatalf("got %d projects, want %d: %+v", got, want, s.Projects)
	}
	for _, tt := range tests {
		t.Run(tt.project, func(t *testing.T) {
			p, ok := byProject[tt.project]
			if !ok {
				t.Fatalf("project %s missing", tt.project)
			}
			if got, want := p.BlockedIssues, tt.blocked; got != want {
				t.Errorf("blocked issues: got %d, want %d", got, want)
			}
			if got, want := p.MaxBlastRadius, tt.blast; got != want {
				t.Errorf("max blast radius: got %d, want %d", got, want)
			}
			for cat, want := range map[radar.StatusCategory]int{radar.CategoryNew: tt.new, radar.CategoryInProgress: tt.inProgress, radar.CategoryDone: tt.done} {
				if got := p.Issues[cat]; got != want {
					t.Errorf("issues %s: got %d, want %d", cat, got, want)
				}
			}
			if got, want := p.Findings[FindingClass{radar.KindBlocker, radar.SeverityCritical}], tt.criticalBlockers; got != want {
				t.Errorf("critical blockers: got %d, want %d", got, want)
			}
			if got, want := p.Findings[FindingClass{radar.KindStale, radar.SeverityInfo}], tt.stale; got != want {
				t.Errorf("info stale findings: got %d, want %d", got, want)
			}
		})
	}
	if got, want := len(s.Versions), 3; got != want {
		t.Fatalf("got %d versions, want %d", got, want)
	}
	v := s.Versions[0]
	if got, want := v.Due, time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("due: got %v, want %v", got, want)
	}
	if got := s.Versions[2].P95; !got.IsZero() {
		t.Errorf("unknown P95: got %v, want zero", got)
	}
}

// TestFromReportProjectStats checks that the analysis's own project counts
// win over the ones counted from the issues list.
func TestFromReportProjectStats(t *testing.T) {
	r := fixtureReport()
	r.Projects = []radar.ProjectStats{
		{Project: "PAY", New: 10, InProgress: 20, Done: 30, Blocked: 4, Blockers: 2, BlastRadiusMax: 12, Risk: 70},
		{Project: "NEW", New: 1},
	}
	s := FromReport(r, fixtureIssues())
	got := map[string]ProjectStats{}
	for _, p := range s.Projects {
		got[p.Project] = p
	}
	tests := []struct {
		project                      string
		new, inProgress, done        int
		blocked, blast, findingCount int
	}{
		{"PAY", 10, 20, 30, 4, 12, 3}, // findings still come from the report's findings
		{"WEB", 2, 1, 0, 0, 0, 4},     // issues counted; blocked only from the analysis
		{"NEW", 1, 0, 0, 0, 0, 0},     // known only from r.Projects
	}
	for _, tt := range tests {
		t.Run(tt.project, func(t *testing.T) {
			p, ok := got[tt.project]
			if !ok {
				t.Fatalf("project %s missing", tt.project)
			}
			if g, w := [3]int{p.Issues[radar.CategoryNew], p.Issues[radar.CategoryInProgress], p.Issues[radar.CategoryDone]}, [3]int{tt.new, tt.inProgress, tt.done}; g != w {
				t.Errorf("issues new/indeterminate/done: got %v, want %v", g, w)
			}
			if g, w := p.BlockedIssues, tt.blocked; g != w {
				t.Errorf("blocked: got %d, want %d", g, w)
			}
			if g, w := p.MaxBlastRadius, tt.blast; g != w {
				t.Errorf("blast radius: got %d, want %d", g, w)
			}
			n := 0
			for c, k := range p.Findings {
				if slices.Contains(radar.Kinds, c.Kind) && c.Severity.Rank() > 0 {
					n += k
				}
			}
			if g, w := n, tt.findingCount; g != w {
				t.Errorf("findings: got %d, want %d", g, w)
			}
		})
	}
}

// populate drives every hook and sets the fixture snapshot so that every
// metric family has at least one series.
func populate(m *Metrics) {
	m.SetAnalysis(FromReport(fixtureReport(), fixtureIssues()))
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	m.SyncFinished(start, 90*time.Second, 1200, nil)
	m.SyncFinished(start.Add(15*time.Minute), 3*time.Second, 50, errors.New("fetch jira page 3: EOF"))
	for _, code := range []string{"200", "200", "429", "503", "error", "", "4xx", "2000"} {
		m.JiraRequest(code)
	}
	for _, r := range []string{ReasonRateLimited, ReasonServerError, ReasonNetwork, ReasonTimeout, ReasonTruncated, "PAY-12 was slow"} {
		m.JiraRetry(r)
	}
	m.AnalysisFinished(1500 * time.Millisecond)
	for _, r := range []string{ResultSent, ResultSent, ResultRetried, ResultFailed, ResultPermanentError, "U024BE7LH"} {
		m.Notification(r)
	}
	m.OutboxPending(4)
	m.DependencyResult(DependencyJira, start.Add(15*time.Minute), errors.New("jira answered 503"))
	m.SetDependencyLastSuccess(DependencyJira, start.Add(90*time.Second))
	m.DependencyResult(DependencySlack, start.Add(16*time.Minute), nil)
	m.DependencyResult("PAY-12's server", start, nil) // ignored: unbounded
}

func TestOperationalGolden(t *testing.T) {
	reg := prometheus.NewRegistry()
	populate(New(reg))
	path := filepath.Join("testdata", "operational.prom")
	if *update {
		got, err := testutil.GatherAndFormat(reg, expfmt.TypeTextPlain, operationalNames...)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer want.Close()
	if err := testutil.GatherAndCompare(reg, want, operationalNames...); err != nil {
		t.Errorf("%s differs (go test ./metrics -update rewrites it):\n%v", path, err)
	}
}

func TestZeroBeforeAnyEvent(t *testing.T) {
	reg := prometheus.NewRegistry()
	New(reg)
	want := `
# HELP radar_jira_retries_total Jira requests retried, by reason (rate_limited, server_error, network, timeout, truncated).
# TYPE radar_jira_retries_total counter
radar_jira_retries_total{reason="network"} 0
radar_jira_retries_total{reason="rate_limited"} 0
radar_jira_retries_total{reason="server_error"} 0
radar_jira_retries_total{reason="timeout"} 0
radar_jira_retries_total{reason="truncated"} 0
# HELP radar_slack_notifications_total Slack notification attempts, by result (sent, retried, failed, permanent_error).
# TYPE radar_slack_notifications_total counter
radar_slack_notifications_total{result="failed"} 0
radar_slack_notifications_total{result="permanent_error"} 0
radar_slack_notifications_total{result="retried"} 0
radar_slack_notifications_total{result="sent"} 0
# HELP radar_sync_last_success_timestamp_seconds Unix time at which the last successful Jira sync finished; 0 before the first.
# TYPE radar_sync_last_success_timestamp_seconds gauge
radar_sync_last_success_timestamp_seconds 0
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want),
		"radar_jira_retries_total", "radar_slack_notifications_total", "radar_sync_last_success_timestamp_seconds"); err != nil {
		t.Error(err)
	}
	// No analysis yet: no analysis series.
	n, err := testutil.GatherAndCount(reg, analysisNames...)
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("analysis series before SetAnalysis: got %d, want 0", n)
	}
}

func TestSyncFinished(t *testing.T) {
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name          string
		err           error
		wantTimestamp float64
		wantIssues    float64
		wantFailures  float64
	}{
		{"success", nil, float64(start.Add(2 * time.Minute).Unix()), 40, 0},
		{"failure", errors.New("jira: 401"), 0, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New(prometheus.NewRegistry())
			m.SyncFinished(start, 2*time.Minute, 40, tt.err)
			if got, want := testutil.ToFloat64(m.syncLastSuccess), tt.wantTimestamp; got != want {
				t.Errorf("last success: got %v, want %v", got, want)
			}
			if got, want := testutil.ToFloat64(m.syncIssues), tt.wantIssues; got != want {
				t.Errorf("issues: got %v, want %v", got, want)
			}
			if got, want := testutil.ToFloat64(m.syncFailures), tt.wantFailures; got != want {
				t.Errorf("failures: got %v, want %v", got, want)
			}
			if got, want := histogramCount(t, m.syncDuration), uint64(1); got != want {
				t.Errorf("duration observations: got %d, want %d", got, want)
			}
		})
	}
}

func TestDependencyResult(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	m := New(prometheus.NewRegistry())
	if n := testutil.CollectAndCount(m.dependencyUp); n != 0 {
		t.Errorf("dependency_up series before any exchange: got %d, want 0", n)
	}
	m.SetDependencyLastSuccess(DependencySlack, time.Time{}) // ignored
	m.DependencyResult(DependencyJira, at, nil)
	m.DependencyResult(DependencyJira, at.Add(time.Minute), errors.New("jira answered 503"))
	m.DependencyResult(DependencySlack, at, errors.New("slack: 500"))
	m.DependencyResult("unknown", at, nil)
	tests := []struct {
		name      string
		got, want float64
	}{
		{"jira up after a failure", testutil.ToFloat64(m.dependencyUp.WithLabelValues(DependencyJira)), 0},
		{"jira last success kept through the failure", testutil.ToFloat64(m.dependencySuccess.WithLabelValues(DependencyJira)), float64(at.Unix())},
		{"slack up", testutil.ToFloat64(m.dependencyUp.WithLabelValues(DependencySlack)), 0},
		{"dependency_up series", float64(testutil.CollectAndCount(m.dependencyUp)), 2},
		{"last success series (slack never succeeded)", float64(testutil.CollectAndCount(m.dependencySuccess)), 1},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	m.DependencyResult(DependencySlack, at.Add(time.Hour), nil)
	if got, want := testutil.ToFloat64(m.dependencyUp.WithLabelValues(DependencySlack)), 1.0; got != want {
		t.Errorf("slack up after recovery: got %v, want %v", got, want)
	}
}

func TestSetLastSyncSuccess(t *testing.T) {
	m := New(prometheus.NewRegistry())
	at := time.Date(2026, 3, 2, 8, 45, 30, 0, time.UTC)
	m.SetLastSyncSuccess(at)
	m.SetLastSyncSuccess(time.Time{}) // ignored
	if got, want := testutil.ToFloat64(m.syncLastSuccess), float64(at.Unix()); got != want {
		t.Errorf("got %v, want %v", got, want)
	}
}

func histogramCount(t *testing.T, h prometheus.Histogram) uint64 {
	t.Helper()
	var pb dto.Metric
	if err := h.Write(&pb); err != nil {
		t.Fatal(err)
	}
	return pb.GetHistogram().GetSampleCount()
}

func TestJiraRequestCode(t *testing.T) {
	tests := []struct{ in, want string }{
		{"200", "200"}, {"429", "429"}, {"503", "503"}, {"error", "error"},
		{"", "error"}, {"abc", "error"}, {"99", "error"}, {"600", "error"},
		{"2000", "error"}, {"+20", "error"}, {" 200", "error"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := normaliseCode(tt.in); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestLint: promlint finds nothing, the release forecast included (a
// summary, so its quantile label is the one promlint expects).
func TestLint(t *testing.T) {
	reg := prometheus.NewRegistry()
	populate(New(reg))
	problems, err := testutil.GatherAndLint(reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
}

// scrapeText gathers g and encodes every family in the text format.
func scrapeText(t testing.TB, g prometheus.Gatherer) []byte {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	for _, mf := range mfs {
		if _, err := expfmt.MetricFamilyToText(&buf, mf); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

// TestCardinality checks that every label of every radar_ metric takes its
// values only from the allowed, bounded sets, even when the report and the
// hooks are fed unexpected values.
func TestCardinality(t *testing.T) {
	reg := prometheus.NewRegistry()
	populate(New(reg))
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	set := func(vs ...string) map[string]bool {
		m := map[string]bool{}
		for _, v := range vs {
			m[v] = true
		}
		return m
	}
	kinds := set(radar.KindNames()...)
	allowed := map[string]func(string) bool{
		"project":         func(v string) bool { return set("PAY", "WEB", "OPS")[v] },
		"kind":            func(v string) bool { return kinds[v] },
		"severity":        func(v string) bool { return set("info", "warning", "critical")[v] },
		"status_category": func(v string) bool { return set("new", "indeterminate", "done")[v] },
		"version":         func(v string) bool { return set("2.4.0", "Q2 launch", "1.0")[v] },
		"quantile":        func(v string) bool { return set("0.5", "0.85", "0.95")[v] },
		"code":            regexp.MustCompile(`^([1-5][0-9][0-9]|error)$`).MatchString,
		"reason":          func(v string) bool { return set(append(slices.Clone(retryReasons), ReasonOther)...)[v] },
		"result":          func(v string) bool { return set(append(slices.Clone(notificationResults), ResultOther)...)[v] },
		"dependency":      func(v string) bool { return set(DependencyJira, DependencySlack)[v] },
		"le":              func(string) bool { return true }, // histogram buckets
	}
	// Nothing from the issues may leak into labels.
	var forbidden []string
	for _, is := range fixtureIssues() {
		forbidden = append(forbidden, is.Key, is.Summary, is.AssigneeID, is.AssigneeName)
	}
	seen := 0
	for _, mf := range mfs {
		if !strings.HasPrefix(mf.GetName(), "radar_") {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				seen++
				ok, known := allowed[lp.GetName()]
				if !known {
					t.Errorf("%s: label %q is not in the allowed set", mf.GetName(), lp.GetName())
					continue
				}
				if !ok(lp.GetValue()) {
					t.Errorf("%s: label %s=%q is not an allowed value", mf.GetName(), lp.GetName(), lp.GetValue())
				}
				if slices.Contains(forbidden, lp.GetValue()) {
					t.Errorf("%s: label %s=%q leaks issue data", mf.GetName(), lp.GetName(), lp.GetValue())
				}
			}
		}
	}
	if seen == 0 {
		t.Fatal("no labels seen: the registry is empty")
	}
	// Unknown kinds, severities, reasons and results must not appear, and
	// the fixture's strange values must have gone to "other" or "error".
	body := scrapeText(t, reg)
	for _, want := range []string{`reason="other"} 1`, `result="other"} 1`, `code="error"} 4`} {
		if !bytes.Contains(body, []byte(want)) {
			t.Errorf("scrape lacks %s", want)
		}
	}
	for _, bad := range []string{"made_up_kind", "catastrophic"} {
		if bytes.Contains(body, []byte(bad)) {
			t.Errorf("scrape contains %q", bad)
		}
	}
}

// TestFindingsZeroSeries checks that every project gets every kind ×
// severity, so series do not vanish when the last finding resolves.
func TestFindingsZeroSeries(t *testing.T) {
	m := New(prometheus.NewRegistry())
	m.SetAnalysis(FromReport(fixtureReport(), fixtureIssues()))
	got := testutil.CollectAndCount(m.analysis, "radar_findings")
	if want := 3 * len(radar.Kinds) * 3; got != want {
		t.Errorf("radar_findings series: got %d, want %d (3 projects × %d kinds × 3 severities)", got, want, len(radar.Kinds))
	}
}

func TestStaleSeriesDisappear(t *testing.T) {
	m := New(prometheus.NewRegistry())
	m.SetAnalysis(FromReport(fixtureReport(), fixtureIssues()))

	// PAY 2.4.0 was released and WEB left the scope.
	next := fixtureReport()
	next.Versions = next.Versions[2:]
	var findings []radar.Finding
	for _, f := range next.Findings {
		if f.Project != "WEB" {
			findings = append(findings, f)
		}
	}
	next.Findings = findings
	next.Projects = slices.DeleteFunc(next.Projects, func(p radar.ProjectStats) bool { return p.Project == "WEB" })
	var issues []radar.Issue
	for _, is := range fixtureIssues() {
		if is.Project != "WEB" {
			issues = append(issues, is)
		}
	}
	m.SetAnalysis(FromReport(next, issues))

	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(m.analysis)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	versions := 0
	for _, mf := range mfs {
		for _, metric := range mf.GetMetric() {
			for _, lp := range metric.GetLabel() {
				if lp.GetName() == "project" && lp.GetValue() == "WEB" {
					t.Errorf("%s still has project WEB", mf.GetName())
				}
				if lp.GetName() == "version" {
					versions++
					if lp.GetValue() != "1.0" {
						t.Errorf("%s still has version %q", mf.GetName(), lp.GetValue())
					}
				}
			}
		}
	}
	if versions == 0 {
		t.Error("version 1.0 disappeared too")
	}
}

// TestSnapshotMerging checks that duplicates in a hand-built snapshot do
// not produce duplicate series (which would fail every scrape).
func TestSnapshotMerging(t *testing.T) {
	m := New(prometheus.NewRegistry())
	due := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	m.SetAnalysis(AnalysisSnapshot{
		Projects: []ProjectStats{
			{Project: "PAY", BlockedIssues: 1, MaxBlastRadius: 4, Issues: map[radar.StatusCategory]int{radar.CategoryNew: 2, "undefined": 5}},
			{Project: "PAY", BlockedIssues: 2, MaxBlastRadius: 9, Issues: map[radar.StatusCategory]int{radar.CategoryNew: 1}},
			{Project: ""},
		},
		Versions: []VersionStats{
			{Project: "PAY", Name: "1.0", Due: due, P50: due, OnTimeRatio: 0.1},
			{Project: "PAY", Name: "1.0", Due: due, P50: due, OnTimeRatio: 0.7},
			// No forecast (no throughput history): no on-time ratio, not 0.
			{Project: "PAY", Name: "2.0", Due: due},
		},
	})
	want := `
# HELP radar_blocked_issues Distinct issues blocked by an unfinished blocker at the latest analysis.
# TYPE radar_blocked_issues gauge
radar_blocked_issues{project="PAY"} 3
# HELP radar_blocker_blast_radius_max Largest number of issues transitively waiting on one blocker of the project.
# TYPE radar_blocker_blast_radius_max gauge
radar_blocker_blast_radius_max{project="PAY"} 9
# HELP radar_issues Synced issues at the latest analysis, by project and status category (new, indeterminate, done).
# TYPE radar_issues gauge
radar_issues{project="PAY",status_category="done"} 0
radar_issues{project="PAY",status_category="indeterminate"} 0
radar_issues{project="PAY",status_category="new"} 3
# HELP radar_release_on_time_ratio Forecast probability (0-1) that an unreleased version is done by its release date.
# TYPE radar_release_on_time_ratio gauge
radar_release_on_time_ratio{project="PAY",version="1.0"} 0.7
`
	if err := testutil.CollectAndCompare(m.analysis, strings.NewReader(want),
		"radar_blocked_issues", "radar_blocker_blast_radius_max", "radar_issues", "radar_release_on_time_ratio"); err != nil {
		t.Error(err)
	}
}

// TestConcurrentSetAnalysisAndScrape updates the snapshot while scraping
// through the HTTP handler and Gather. Run with -race. Every scrape must see
// one whole snapshot: all blocked-issue series carry the same generation.
func TestConcurrentSetAnalysisAndScrape(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := New(reg)
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()

	snapshot := func(gen int) AnalysisSnapshot {
		var s AnalysisSnapshot
		for p := range 5 {
			s.Projects = append(s.Projects, ProjectStats{Project: fmt.Sprintf("P%d", p), BlockedIssues: gen})
		}
		return s
	}
	m.SetAnalysis(snapshot(0))

	const writers, scrapers, rounds = 2, 4, 50
	var wg sync.WaitGroup
	errs := make(chan error, scrapers*rounds)
	for w := range writers {
		wg.Go(func() {
			for i := range rounds {
				m.SetAnalysis(snapshot(w*rounds + i))
				m.JiraRequest("200")
				m.OutboxPending(i)
			}
		})
	}
	blocked := regexp.MustCompile(`(?m)^radar_blocked_issues\{project="P\d"\} (\d+)$`)
	for s := range scrapers {
		wg.Go(func() {
			for range rounds {
				var text string
				if s%2 == 0 {
					resp, err := http.Get(srv.URL)
					if err != nil {
						errs <- err
						return
					}
					body, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						errs <- fmt.Errorf("scrape: status %d: %s", resp.StatusCode, body)
						return
					}
					text = string(body)
				} else {
					body, err := testutil.GatherAndFormat(reg, expfmt.TypeTextPlain, "radar_blocked_issues")
					if err != nil {
						errs <- err
						return
					}
					text = string(body)
				}
				gens := map[string]bool{}
				matches := blocked.FindAllStringSubmatch(text, -1)
				for _, mm := range matches {
					gens[mm[1]] = true
				}
				if len(matches) != 5 || len(gens) != 1 {
					errs <- fmt.Errorf("torn scrape: %d series, generations %v", len(matches), gens)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestHandler(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := New(reg)
	populate(m)
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()

	req, err := http.NewRequest(http.MethodGet, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Even when the scraper asks for OpenMetrics, the text format is served.
	req.Header.Set("Accept", "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := resp.StatusCode, http.StatusOK; got != want {
		t.Fatalf("status: got %d, want %d", got, want)
	}
	if got := resp.Header.Get("Content-Type"); !strings.HasPrefix(got, "text/plain") {
		t.Errorf("content type: got %q, want text/plain", got)
	}
	for _, want := range []string{
		`radar_findings{kind="blocker",project="PAY",severity="critical"} 1`,
		`radar_release_forecast_timestamp_seconds{project="PAY",version="2.4.0",quantile="0.85"} 1.7751744e+09`,
		`radar_slack_outbox_pending 4`,
		"\ngo_goroutines ",
		"\nprocess_start_time_seconds ",
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("scrape lacks %q", want)
		}
	}
	// Handler twice on one registry must not panic (promhttp reuses its
	// error counter).
	_ = m.Handler()
}

func TestForecastSummaryCountAndSum(t *testing.T) {
	m := New(prometheus.NewRegistry())
	day := func(s string) time.Time { d, _ := time.Parse("2006-01-02", s); return d }
	m.SetAnalysis(AnalysisSnapshot{Versions: []VersionStats{{
		Project: "PAY", Name: "2.0", P50: day("2026-04-01"), P85: day("2026-04-10"), P95: day("2026-04-20"),
		Trials: 2000, Mean: day("2026-04-03"),
	}}})
	want := fmt.Sprintf(`
# HELP radar_release_forecast_timestamp_seconds Monte Carlo forecast of an unreleased version's completion, as Unix times: quantiles of the trials' finish dates; _count trials, _sum their finish times.
# TYPE radar_release_forecast_timestamp_seconds summary
radar_release_forecast_timestamp_seconds{project="PAY",version="2.0",quantile="0.5"} %d
radar_release_forecast_timestamp_seconds{project="PAY",version="2.0",quantile="0.85"} %d
radar_release_forecast_timestamp_seconds{project="PAY",version="2.0",quantile="0.95"} %d
radar_release_forecast_timestamp_seconds_sum{project="PAY",version="2.0"} %d
radar_release_forecast_timestamp_seconds_count{project="PAY",version="2.0"} 2000
`, day("2026-04-01").Unix(), day("2026-04-10").Unix(), day("2026-04-20").Unix(), day("2026-04-03").Unix()*2000)
	if err := testutil.CollectAndCompare(m.analysis, strings.NewReader(want), "radar_release_forecast_timestamp_seconds"); err != nil {
		t.Error(err)
	}
}
