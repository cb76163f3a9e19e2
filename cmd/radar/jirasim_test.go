package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// lineWriter hands each written line to a channel.
type lineWriter struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	lines chan string
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	for {
		line, err := w.buf.ReadString('\n')
		if err != nil {
			w.buf.WriteString(line)
			return len(p), nil
		}
		w.lines <- line
	}
}

func TestJiraSimCommand(t *testing.T) {
	for _, scenario := range []string{"demo", "realistic"} {
		t.Run(scenario, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			out := &lineWriter{lines: make(chan string, 10)}
			var stderr bytes.Buffer
			getenv := func(k string) string {
				if k == "RADAR_SIM_TOKEN" {
					return "sim-token"
				}
				return ""
			}
			done := make(chan int, 1)
			go func() {
				done <- run(ctx, []string{"jira-sim", "--listen", "127.0.0.1:0", "--flavor", "datacenter", "--projects", "ABC,XYZ", "--issues", "60", "--scenario", scenario}, out, &stderr, getenv)
			}()
			var line string
			select {
			case line = <-out.lines:
			case code := <-done:
				t.Fatalf("jira-sim exited with %d: %s", code, stderr.String())
			}
			m := regexp.MustCompile(`at (http://127\.0\.0\.1:\d+)\n$`).FindStringSubmatch(line)
			if m == nil || !strings.Contains(line, "datacenter") || !strings.Contains(line, scenario+" scenario") {
				t.Fatalf("got first line %q, want the URL", line)
			}

			get := func(auth string) (int, map[string]any) {
				req, _ := http.NewRequest("GET", m[1]+"/rest/api/2/search?jql=project%3DXYZ&maxResults=1", nil)
				if auth != "" {
					req.Header.Set("Authorization", auth)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				var body map[string]any
				json.NewDecoder(resp.Body).Decode(&body)
				return resp.StatusCode, body
			}
			if code, _ := get(""); code != http.StatusUnauthorized {
				t.Errorf("without the token from RADAR_SIM_TOKEN: got %d, want 401", code)
			}
			if code, body := get("Bearer sim-token"); code != 200 || body["total"] != float64(60) {
				t.Errorf("got %d %v, want 200 with total 60", code, body["total"])
			}

			cancel()
			if code := <-done; code != 0 {
				t.Errorf("exit code %d after cancel: %s", code, stderr.String())
			}
		})
	}
}

func TestJiraSimCommandUsage(t *testing.T) {
	for _, args := range [][]string{
		{"jira-sim", "--flavor", "server"},
		{"jira-sim", "--issues", "0"},
		{"jira-sim", "--scenario", "huge"},
		{"jira-sim", "--projects", " , "},
		{"jira-sim", "--projects", "a-b"},
		{"jira-sim", "--projects", "PAY,1WEB"},
		{"jira-sim", "--outside-project", "x y"},
		{"jira-sim", "--issues", "100000000"},
		{"jira-sim", "--projects", "A,B,C", "--issues", "40000"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), args, &stdout, &stderr, func(string) string { return "" }); code != 2 {
			t.Errorf("%v: got exit %d, want 2 (%s)", args, code, stderr.String())
		}
	}
}

// TestJiraSimStopsWhileGenerating: a signal (ctx cancelled) during a long
// generation stops the command at once rather than when it is done.
func TestJiraSimStopsWhileGenerating(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"jira-sim", "--listen", "127.0.0.1:0", "--projects", "PAY,WEB", "--issues", "50000"}, &stdout, &stderr, func(string) string { return "" })
	}()
	cancel()
	select {
	case code := <-done:
		if code != 1 || !strings.Contains(stderr.String(), "stopped while generating") {
			t.Errorf("exit %d, stderr %q; want 1 saying it stopped while generating", code, stderr.String())
		}
	case <-time.After(2 * time.Second):
		t.Fatal("jira-sim went on generating after the signal")
	}
}
