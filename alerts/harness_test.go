package alerts_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/alerts"
	"github.com/radarhq/radar/config"
	"github.com/radarhq/radar/slacksim"
	"github.com/radarhq/radar/store"
)

const testToken = "xoxb-test-0000-secret"

// harness is a store, a fake Slack behind a real HTTP server, and an
// Alerter pointed at it through slack-go.
type harness struct {
	t       *testing.T
	dbPath  string
	st      *store.Store
	slack   *slacksim.Server
	srv     *httptest.Server
	cfg     config.Slack
	metrics *countMetrics
	logs    *bytes.Buffer
	now     time.Time
	opts    []alerts.Option
	a       *alerts.Alerter
}

// countMetrics records what the alerter reports.
type countMetrics struct {
	mu      sync.Mutex
	results map[string]int
	pending int
}

func (m *countMetrics) Notification(result string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.results[result]++
}

func (m *countMetrics) OutboxPending(n int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.pending = n
}

func (m *countMetrics) get(result string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.results[result]
}

// syncWriter lets slog write from the test goroutine safely.
type syncWriter struct {
	mu sync.Mutex
	b  *bytes.Buffer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func route(channel string, mods ...func(*config.Route)) config.Route {
	r := config.Route{Channel: channel, MinSeverity: "info", Audience: "team"}
	for _, m := range mods {
		m(&r)
	}
	return r
}

// newHarness starts a fake Slack and an Alerter with the given routes.
// Pacing is off and retries are quick unless opts say otherwise.
func newHarness(t *testing.T, routes []config.Route, opts ...alerts.Option) *harness {
	t.Helper()
	h := &harness{t: t, dbPath: filepath.Join(t.TempDir(), "radar.db"), metrics: &countMetrics{results: map[string]int{}},
		logs: &bytes.Buffer{}, now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	h.slack = slacksim.New(slacksim.Options{Token: testToken})
	h.srv = httptest.NewServer(h.slack)
	t.Cleanup(h.srv.Close)
	h.cfg = config.Slack{Token: testToken, APIURL: h.srv.URL + "/api/", MaxIndividual: 10, Routes: routes}
	h.opts = opts
	h.open()
	h.restart()
	return h
}

func (h *harness) open() {
	st, err := store.Open(context.Background(), h.dbPath)
	if err != nil {
		h.t.Fatalf("open store: %v", err)
	}
	h.t.Cleanup(func() { st.Close() })
	h.st = st
}

// restart builds a new Alerter on the same store, as a process restart would.
func (h *harness) restart() {
	h.t.Helper()
	opts := append([]alerts.Option{
		alerts.WithLogger(slog.New(slog.NewTextHandler(&syncWriter{b: h.logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))),
		alerts.WithClock(func() time.Time { return h.now }),
		alerts.WithHTTPClient(&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}),
		alerts.WithJiraURL("https://jira.example.com"),
		alerts.WithMetrics(h.metrics),
		alerts.WithPacing(0),
		alerts.WithBackoff(time.Millisecond, 4*time.Millisecond, 6),
		// An unanswered send is looked for after the backoff, in the same
		// flush; inflight_test.go sets a settle delay where it matters.
		alerts.WithSettleDelay(0),
	}, h.opts...)
	a, err := alerts.New(alerts.NewSettings(h.cfg), h.st, opts...)
	if err != nil {
		h.t.Fatalf("new alerter: %v", err)
	}
	h.a = a
}

// run delivers one analysis run's changes at the harness clock and moves the
// clock on. As in a real run, the report lists every finding open now (the
// changes that are not resolutions): a finding left out is over.
func (h *harness) run(changes ...radar.FindingChange) error {
	h.t.Helper()
	err := h.a.Deliver(context.Background(), reportOf(h.now, changes), changes)
	h.now = h.now.Add(15 * time.Minute)
	return err
}

// reportOf is the report of a run at at whose changes are changes.
func reportOf(at time.Time, changes []radar.FindingChange) radar.Report {
	r := radar.Report{GeneratedAt: at}
	for _, c := range changes {
		if c.Transition != radar.TransitionResolved {
			r.Findings = append(r.Findings, c.Finding)
		}
	}
	return r
}

func (h *harness) mustRun(changes ...radar.FindingChange) {
	h.t.Helper()
	if err := h.run(changes...); err != nil {
		h.t.Fatalf("deliver: %v", err)
	}
}

func (h *harness) pending() int {
	h.t.Helper()
	n, err := h.st.PendingOutboxCount(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	return n
}

// messages returns the fake Slack's messages in a channel ("" for all).
func (h *harness) messages(channel string) []slacksim.Message {
	var out []slacksim.Message
	for _, m := range h.slack.Messages() {
		if channel == "" || m.Channel == channel {
			out = append(out, m)
		}
	}
	return out
}

// split separates parents (no thread_ts) from replies, by parent ts.
func split(ms []slacksim.Message) (parents []slacksim.Message, replies map[string][]slacksim.Message) {
	replies = map[string][]slacksim.Message{}
	for _, m := range ms {
		if m.ThreadTS == "" {
			parents = append(parents, m)
		} else {
			replies[m.ThreadTS] = append(replies[m.ThreadTS], m)
		}
	}
	return parents, replies
}

// assertNoDuplicates fails when two messages carry the same text in the same
// thread position: a notification delivered twice.
func assertNoDuplicates(t *testing.T, ms []slacksim.Message) {
	t.Helper()
	seen := map[string]int{}
	for _, m := range ms {
		seen[m.Channel+"\x00"+m.ThreadTS+"\x00"+m.Text]++
	}
	var dups []string
	for k, n := range seen {
		if n > 1 {
			dups = append(dups, fmt.Sprintf("%dx %q", n, strings.ReplaceAll(k, "\x00", " | ")))
		}
	}
	sort.Strings(dups)
	if len(dups) > 0 {
		t.Errorf("duplicate messages:\n%s", strings.Join(dups, "\n"))
	}
}

// finding builds a finding of a kind about an issue, assigned to Ada.
func finding(kind radar.Kind, issue string, sev radar.Severity) radar.Finding {
	project := issue
	if i := strings.IndexByte(issue, '-'); i > 0 {
		project = issue[:i]
	}
	return radar.Finding{
		ID: string(kind) + ":" + issue, Kind: kind, Severity: sev, Project: project, Issue: issue,
		Title:    fmt.Sprintf("%s is a %s", issue, strings.ReplaceAll(string(kind), "_", " ")),
		Evidence: assigned(kind, "Ada Lovelace", "ada@example.com"),
	}
}

// assigned is the evidence of a kind, naming who its issue or person is
// assigned to when the kind has one.
func assigned(kind radar.Kind, name, email string) radar.Evidence {
	x := radar.IssueFacts{Assignee: name, AssigneeEmail: email}
	switch kind {
	case radar.KindBlocker:
		return radar.BlockerFacts{IssueFacts: x}
	case radar.KindBlockedInProgress:
		return radar.BlockedInProgressFacts{IssueFacts: x}
	case radar.KindOverdue:
		return radar.OverdueFacts{IssueFacts: x}
	case radar.KindDueDateSlipped:
		return radar.DueDateSlippedFacts{IssueFacts: x}
	case radar.KindSprintCarryover:
		return radar.SprintCarryoverFacts{IssueFacts: x}
	case radar.KindOffTrackDependency:
		return radar.OffTrackDependencyFacts{IssueFacts: x}
	case radar.KindStale:
		return radar.StaleFacts{IssueFacts: x}
	case radar.KindFlagged:
		return radar.FlaggedFacts{IssueFacts: x}
	case radar.KindReopened:
		return radar.ReopenedFacts{IssueFacts: x}
	case radar.KindEffortOverrun:
		return radar.EffortOverrunFacts{IssueFacts: x}
	case radar.KindOverloadedAssignee:
		return radar.OverloadedAssigneeFacts{Assignee: name, AssigneeEmail: email}
	case radar.KindReleaseAtRisk:
		return radar.ReleaseAtRiskFacts{}
	case radar.KindReleaseOverdue:
		return radar.ReleaseOverdueFacts{}
	case radar.KindDependencyCycle:
		return radar.DependencyCycleFacts{}
	case radar.KindScopeCreep:
		return radar.ScopeCreepFacts{}
	case radar.KindAbandonedWork:
		return radar.AbandonedWorkFacts{}
	}
	return nil
}

func change(f radar.Finding, tr radar.Transition, prev radar.Severity) radar.FindingChange {
	return radar.FindingChange{Finding: f, Transition: tr, PrevSeverity: prev,
		FirstSeen: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)}
}

// blockText is a message's blocks flattened to their (mrkdwn) text.
func blockText(m slacksim.Message) string {
	return strings.Join(slacksim.FlattenBlocks(m.Blocks), "\n")
}
