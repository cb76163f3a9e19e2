package jirasim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

var testNow = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

const (
	testEmail = "radar@example.com"
	testToken = "s3cret-token"
)

// clock is a settable clock for the simulator.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var (
	demoOnce sync.Once
	demoSc   *Scenario
)

// demoScenario is generated once per test binary; servers copy it.
func demoScenario() *Scenario {
	demoOnce.Do(func() { demoSc = Generate(Demo(testNow)) })
	return demoSc
}

type testServer struct {
	*Server
	URL   string
	clock *clock
}

func newTestServer(t testing.TB, flavor Flavor) *testServer {
	t.Helper()
	c := &clock{t: testNow}
	s := New(demoScenario(), Options{Flavor: flavor, Email: testEmail, Token: testToken, Now: c.Now})
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	return &testServer{Server: s, URL: hs.URL, clock: c}
}

// do sends a request with valid credentials and returns status and body.
func (ts *testServer) do(t testing.TB, method, path string, body any) (int, []byte, http.Header) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, ts.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if ts.flavor == DataCenter {
		req.Header.Set("Authorization", "Bearer "+testToken)
	} else {
		req.SetBasicAuth(testEmail, testToken)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return resp.StatusCode, b, resp.Header
}

func (ts *testServer) getJSON(t testing.TB, method, path string, body, out any) {
	t.Helper()
	code, b, _ := ts.do(t, method, path, body)
	if code != http.StatusOK {
		t.Fatalf("%s %s: status %d: %s", method, path, code, b)
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("%s %s: decode: %v\n%s", method, path, err, b)
	}
}

// errorMessages decodes Jira's error body.
func errorMessages(t testing.TB, b []byte) []string {
	t.Helper()
	var e struct {
		ErrorMessages []string          `json:"errorMessages"`
		Errors        map[string]string `json:"errors"`
	}
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatalf("error body is not Jira's: %v: %s", err, b)
	}
	if e.Errors == nil {
		t.Errorf("error body lacks \"errors\": %s", b)
	}
	return e.ErrorMessages
}

// wireIssue is an issue as decoded from the wire.
type wireIssue struct {
	ID        string                     `json:"id"`
	Key       string                     `json:"key"`
	Fields    map[string]json.RawMessage `json:"fields"`
	Changelog *struct {
		StartAt, MaxResults, Total int
		Histories                  []json.RawMessage
	} `json:"changelog"`
}

type jqlPage struct {
	Issues        []wireIssue `json:"issues"`
	NextPageToken *string     `json:"nextPageToken"`
	IsLast        bool        `json:"isLast"`
	Total         *int        `json:"total"`
}

type timeT = time.Time

func strconvItoa(n int) string { return fmt.Sprint(n) }

// Sc returns the scenario the test server was built from.
func (ts *testServer) Sc() *Scenario { return demoScenario() }
