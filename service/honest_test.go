package service_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/service"
	"github.com/radarhq/radar/store/storetest"
)

// syncBuffer is a log destination the service's goroutines may share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestDamagedDatabaseIsNotReady: with a damaged page in the database every
// analysis fails, so /readyz answers 503 saying why and what to do,
// radar_analysis_failures_total counts the failures, and /api/findings says
// the analysis failed rather than that a first sync is running.
func TestDamagedDatabaseIsNotReady(t *testing.T) {
	w := newWorld(t, 40)
	w.cfg.HTTP.Token = "api-secret"
	r := start(t, w.cfg, service.Options{})
	if c := r.cycle(t); c.Err != nil {
		t.Fatalf("first cycle: %v", c.Err)
	}
	if err := r.stop(t); err != nil {
		t.Fatal(err)
	}
	storetest.CorruptTable(t, w.cfg.Store.Path, "changelog")

	r = start(t, w.cfg, service.Options{})
	r.waitCycle(t, "the analysis failed", func(c service.Cycle) bool { return c.Err != nil })
	r.waitCycle(t, "the analysis failed again", func(c service.Cycle) bool { return c.Err != nil })
	base := "http://" + r.addr

	code, body := get(t, base+"/readyz", "api-secret")
	t.Logf("/readyz %d:\n%s", code, body)
	for _, want := range []string{"not ready: analysis failing since", "malformed", "radar backup"} {
		if code != http.StatusServiceUnavailable || !strings.Contains(body, want) {
			t.Errorf("/readyz = %d, want 503 with %q", code, want)
		}
	}
	code, body = get(t, base+"/api/findings", "api-secret")
	if code != http.StatusServiceUnavailable || strings.Contains(body, "still running") || !strings.Contains(body, "analysis failing") {
		t.Errorf("/api/findings = %d %q; want 503 saying the analysis fails", code, body)
	}
	if n := metricValue(t, base, "radar_analysis_failures_total"); n < 2 {
		t.Errorf("radar_analysis_failures_total = %v, want at least 2", n)
	}
}

// TestReadyzNeedsTheToken: with http.token set, /readyz answers only with
// the token, and shows an unauthenticated caller nothing of Jira's errors.
// The Bearer scheme is case-insensitive; a failed sign-in is logged without
// what was sent.
func TestReadyzNeedsTheToken(t *testing.T) {
	w := newWorld(t, 10)
	w.cfg.HTTP.Token = "api-secret"
	w.cfg.Jira.URL = "http://127.0.0.1:1" // nothing listens: every sync fails
	logs := &syncBuffer{}
	r := start(t, w.cfg, service.Options{Logger: slog.New(slog.NewTextHandler(logs, nil))})
	r.waitCycle(t, "the sync failed", func(c service.Cycle) bool { return c.Err != nil })
	base := "http://" + r.addr

	do := func(path, auth string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		b.ReadFrom(resp.Body)
		return resp.StatusCode, b.String()
	}
	tests := []struct {
		name, path, auth string
		want             int
	}{
		{"readyz without a token", "/readyz", "", http.StatusUnauthorized},
		{"readyz with a wrong token", "/readyz", "Bearer guess", http.StatusUnauthorized},
		{"readyz with the token", "/readyz", "Bearer api-secret", http.StatusServiceUnavailable},
		{"lower-case scheme", "/readyz", "bearer api-secret", http.StatusServiceUnavailable},
		{"upper-case scheme", "/api/findings", "BEARER api-secret", http.StatusServiceUnavailable},
		{"basic scheme", "/api/findings", "Basic api-secret", http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := do(tt.path, tt.auth)
			if code != tt.want {
				t.Errorf("got %d %q, want %d", code, body, tt.want)
			}
			if code == http.StatusUnauthorized && (strings.Contains(body, "jira") || strings.Contains(body, "refused")) {
				t.Errorf("an unauthenticated caller sees %q", body)
			}
		})
	}
	code, body := do("/api/findings", "Bearer api-secret")
	if code != http.StatusServiceUnavailable || strings.Contains(body, "still running") || !strings.Contains(body, "sync") || !strings.Contains(body, "failed") {
		t.Errorf("/api/findings while every sync fails = %d %q; want 503 saying the syncs fail", code, body)
	}
	if got := logs.String(); !strings.Contains(got, "http sign-in failed") || strings.Contains(got, "guess") {
		t.Errorf("failed sign-ins: want them logged without the token sent; logs:\n%s", got)
	}
}

