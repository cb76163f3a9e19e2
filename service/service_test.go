package service_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/radarhq/radar/alerts"
	"github.com/radarhq/radar/config"
	"github.com/radarhq/radar/connector"
	"github.com/radarhq/radar/jirasim"
	"github.com/radarhq/radar/service"
	"github.com/radarhq/radar/slacksim"
	"github.com/radarhq/radar/store/storetest"
)

type world struct {
	sim     *jirasim.Server
	jira    *httptest.Server
	slack   *slacksim.Server
	slackTS *httptest.Server
	cfg     *config.Config
	// searches counts search requests reaching the simulator.
	searches atomic.Int64
}

// openIssues returns WEB's open standard issues, at least four of them.
func (w *world) openIssues(t *testing.T) []jirasim.Issue {
	t.Helper()
	var open []jirasim.Issue
	for _, is := range w.sim.Issues() {
		if is.Project == "WEB" && is.Resolved.IsZero() && is.Type != "Epic" && is.Type != "Sub-task" {
			open = append(open, is)
		}
	}
	if len(open) < 4 {
		t.Fatal("scenario has too few open issues")
	}
	return open
}

// block makes blocker block each of blocked in Jira.
func (w *world) block(t *testing.T, blocker jirasim.Issue, blocked ...jirasim.Issue) {
	t.Helper()
	for _, b := range blocked {
		if _, err := w.sim.AddLink("Blocks", b.Key, blocker.Key); err != nil {
			t.Fatal(err)
		}
	}
}

func newWorld(t *testing.T, issues int) *world {
	t.Helper()
	now := time.Now().UTC()
	sc := jirasim.Generate(jirasim.ScenarioConfig{Seed: 5, Projects: []string{"PAY", "WEB"}, IssuesPerProject: issues, Now: now, OutsideProject: "OPS"})
	w := &world{sim: jirasim.New(sc, jirasim.Options{Flavor: jirasim.Cloud, Email: "pm@example.com", Token: "jira-secret"})}
	w.jira = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "/search") {
			w.searches.Add(1)
		}
		w.sim.ServeHTTP(rw, r)
	}))
	t.Cleanup(w.jira.Close)
	w.slack, w.slackTS = storetest.ServeSlack(t, slacksim.Options{Token: "xoxb-secret"})

	cfg := config.Default()
	cfg.Jira.URL, cfg.Jira.Email, cfg.Jira.Token = w.jira.URL, "pm@example.com", "jira-secret"
	cfg.Jira.Projects = []string{"PAY", "WEB"}
	cfg.Jira.Dependencies = []config.Dependency{{Link: "Blocks", Outward: "blocks"}, {Link: "Depends", Outward: "depends on"}}
	cfg.Jira.RequestsPerSecond = 1000 // the most allowed: the client does not hold the test back
	cfg.Store.Path = filepath.Join(t.TempDir(), "radar.db")
	cfg.Schedule.Sync = "@every 1s"
	cfg.HTTP.Listen = "127.0.0.1:0"
	cfg.Slack.Token = "xoxb-secret"
	cfg.Slack.APIURL = w.slackTS.URL + "/api/"
	cfg.Slack.Routes = []config.Route{{Channel: "#delivery", MinSeverity: "warning", Audience: "team"}}
	w.cfg = &cfg
	return w
}

// running is a service started in the background.
type running struct {
	addr   string
	cycles chan service.Cycle
	done   chan error
	cancel context.CancelFunc
}

