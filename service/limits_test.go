package service_test

import (
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/radarhq/radar/service"
)

func TestHTTPLimits(t *testing.T) {
	w := newWorld(t, 20)
	w.cfg.Schedule.Sync = "@every 1h"
	r := start(t, w.cfg, service.Options{ReadHeaderTimeout: 200 * time.Millisecond})
	base := "http://" + r.addr

	do := func(method, path string, body io.Reader, header http.Header) (int, string) {
		t.Helper()
		req, err := http.NewRequest(method, base+path, body)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range header {
			req.Header[k] = v
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	tests := []struct {
		name   string
		method string
		path   string
		body   io.Reader
		header http.Header
		want   int
	}{
		{"plain request", "GET", "/healthz", nil, nil, http.StatusOK},
		{"header within the cap", "GET", "/healthz", nil, http.Header{"X-Pad": {strings.Repeat("a", service.MaxHeaderBytes/2)}}, http.StatusOK},
		{"oversized header", "GET", "/healthz", nil, http.Header{"X-Pad": {strings.Repeat("a", 4*service.MaxHeaderBytes)}}, http.StatusRequestHeaderFieldsTooLarge},
		{"header just over 16 KiB", "GET", "/healthz", nil, http.Header{"X-Pad": {strings.Repeat("a", 20000)}}, http.StatusRequestHeaderFieldsTooLarge},
		{"GET with a body", "GET", "/healthz", strings.NewReader("hello"), nil, http.StatusRequestEntityTooLarge},
		{"POST with a large body", "POST", "/api/findings", strings.NewReader(strings.Repeat("x", 1<<20)), nil, http.StatusRequestEntityTooLarge},
		{"Slack interaction over its cap", "POST", "/slack/interactions", strings.NewReader(strings.Repeat("x", 300<<10)), nil, http.StatusRequestEntityTooLarge},
		{"ack body over its cap", "POST", "/api/findings/blocker:PAY-1/ack", strings.NewReader(strings.Repeat("x", service.MaxAckBytes+1)), nil, http.StatusRequestEntityTooLarge},
		{"chunked body", "GET", "/metrics", io.MultiReader(strings.NewReader("chunk")), nil, http.StatusRequestEntityTooLarge},
		{"query within the cap", "GET", "/healthz?pad=" + strings.Repeat("a", service.MaxQueryBytes-10), nil, nil, http.StatusOK},
		{"query over the cap", "GET", "/api/findings?project=" + strings.Repeat("a", service.MaxQueryBytes), nil, nil, http.StatusRequestURITooLong},
		{"sign-in form", "POST", "/signin", strings.NewReader("token=x&next=%2Fhealthz"), http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, http.StatusOK}, // redirected to next
		{"sign-in form too large", "POST", "/signin", strings.NewReader("token=" + strings.Repeat("x", 1<<20)), http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if code, body := do(tt.method, tt.path, tt.body, tt.header); code != tt.want {
				t.Errorf("got %d %q, want %d", code, body, tt.want)
			}
		})
	}
}

// TestSlowHeadersAreCutOff sends half a request and nothing more: the
// server closes the connection once ReadHeaderTimeout has passed, instead
// of holding it open for as long as the client likes.
func TestSlowHeadersAreCutOff(t *testing.T) {
	w := newWorld(t, 20)
	w.cfg.Schedule.Sync = "@every 1h"
	r := start(t, w.cfg, service.Options{ReadHeaderTimeout: 200 * time.Millisecond})

	conn, err := net.Dial("tcp", r.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: radar\r\nX-Slow: "); err != nil {
		t.Fatal(err)
	}
	// A bound for the test only: the server must act long before it.
	conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	got, err := io.ReadAll(conn)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatal("the server kept a connection with unfinished headers open")
	}
	if strings.Contains(string(got), "200 OK") {
		t.Errorf("the server answered an unfinished request: %q", got)
	}

	// A client that finishes in time is served on a fresh connection.
	if code, _ := get(t, "http://"+r.addr+"/healthz", ""); code != http.StatusOK {
		t.Errorf("/healthz = %d after the slow client", code)
	}
}
