package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/radarhq/radar/deploy"
)

const (
	e2eDashboardPath = "../../deploy/grafana/dashboards/radar.json"
	e2eRulesPath     = "../../deploy/prometheus/rules.yml"
)

// TestPrometheusScrapesDemo runs `radar demo` in process, points a real
// Prometheus (Debian's prometheus package, installed by
// .ci/install.sh) at its /metrics with the deploy alert rules
// loaded, and checks that every PromQL expression of the Grafana dashboard
// and every dashboard variable returns data, and that every alert rule loads
// and evaluates cleanly.
//
// All waits poll with a deadline; nothing asserts on how long anything took.
func TestPrometheusScrapesDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test with a real Prometheus; skipped under -short")
	}
	promBin, err := exec.LookPath("prometheus")
	if err != nil {
		t.Skip("prometheus not on PATH; run .ci/install.sh (installs Debian's prometheus package) to run this test")
	}
	rulesPath, err := filepath.Abs(e2eRulesPath)
	if err != nil {
		t.Fatal(err)
	}

	demoAddr, stopDemo := startDemo(t)
	prom := startPrometheus(t, promBin, demoAddr, rulesPath)

	// Prometheus has the target up and several samples of it.
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	waitUntil(ctx, t, "Prometheus to scrape the demo 5 times", func() error {
		r, err := prom.query(ctx, `count_over_time(up{job="radar"}[1m]) >= 5 and on() (min(up{job="radar"}) == 1)`)
		if err != nil {
			return err
		}
		if len(r.series) == 0 {
			return fmt.Errorf("not yet: %s", r.raw)
		}
		return nil
	})

	t.Run("variables", func(t *testing.T) {
		qs, err := deploy.DashboardVariableQueries(e2eDashboardPath)
		if err != nil {
			t.Fatal(err)
		}
		if len(qs) == 0 {
			t.Fatal("dashboard has no query variables; want at least $project")
		}
		for _, q := range qs {
			values, err := prom.variableValues(ctx, q)
			if err != nil {
				t.Errorf("variable query %s: %v", q, err)
				continue
			}
			if len(values) == 0 {
				t.Errorf("variable query %s: got no values, want at least one", q)
			}
		}
	})

	// The $project variable as Grafana sends it: "All" is the variable's
	// allValue, several selected projects are a regex alternation.
	projects, err := prom.variableValues(ctx, "label_values(radar_issues, project)")
	if err != nil || len(projects) == 0 {
		t.Fatalf("projects from radar_issues: got %v, %v; want at least one", projects, err)
	}
	escaped := make([]string, len(projects))
	for i, p := range projects {
		escaped[i] = regexp.QuoteMeta(p)
	}
	selections := []struct {
		name    string
		project string
	}{
		{"all projects", ".*"},
		{"every project selected", "(" + strings.Join(escaped, "|") + ")"},
	}

	exprs, err := deploy.DashboardExprs(e2eDashboardPath)
	if err != nil {
		t.Fatal(err)
	}
	if len(exprs) == 0 {
		t.Fatal("dashboard has no expressions")
	}
	for _, sel := range selections {
		t.Run("dashboard/"+sel.name, func(t *testing.T) {
			vars := map[string]string{
				"project":         sel.project,
				"__rate_interval": "1m",
				"__interval":      "5s",
				"__range":         "5m",
			}
			pending := map[string]string{} // expanded expression → its problem
			var order []string
			for _, e := range exprs {
				x := deploy.ExpandVariables(e, vars)
				if strings.Contains(x, "$") {
					t.Errorf("expression %q still holds a variable after expansion: %s", e, x)
					continue
				}
				if _, seen := pending[x]; !seen {
					order = append(order, x)
				}
				pending[x] = ""
			}
			// Rates need two samples and forecast series need an analysis
			// run, so each expression gets retried until it has data.
			ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
			defer cancel()
			queryUntilData(ctx, prom, pending)
			for _, x := range order {
				if problem, ok := pending[x]; ok {
					t.Errorf("dashboard expression returned no data:\n  query: %s\n  got:   %s", x, problem)
				}
			}
		})
	}

	t.Run("rules", func(t *testing.T) {
		want, err := deploy.RuleExprs(rulesPath)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		var rules []promRule
		waitUntil(ctx, t, "Prometheus to evaluate every rule", func() error {
			rules, err = prom.rules(ctx)
			if err != nil {
				return err
			}
			var notYet []string
			for _, r := range rules {
				if r.Health == "unknown" || r.LastEvaluation.IsZero() {
					notYet = append(notYet, r.Name)
				}
			}
			if len(rules) < len(want) || len(notYet) > 0 {
				return fmt.Errorf("%d of %d rules loaded; not evaluated yet: %v", len(rules), len(want), notYet)
			}
			return nil
		})
		got := map[string]promRule{}
		for _, r := range rules {
			got[r.Name] = r
		}
		for name := range want {
			r, ok := got[name]
			switch {
			case !ok:
				t.Errorf("rule %s: not loaded by Prometheus", name)
			case r.Health != "ok":
				t.Errorf("rule %s: health %q (%s), want ok", name, r.Health, r.LastError)
			}
		}
		// The demo syncs every few seconds, so the stale-sync alert must be
		// quiet: its expression has no series.
		if r, ok := got["RadarSyncStale"]; ok && r.State != "inactive" {
			t.Errorf("RadarSyncStale: state %q while the demo is syncing, want inactive", r.State)
		}
	})

	if code := stopDemo(); code != 0 {
		t.Errorf("radar demo: exit code %d, want 0", code)
	}
}

