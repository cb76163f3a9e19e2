package connector_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/radarhq/radar/config"
	"github.com/radarhq/radar/connector"
	"github.com/radarhq/radar/store/storetest"
)

// waits is a fake clock for the connector's waits: each sleep moves it on
// and is recorded, so the tests see every wait without taking it.
type waits struct {
	mu    sync.Mutex
	now   time.Time
	slept []time.Duration
}

func (w *waits) Now() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.now
}

func (w *waits) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.now = w.now.Add(d)
	w.slept = append(w.slept, d)
	return ctx.Err()
}

// retryWaits are the waits of a second or more: the retries' (backoff is
// at least 0.7 s here), not the pacer's spacing of a millisecond.
func (w *waits) retryWaits() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []time.Duration
	for _, d := range w.slept {
		if d >= 500*time.Millisecond {
			out = append(out, d)
		}
	}
	return out
}

// retrySync runs one sync against url with cfg changed by setup, a fake
// clock for the waits and an optional HTTP client, and returns the waits
// and the sync's error.
func retrySync(t *testing.T, url string, hc *http.Client, setup func(*connector.Settings)) (*waits, error) {
	t.Helper()
	cfg := connector.SettingsFrom(config.Default().Jira)
	cfg.URL, cfg.Token, cfg.Email = url, "s3cret-token", "pm@example.com"
	cfg.Flavor = "cloud"
	cfg.Projects = []string{"PAY"}
	cfg.Concurrency = 1
	if setup != nil {
		setup(&cfg)
	}
	st := storetest.Open(t)
	w := &waits{now: time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)}
	c, err := connector.New(cfg, st, hc, connector.WithWaits(w.Now, w.Sleep), connector.WithBackoff(time.Second, time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Sync(context.Background(), false)
	return w, err
}

// answering serves every request with status, headers and body, counting
// them.
func answering(t *testing.T, status int, hdr map[string]string, body string) (*httptest.Server, *atomic.Int64) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		for k, v := range hdr {
			w.Header().Set(k, v)
		}
		if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		}
		w.WriteHeader(status)
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

const rateLimited = `{"errorMessages":["Rate limit exceeded."]}`

func TestRetryRules(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		hdr      map[string]string
		body     string
		setup    func(*connector.Settings)
		wantErr  []string // parts of the error
		requests int64
		waits    int
		minWait  time.Duration // each retry wait at least this
	}{
		{name: "no wait after the last retry", status: 500, body: `{"errorMessages":["Internal server error"]}`,
			setup:   func(j *connector.Settings) { j.MaxRetries = 2 },
			wantErr: []string{"gave up after 2 retries", "Internal server error"}, requests: 3, waits: 2},
		{name: "no retries, no wait", status: 500, body: `{"errorMessages":["Internal server error"]}`,
			setup:   func(j *connector.Settings) { j.MaxRetries = 0 },
			wantErr: []string{"gave up after 0 retries"}, requests: 1, waits: 0},
		{name: "Retry-After is the least wait", status: 429, hdr: map[string]string{"Retry-After": "30"}, body: rateLimited,
			setup:   func(j *connector.Settings) { j.MaxRetries = 2 },
			wantErr: []string{"gave up after 2 retries", "Rate limit exceeded."}, requests: 3, waits: 2, minWait: 30 * time.Second},
		{name: "Retry-After past jira.max_retry_after fails at once", status: 429, hdr: map[string]string{"Retry-After": "86400"}, body: rateLimited,
			setup:    func(j *connector.Settings) { j.MaxRetries = 0 },
			wantErr:  []string{"Rate limit exceeded.", "Jira asked to wait 24h0m0s", "more than jira.max_retry_after (5m0s)", "raise jira.max_retry_after"},
			requests: 1, waits: 0},
		{name: "503 Retry-After past the cap fails at once too", status: 503, hdr: map[string]string{"Retry-After": "600"},
			body: `{"errorMessages":["Service Unavailable"]}`, setup: func(j *connector.Settings) { j.MaxRetries = 6 },
			wantErr: []string{"Jira asked to wait 10m0s"}, requests: 1, waits: 0},
		{name: "a quota reset past the cap fails at once", status: 429,
			hdr: map[string]string{"X-RateLimit-Reset": time.Now().Add(48 * time.Hour).UTC().Format("2006-01-02T15:04Z"),
				"RateLimit-Reason": "jira-quota-tenant-based"}, body: rateLimited,
			setup:   func(j *connector.Settings) { j.MaxRetries = 6 },
			wantErr: []string{"Rate limit exceeded.", "Jira asked to wait 4", "more than jira.max_retry_after"}, requests: 1, waits: 0},
		{name: "a raised cap honours the wait", status: 429, hdr: map[string]string{"Retry-After": "600"}, body: rateLimited,
			setup:   func(j *connector.Settings) { j.MaxRetries = 1; j.MaxRetryAfter = time.Hour },
			wantErr: []string{"gave up after 1 retries"}, requests: 2, waits: 1, minWait: 10 * time.Minute},
		{name: "an HTML page is not retried", status: 200, hdr: map[string]string{"Content-Type": "text/html; charset=utf-8"},
			body:     "<!DOCTYPE html><html><head><title>Log in</title></head><body>Sign in with SSO</body></html>",
			wantErr:  []string{"jira.url answered an HTML page, not Jira's REST API: check the URL, context path or single-sign-on proxy"},
			requests: 1, waits: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, n := answering(t, tt.status, tt.hdr, tt.body)
			w, err := retrySync(t, srv.URL, nil, tt.setup)
			if err == nil {
				t.Fatal("sync succeeded")
			}
			t.Log(err)
			for _, part := range tt.wantErr {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("err = %v\nwant it to say %q", err, part)
				}
			}
			if got := n.Load(); got != tt.requests {
				t.Errorf("%d requests, want %d", got, tt.requests)
			}
			ws := w.retryWaits()
			if len(ws) != tt.waits {
				t.Errorf("waited %v, want %d waits", ws, tt.waits)
			}
			for _, d := range ws {
				if d < tt.minWait {
					t.Errorf("waited %v, less than the %v asked", d, tt.minWait)
				}
			}
		})
	}
}

// Jira that cannot be reached at jira.url fails a sync at once, naming the
// setting, without a single retry.
func TestUnreachableJiraFailsAtOnce(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	refusedURL := closed.URL
	closed.Close()
	tlsSrv := httptest.NewTLSServer(http.NotFoundHandler())
	t.Cleanup(tlsSrv.Close)
	noDNS := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, _ := net.SplitHostPort(addr)
		return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}}
	}}}
	tests := []struct {
		name string
		url  string
		hc   *http.Client
		want string
	}{
		{"connection refused", refusedURL, nil, "connection refused"},
		{"no such host", "https://jira.example.invalid", noDNS, "does not resolve"},
		{"untrusted certificate", tlsSrv.URL, nil, "TLS certificate is not trusted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := retrySync(t, tt.url, tt.hc, func(j *connector.Settings) { j.MaxRetries = 6 })
			if err == nil {
				t.Fatal("sync succeeded")
			}
			t.Log(err)
			for _, part := range []string{"cannot reach jira.url " + tt.url, tt.want, "check jira.url"} {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("err = %v\nwant it to say %q", err, part)
				}
			}
			if ws := w.retryWaits(); len(ws) != 0 {
				t.Errorf("waited %v before failing; want no retries", ws)
			}
		})
	}
}