func start(t *testing.T, cfg *config.Config, opts service.Options) *running {
	t.Helper()
	r := &running{cycles: make(chan service.Cycle, 100), done: make(chan error, 1)}
	addr := make(chan string, 1)
	opts.Listening = func(a string) { addr <- a }
	opts.CycleDone = func(c service.Cycle) {
		select {
		case r.cycles <- c:
		default:
		}
	}
	opts.AlertOptions = append(opts.AlertOptions, alerts.WithPacing(time.Millisecond), alerts.WithBackoff(time.Millisecond, 10*time.Millisecond, 3))
	opts.ConnectorOptions = append(opts.ConnectorOptions, connector.WithBackoff(time.Millisecond, 10*time.Millisecond))
	svc, err := service.New(context.Background(), cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go func() {
		r.done <- svc.Run(ctx)
		svc.Close()
	}()
	select {
	case r.addr = <-addr:
	case err := <-r.done:
		t.Fatalf("service stopped before listening: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("service did not listen")
	}
	t.Cleanup(func() { r.stop(t) })
	return r
}

func (r *running) stop(t *testing.T) error {
	t.Helper()
	if r.cancel == nil {
		return nil
	}
	r.cancel()
	r.cancel = nil
	select {
	case err := <-r.done:
		return err
	case <-time.After(60 * time.Second):
		t.Fatal("service did not stop")
		return nil
	}
}

func (r *running) cycle(t *testing.T) service.Cycle {
	t.Helper()
	select {
	case c := <-r.cycles:
		return c
	case <-time.After(60 * time.Second):
		t.Fatal("no cycle ran")
		return service.Cycle{}
	}
}

func get(t *testing.T, url, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestServeEndToEnd(t *testing.T) {
	w := newWorld(t, 80)
	w.cfg.HTTP.Token = "api-secret"
	r := start(t, w.cfg, service.Options{})

	first := r.cycle(t)
	if first.Err != nil {
		t.Fatalf("first cycle: %v", first.Err)
	}
	// A scheduled cycle follows the start-up one.
	second := r.cycle(t)
	if second.Err != nil {
		t.Fatalf("scheduled cycle: %v", second.Err)
	}
	if first.Sync.Issues == 0 || len(first.Report.Findings) == 0 {
		t.Fatalf("first cycle synced %d issues and found %d findings", first.Sync.Issues, len(first.Report.Findings))
	}
	if second.Sync.Issues != 0 {
		t.Errorf("scheduled cycle with nothing changed synced %d issues", second.Sync.Issues)
	}

	base := "http://" + r.addr
	if code, body := get(t, base+"/healthz", ""); code != 200 || !strings.Contains(body, "ok") {
		t.Errorf("/healthz = %d %q", code, body)
	}
	if code, body := get(t, base+"/readyz", "api-secret"); code != 200 {
		t.Errorf("/readyz = %d %q", code, body)
	}
	code, metrics := get(t, base+"/metrics", "")
	if code != 200 {
		t.Fatalf("/metrics = %d", code)
	}
	for _, want := range []string{"radar_findings{kind=\"blocker\",project=\"PAY\"", "radar_issues{project=\"PAY\"",
		"radar_sync_last_success_timestamp_seconds", "radar_jira_requests_total{code=\"200\"}", "radar_slack_notifications_total{result=\"sent\"}",
		"radar_release_forecast_timestamp_seconds", "radar_slack_outbox_pending 0", "go_goroutines", "process_"} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	for _, secret := range []string{"jira-secret", "xoxb-secret", "api-secret"} {
		if strings.Contains(metrics, secret) {
			t.Errorf("/metrics leaks %s", secret)
		}
	}

	if code, _ := get(t, base+"/api/findings", ""); code != http.StatusUnauthorized {
		t.Errorf("/api/findings without token = %d, want 401", code)
	}
	code, body := get(t, base+"/api/findings", "api-secret")
	var doc struct {
		GeneratedAt time.Time         `json:"generated_at"`
		Findings    []json.RawMessage `json:"findings"`
		Versions    []json.RawMessage `json:"versions"`
	}
	if code != 200 || json.Unmarshal([]byte(body), &doc) != nil || len(doc.Findings) != len(second.Report.Findings) || doc.GeneratedAt.IsZero() {
		t.Errorf("/api/findings = %d with %d findings; want the latest report's %d", code, len(doc.Findings), len(second.Report.Findings))
	}
	code, body = get(t, base+"/api/findings?kind=blocker", "api-secret")
	if code != 200 || strings.Contains(body, `"kind": "stale"`) || !strings.Contains(body, `"kind": "blocker"`) {
		t.Errorf("/api/findings?kind=blocker = %d, filtered wrongly", code)
	}
	for _, bad := range []string{"?severity=bogus", "?kind=nope"} {
		if code, _ := get(t, base+"/api/findings"+bad, "api-secret"); code != http.StatusBadRequest {
			t.Errorf("/api/findings%s = %d, want 400", bad, code)
		}
	}
	if code, body := get(t, base+"/api/findings?project=pay", "api-secret"); code != 200 || !strings.Contains(body, `"project": "PAY"`) {
		t.Errorf("/api/findings?project=pay = %d; want PAY's findings (case-insensitive)", code)
	}
	code, body = get(t, base+"/api/versions", "api-secret")
	if code != 200 || !strings.Contains(body, `"p85"`) {
		t.Errorf("/api/versions = %d %q", code, body)
	}
	// The forecasts carry the site's track record from the backtest.
	if !strings.Contains(body, `"track_record": {`) || !strings.Contains(body, `"cases":`) {
		t.Errorf("/api/versions carries no track record: %q", body)
	}

	msgs := w.slack.Messages()
	if len(msgs) == 0 {
		t.Fatal("no Slack message sent")
	}
	sent := len(msgs)
	// A new blocker in Jira reaches Slack after the next scheduled sync.
	open := w.openIssues(t)
	// open[0] blocks open[1..3]: a blocker with a blast radius of at least 3.
	w.block(t, open[0], open[1:4]...)
	deadline := time.Now().Add(30 * time.Second)
	found := false
	for !found && time.Now().Before(deadline) {
		c := r.cycle(t)
		for _, ch := range c.Changes {
			if ch.Finding.ID == "blocker:"+open[0].Key && (ch.Transition == "new" || ch.Transition == "escalated") {
				found = true
			}
		}
	}
	if !found {
		t.Fatalf("new blocker %s never surfaced as a new finding", open[0].Key)
	}
	var mentioned bool
	for _, m := range w.slack.Messages()[sent:] {
		if strings.Contains(m.Text, open[0].Key) {
			mentioned = true
		}
	}
	if !mentioned {
		t.Errorf("no Slack message about the new blocker %s", open[0].Key)
	}
	if err := r.stop(t); err != nil {
		t.Errorf("Run returned %v on shutdown", err)
	}
}

func TestShutdownDuringSyncLosesNothing(t *testing.T) {
	w := newWorld(t, 300)
	w.cfg.Jira.Concurrency = 2
	w.sim.SetFaults(jirasim.Faults{Latency: 30 * time.Millisecond})
	r := start(t, w.cfg, service.Options{ShutdownGrace: 10 * time.Second})
	// Stop while the first sync is paging.
	for w.searches.Load() < 5 {
		time.Sleep(5 * time.Millisecond)
	}
	if err := r.stop(t); err != nil {
		t.Logf("Run returned %v", err)
	}
	select {
	case c := <-r.cycles:
		if c.Err == nil {
			t.Fatal("the interrupted cycle reported success; the test stopped too late to prove anything")
		}
	default:
		t.Fatal("the interrupted cycle never finished")
	}

	// The next start resumes and ends with everything.
	w.sim.SetFaults(jirasim.Faults{})
	r2 := start(t, w.cfg, service.Options{})
	c := r2.cycle(t)
	if c.Err != nil {
		t.Fatalf("cycle after restart: %v", c.Err)
	}
	r2.stop(t)
	want := 0
	for _, is := range w.sim.Issues() {
		if is.Project == "PAY" || is.Project == "WEB" {
			want++
		}
	}
	st, err := service.New(context.Background(), w.cfg, service.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	got := storetest.Count(t, st.Store(), "issues", func(r storetest.Row) bool { _, removed := r["removed_at"]; return !removed })
	runs := storetest.Count(t, st.Store(), "sync_runs", nil)
	failed := storetest.Count(t, st.Store(), "sync_runs", func(r storetest.Row) bool { _, ok := r["error"]; return ok })
	if got != want {
		t.Errorf("after restart the store holds %d issues, want %d", got, want)
	}
	if runs != 2 || failed != 1 {
		t.Errorf("sync_runs: %d runs, %d failed; want the interrupted one recorded as failed and one success", runs, failed)
	}
}

func TestPendingAlertsGoOutWhileJiraIsDown(t *testing.T) {
	w := newWorld(t, 80)
	// Slack refuses the channel at first: everything stays in the outbox.
	w.slack.SetChannelError("#delivery", "not_in_channel")
	r := start(t, w.cfg, service.Options{})
	if c := r.cycle(t); c.Err == nil {
		t.Fatal("first cycle reported success while Slack refused every message")
	}
	if n := len(w.slack.Messages()); n != 0 {
		t.Fatalf("%d messages delivered to a refusing channel", n)
	}
	// Jira goes down, Slack recovers: the next cycle's sync fails, but the
	// pending notifications still go out.
	w.sim.SetFaults(jirasim.Faults{Unauthorized: true})
	w.slack.SetChannelError("#delivery", "")
	deadline := time.Now().Add(30 * time.Second)
	for len(w.slack.Messages()) == 0 && time.Now().Before(deadline) {
		c := r.cycle(t)
		if c.Err == nil {
			t.Fatal("cycle succeeded while Jira answered 401")
		}
	}
	if len(w.slack.Messages()) == 0 {
		t.Fatal("pending notifications were not sent while Jira was down")
	}
}

func TestDigestsRunOnTheirSchedule(t *testing.T) {
	w := newWorld(t, 80)
	w.cfg.Schedule.Sync = "@every 1h" // only the start-up cycle
	w.cfg.Slack.Routes[0].Digest = "@every 1s"
	r := start(t, w.cfg, service.Options{})
	if c := r.cycle(t); c.Err != nil {
		t.Fatal(c.Err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		for _, m := range w.slack.Messages() {
			if strings.Contains(m.Text, "Radar digest") {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("no digest reached Slack")
}

func TestSecondServeOnOneDatabaseIsRefused(t *testing.T) {
	w := newWorld(t, 20)
	start(t, w.cfg, service.Options{})
	svc, err := service.New(context.Background(), w.cfg, service.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := svc.Run(ctx); err == nil || !strings.Contains(err.Error(), "another radar serve is running") {
		t.Errorf("second serve: %v; want it refused", err)
	}
}