// queryUntilData queries every expression in pending once a second until
// it returns data (at least one series, not all NaN) or ctx ends, removing
// the ones that did from pending. What is left maps each expression to its
// last answer. Expressions Prometheus rejects are not retried.
func queryUntilData(ctx context.Context, prom *promServer, pending map[string]string) {
	rejected := map[string]bool{}
	poll := time.NewTicker(time.Second)
	defer poll.Stop()
	for {
		for x, last := range pending {
			if rejected[x] {
				continue
			}
			r, err := prom.query(ctx, x)
			var apiErr *promAPIError
			switch {
			case ctx.Err() != nil:
				if last == "" {
					pending[x] = "no answer before the deadline"
				}
				return
			case errors.As(err, &apiErr):
				pending[x] = err.Error()
				rejected[x] = true
			case err != nil:
				pending[x] = err.Error()
			case len(r.series) == 0:
				pending[x] = "empty result: " + r.raw
			case r.allNaN():
				pending[x] = "only NaN values: " + r.raw
			default:
				delete(pending, x)
			}
		}
		if len(pending) == len(rejected) {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-poll.C:
		}
	}
}

// startDemo runs `radar demo` in process on a free loopback port, waits
// until it has synced once, and returns its address and a function that
// stops it and returns its exit code. The demo's output is logged if the
// test fails.
func startDemo(t *testing.T) (addr string, stop func() int) {
	t.Helper()
	// The directory is made first so that it is removed after the demo
	// has stopped (cleanups run last-in first-out).
	db := filepath.Join(t.TempDir(), "radar.db")
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"demo",
			"--db", db,
			"--listen", "127.0.0.1:0",
			"--sync-every", "2s",
			"--tick", "1s",
			"--quiet",
		}, &stdout, &stderr, os.Getenv)
	}()
	var once sync.Once
	code := -1
	stop = func() int {
		once.Do(func() {
			cancel()
			select {
			case code = <-done:
			case <-time.After(30 * time.Second):
				t.Errorf("radar demo: still running 30s after its context was cancelled")
			}
		})
		return code
	}
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			t.Logf("radar demo stdout:\n%s", stdout.String())
			t.Logf("radar demo stderr:\n%s", stderr.String())
		}
	})

	wctx, wcancel := context.WithTimeout(ctx, 60*time.Second)
	defer wcancel()
	addrRE := regexp.MustCompile(`metrics\s+http://(\S+)/metrics`)
	waitUntil(wctx, t, "radar demo to print its address", func() error {
		select {
		case c := <-done:
			done <- c
			return fmt.Errorf("radar demo exited with code %d", c)
		default:
		}
		m := addrRE.FindStringSubmatch(stdout.String())
		if m == nil {
			return fmt.Errorf("no metrics address in its output yet")
		}
		addr = m[1]
		return nil
	})
	waitUntil(wctx, t, "radar demo to sync once (/readyz)", func() error {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err != nil {
			return err
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("/readyz: %s: %s", resp.Status, strings.TrimSpace(string(body)))
		}
		return nil
	})
	return addr, stop
}

