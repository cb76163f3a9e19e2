package webui_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/config"
	"github.com/radarhq/radar/connector"
	"github.com/radarhq/radar/jirasim"
	"github.com/radarhq/radar/service"
)

// injected is the untrusted summary planted on the top blocker: it must
// show as text, and never as an image or a script.
const injected = `<img src=x onerror=alert(1)>`

// uiToken is the http.token of the seeded service.
const uiToken = "ui-secret-token"

// world is a real radar serve on a seeded scenario: the Jira simulator
// synced into SQLite, analysed, and served by the service's handler.
type world struct {
	url     string
	jiraURL string
	report  radar.Report
	blocker radar.Finding         // the top blocker, with the injected summary, acknowledged by ada with an injected note
	release radar.VersionForecast // a release with a full forecast
}

var (
	worldOnce sync.Once
	shared    *world
	worldErr  string
	cleanups  []func()
)

func TestMain(m *testing.M) {
	code := m.Run()
	for _, c := range slices.Backward(cleanups) {
		c()
	}
	os.Exit(code)
}

// seeded returns the package's shared world, built on first use.
func seeded(t *testing.T) *world {
	t.Helper()
	worldOnce.Do(func() { shared, worldErr = buildWorld() })
	if shared == nil {
		t.Fatalf("seed the scenario: %s", worldErr)
	}
	return shared
}

func buildWorld() (*world, string) {
	now := time.Now().UTC()
	sc := jirasim.Generate(jirasim.Demo(now))
	sim := jirasim.New(sc, jirasim.Options{Flavor: jirasim.Cloud, Email: "pm@example.com", Token: "jira-secret"})
	jira := httptest.NewServer(sim)
	cleanups = append(cleanups, jira.Close)
	dir, err := os.MkdirTemp("", "webui-test")
	if err != nil {
		return nil, err.Error()
	}
	cleanups = append(cleanups, func() { os.RemoveAll(dir) })

	cfg := config.Default()
	cfg.Jira.URL, cfg.Jira.Email, cfg.Jira.Token = jira.URL, "pm@example.com", "jira-secret"
	cfg.Jira.Projects = []string{"PAY", "WEB", "OPS"}
	cfg.Jira.Dependencies = []config.Dependency{{Link: "Blocks", Outward: "blocks"}, {Link: "Depends", Outward: "depends on"}}
	cfg.Jira.RequestsPerSecond = 0
	cfg.Store.Path = filepath.Join(dir, "radar.db")
	cfg.HTTP.Listen = "127.0.0.1:0"
	cfg.HTTP.Token = uiToken
	svc, err := service.New(context.Background(), &cfg, service.Options{
		ConnectorOptions: []connector.Option{connector.WithBackoff(time.Millisecond, 10*time.Millisecond)}})
	if err != nil {
		return nil, err.Error()
	}
	cleanups = append(cleanups, func() { svc.Close() })
	ctx := context.Background()
	cyc := svc.RunCycle(ctx)
	if cyc.Err != nil {
		return nil, cyc.Err.Error()
	}
	w := &world{jiraURL: jira.URL}
	for _, f := range cyc.Report.Findings {
		if b, ok := f.Evidence.(radar.BlockerFacts); ok && len(b.DirectDependents) >= 2 {
			if b.BlastRadius > w.blocker.BlastRadius() {
				w.blocker = f
			}
		}
	}
	if w.blocker.Issue == "" {
		return nil, "the scenario has no blocker with two dependents"
	}
	if err := sim.UpdateIssue(w.blocker.Issue, func(is *jirasim.Issue) { is.Summary = injected }); err != nil {
		return nil, err.Error()
	}
	if cyc = svc.RunCycle(ctx); cyc.Err != nil {
		return nil, cyc.Err.Error()
	}
	w.report = cyc.Report
	for _, f := range w.report.Findings {
		if f.ID == w.blocker.ID {
			w.blocker = f
		}
	}
	if w.blocker.Summary() != injected {
		return nil, "the injected summary did not reach the analysis"
	}
	for _, v := range w.report.Versions {
		if !v.P50.IsZero() && !v.P85.IsZero() && !v.P95.IsZero() && !v.ReleaseDate.IsZero() {
			w.release = v
			break
		}
	}
	if w.release.Name == "" {
		return nil, "the scenario has no release with a forecast"
	}
	srv := httptest.NewServer(svc.Handler())
	cleanups = append(cleanups, srv.Close)
	w.url = srv.URL
	// ada owns the top blocker, with a note as untrusted as a summary.
	body, _ := json.Marshal(radar.AckRequest{By: "ada", Note: "vendor fix " + injected})
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/api/findings/"+url.PathEscape(w.blocker.ID)+"/ack", bytes.NewReader(body))
	if err != nil {
		return nil, err.Error()
	}
	req.Header.Set("Authorization", "Bearer "+uiToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err.Error()
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, "acknowledge the top blocker: " + resp.Status
	}
	return w, ""
}

// get fetches path with the bearer token.
func (w *world) get(t *testing.T, path string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, w.url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+uiToken)
	return do(t, req)
}