// TestAPIFilters: ?project=, ?kind=, ?severity= and ?state= take repeated and
// comma-separated values, and the project filter narrows every part of the
// answer, /api/versions too.
func TestAPIFilters(t *testing.T) {
	w := newWorld(t, 80)
	w.cfg.Schedule.Sync = "@every 1h"
	r := start(t, w.cfg, service.Options{})
	c := r.cycle(t)
	if c.Err != nil {
		t.Fatal(c.Err)
	}
	base := "http://" + r.addr
	count := func(keep func(project, kind string, sev radar.Severity) bool) int {
		n := 0
		for _, f := range c.Report.Findings {
			if keep(f.Project, string(f.Kind), f.Severity) {
				n++
			}
		}
		return n
	}
	payOrWeb := count(func(p, _ string, _ radar.Severity) bool { return p == "PAY" || p == "WEB" })
	pay := count(func(p, _ string, _ radar.Severity) bool { return p == "PAY" })
	blockersOrStale := count(func(_, k string, _ radar.Severity) bool {
		return k == string(radar.KindBlocker) || k == string(radar.KindStale)
	})
	if pay == 0 || pay == payOrWeb {
		t.Fatalf("scenario: %d PAY and %d PAY or WEB findings; want both projects to have some", pay, payOrWeb)
	}
	tests := []struct {
		query   string
		want    int
		project string // every part of the answer is about this project, when set
	}{
		{"project=PAY&project=WEB", payOrWeb, ""},
		{"project=PAY,WEB", payOrWeb, ""},
		{"project=pay", pay, "PAY"},
		{"project=PAY,%20", pay, "PAY"},
		{"kind=blocker,stale", blockersOrStale, ""},
		{"kind=blocker&kind=stale", blockersOrStale, ""},
		{"state=unowned", len(c.Report.Findings), ""}, // nobody acted yet
		{"state=acknowledged,snoozed", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			code, body := get(t, base+"/api/findings?"+tt.query, "")
			var rep radar.Report
			if code != 200 || json.Unmarshal([]byte(body), &rep) != nil {
				t.Fatalf("got %d %.200q", code, body)
			}
			if len(rep.Findings) != tt.want {
				t.Errorf("got %d findings, want %d", len(rep.Findings), tt.want)
			}
			if tt.project == "" {
				return
			}
			var projects []string
			for _, v := range rep.Versions {
				projects = append(projects, v.Project)
			}
			for _, e := range rep.Epics {
				projects = append(projects, e.Project)
			}
			for _, p := range rep.Projects {
				projects = append(projects, p.Project)
			}
			for _, s := range rep.Risks {
				projects = append(projects, s.Project)
			}
			if len(rep.Projects) != 1 {
				t.Errorf("projects: got %d, want 1", len(rep.Projects))
			}
			for _, p := range projects {
				if p != tt.project {
					t.Errorf("the answer holds a part about project %s", p)
				}
			}
		})
	}
	for _, bad := range []string{"kind=blockr", "severity=urgent", "severity=warning,loud", "state=mine"} {
		if code, body := get(t, base+"/api/findings?"+bad, ""); code != http.StatusBadRequest {
			t.Errorf("?%s = %d %q, want 400", bad, code, body)
		}
	}
	code, body := get(t, base+"/api/versions?project="+url.QueryEscape("WEB"), "")
	var vs struct{ Versions []radar.VersionForecast }
	if code != 200 || json.Unmarshal([]byte(body), &vs) != nil {
		t.Fatalf("/api/versions?project=WEB = %d %.200q", code, body)
	}
	all := 0
	for _, v := range c.Report.Versions {
		if v.Project == "WEB" {
			all++
		}
	}
	if len(vs.Versions) != all || all == len(c.Report.Versions) {
		t.Errorf("/api/versions?project=WEB: got %d of %d versions, want the %d of WEB", len(vs.Versions), len(c.Report.Versions), all)
	}
}

// TestSlackTokenWithoutRoutesRuns: with a Slack token but no routes yet
// (deploy/compose.yaml's documented first start) serve warns and runs
// without Slack instead of refusing to start.
func TestSlackTokenWithoutRoutesRuns(t *testing.T) {
	w := newWorld(t, 10)
	w.cfg.Slack.Routes = nil
	logs := &syncBuffer{}
	r := start(t, w.cfg, service.Options{Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if c := r.cycle(t); c.Err != nil {
		t.Fatalf("cycle: %v", c.Err)
	}
	code, body := get(t, "http://"+r.addr+"/readyz", "")
	if code != http.StatusOK || !strings.Contains(body, "slack.routes is empty") {
		t.Errorf("/readyz = %d %q; want ready, saying Slack is off for want of routes", code, body)
	}
	if !strings.Contains(logs.String(), "slack.routes is empty") {
		t.Errorf("no warning about the missing routes:\n%s", logs)
	}
}

// TestWebUISignInsShareTheAPICheck: the web UI's bearer header and sign-in
// form go through the same token check as /api: the scheme in any case,
// and a wrong token is logged (without what was sent) and slowed down.
func TestWebUISignInsShareTheAPICheck(t *testing.T) {
	w := newWorld(t, 10)
	w.cfg.HTTP.Token = "api-secret"
	logs := &syncBuffer{}
	r := start(t, w.cfg, service.Options{Logger: slog.New(slog.NewTextHandler(logs, nil))})
	base := "http://" + r.addr
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	req, _ := http.NewRequest(http.MethodGet, base+"/findings", nil)
	req.Header.Set("Authorization", "bearer api-secret")
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusUnauthorized {
		t.Error("a lower-case bearer scheme with the right token is refused by the web UI")
	}

	resp, err = noRedirect.PostForm(base+"/signin", url.Values{"token": {"guess-one"}, "next": {"/"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a wrong token on the sign-in form: %d, want 401", resp.StatusCode)
	}
	if got := logs.String(); !strings.Contains(got, "http sign-in failed") || !strings.Contains(got, "path=/signin") || strings.Contains(got, "guess-one") {
		t.Errorf("a failed sign-in on the form: want it logged with its path and without the token sent; logs:\n%s", got)
	}
	resp, err = noRedirect.PostForm(base+"/signin", url.Values{"token": {"api-secret"}, "next": {"/"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the right token on the sign-in form: %d, want 303", resp.StatusCode)
	}
}