// promServer is a running Prometheus and its HTTP API.
type promServer struct {
	base string
}

// startPrometheus starts prometheus scraping target every second with the
// rule file loaded, waits until it is ready, and stops it when the test
// ends. Its log is kept in a file and shown if the test fails.
func startPrometheus(t *testing.T, bin, target, rulesPath string) *promServer {
	t.Helper()
	dir := t.TempDir()
	cfg := fmt.Sprintf(`global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - %q
scrape_configs:
  - job_name: radar
    static_configs:
      - targets: [%q]
`, rulesPath, target)
	cfgPath := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	listen := freeLoopbackAddr(t)
	logPath := filepath.Join(dir, "prometheus.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin,
		"--config.file="+cfgPath,
		"--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--storage.tsdb.retention.time=1h",
		"--web.listen-address="+listen,
	)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		t.Fatalf("start prometheus: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
		logFile.Close()
		if t.Failed() {
			log, _ := os.ReadFile(logPath)
			t.Logf("prometheus log:\n%s", log)
		}
	})

	p := &promServer{base: "http://" + listen}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	waitUntil(ctx, t, "Prometheus to be ready", func() error {
		select {
		case err := <-exited:
			exited <- err
			return fmt.Errorf("prometheus exited: %v", err)
		default:
		}
		resp, err := http.Get(p.base + "/-/ready")
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("/-/ready: %s", resp.Status)
		}
		return nil
	})
	return p
}

// promResult is the answer to an instant query.
type promResult struct {
	series []float64 // one value per series (a scalar counts as one)
	raw    string    // the response body, for messages
}

func (r promResult) allNaN() bool {
	for _, v := range r.series {
		if !math.IsNaN(v) {
			return false
		}
	}
	return true
}

// query runs an instant query and returns its values. A response whose
// status is not "success" is an error carrying Prometheus's answer.
func (p *promServer) query(ctx context.Context, expr string) (promResult, error) {
	body, err := p.get(ctx, "/api/v1/query?"+url.Values{"query": {expr}}.Encode())
	if err != nil {
		return promResult{}, err
	}
	var resp struct {
		Status string `json:"status"`
		Data   struct {
			ResultType string          `json:"resultType"`
			Result     json.RawMessage `json:"result"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return promResult{}, fmt.Errorf("decode query answer %s: %w", body, err)
	}
	if resp.Status != "success" {
		return promResult{}, &promAPIError{body: string(body)}
	}
	r := promResult{raw: string(body)}
	switch resp.Data.ResultType {
	case "vector":
		var vec []struct {
			Value [2]any `json:"value"`
		}
		if err := json.Unmarshal(resp.Data.Result, &vec); err != nil {
			return promResult{}, fmt.Errorf("decode vector %s: %w", body, err)
		}
		for _, s := range vec {
			r.series = append(r.series, sampleValue(s.Value))
		}
	case "scalar":
		var s [2]any
		if err := json.Unmarshal(resp.Data.Result, &s); err != nil {
			return promResult{}, fmt.Errorf("decode scalar %s: %w", body, err)
		}
		r.series = append(r.series, sampleValue(s))
	default:
		return promResult{}, fmt.Errorf("result type %q, want vector or scalar: %s", resp.Data.ResultType, body)
	}
	return r, nil
}

// promAPIError is Prometheus refusing a query (a bad expression, for one).
type promAPIError struct{ body string }

func (e *promAPIError) Error() string { return "rejected by Prometheus: " + e.body }

// sampleValue reads the value of a [time, "value"] pair; Prometheus sends
// values as strings ("NaN" and "+Inf" included).
func sampleValue(v [2]any) float64 {
	s, _ := v[1].(string)
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return math.NaN()
	}
	return f
}

var labelValuesRE = regexp.MustCompile(`^\s*label_values\(\s*(?:(.+?)\s*,\s*)?(\w+)\s*\)\s*$`)

// variableValues answers a Grafana Prometheus variable query the way
// Grafana does: label_values(selector, label) asks the label values API
// with the selector as match[]; any other query is run as PromQL and
// yields one value per series.
func (p *promServer) variableValues(ctx context.Context, q string) ([]string, error) {
	m := labelValuesRE.FindStringSubmatch(q)
	if m == nil {
		r, err := p.query(ctx, q)
		if err != nil {
			return nil, err
		}
		var out []string
		for _, v := range r.series {
			out = append(out, strconv.FormatFloat(v, 'g', -1, 64))
		}
		return out, nil
	}
	v := url.Values{}
	if m[1] != "" {
		v.Set("match[]", m[1])
	}
	body, err := p.get(ctx, "/api/v1/label/"+url.PathEscape(m[2])+"/values?"+v.Encode())
	if err != nil {
		return nil, err
	}
	var resp struct {
		Status string   `json:"status"`
		Data   []string `json:"data"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return nil, fmt.Errorf("decode label values %s: %w", body, err)
	}
	if resp.Status != "success" {
		return nil, fmt.Errorf("status %q: %s", resp.Status, body)
	}
	slices.Sort(resp.Data)
	return resp.Data, nil
}

// promRule is one rule as /api/v1/rules reports it.
type promRule struct {
	Name           string    `json:"name"`
	Health         string    `json:"health"`
	State          string    `json:"state"` // alerting rules only
	LastError      string    `json:"lastError"`
	LastEvaluation time.Time `json:"lastEvaluation"`
}

func (p *promServer) rules(ctx context.Context) ([]promRule, error) {
	body, err := p.get(ctx, "/api/v1/rules")
	if err != nil {
		return nil, err
	}
	var resp struct {
		Status string `json:"status"`
		Data   struct {
			Groups []struct {
				Rules []promRule `json:"rules"`
			} `json:"groups"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return nil, fmt.Errorf("decode rules %s: %w", body, err)
	}
	if resp.Status != "success" {
		return nil, fmt.Errorf("status %q: %s", resp.Status, body)
	}
	var out []promRule
	for _, g := range resp.Data.Groups {
		out = append(out, g.Rules...)
	}
	return out, nil
}

func (p *promServer) get(ctx context.Context, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.base+path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	// The API answers errors (bad_data, 422) with a JSON body that says
	// why; let the caller decode it.
	if resp.StatusCode != http.StatusOK && !json.Valid(body) {
		return nil, fmt.Errorf("GET %s: %s: %s", path, resp.Status, body)
	}
	return body, nil
}

// waitUntil calls check every 200ms until it returns nil, failing the test
// with check's last error when ctx ends first.
func waitUntil(ctx context.Context, t *testing.T, what string, check func() error) {
	t.Helper()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		err := check()
		if err == nil {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("waiting for %s: %v (last problem: %v)", what, ctx.Err(), err)
		case <-tick.C:
		}
	}
}

// freeLoopbackAddr returns a loopback address whose port was free a moment
// ago, for programs that cannot report the port they picked.
func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// syncBuffer is a bytes.Buffer that several goroutines may write and read
// at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
