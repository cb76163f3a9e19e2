package jirasim

import (
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

func TestAuth(t *testing.T) {
	cloud, dc := newTestServer(t, Cloud), newTestServer(t, DataCenter)
	for _, tc := range []struct {
		name string
		ts   *testServer
		set  func(*http.Request)
		want int
	}{
		{"cloud basic", cloud, func(r *http.Request) { r.SetBasicAuth(testEmail, testToken) }, 200},
		{"cloud none", cloud, func(r *http.Request) {}, 401},
		{"cloud wrong token", cloud, func(r *http.Request) { r.SetBasicAuth(testEmail, "nope") }, 401},
		{"cloud wrong email", cloud, func(r *http.Request) { r.SetBasicAuth("x@example.com", testToken) }, 401},
		{"cloud bearer", cloud, func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+testToken) }, 401},
		{"dc bearer", dc, func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+testToken) }, 200},
		{"dc basic", dc, func(r *http.Request) { r.SetBasicAuth(testEmail, testToken) }, 200},
		{"dc wrong bearer", dc, func(r *http.Request) { r.Header.Set("Authorization", "Bearer nope") }, 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", tc.ts.URL+"/rest/api/2/field", nil)
			tc.set(req)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Fatalf("got %d, want %d", resp.StatusCode, tc.want)
			}
			if tc.want == 401 {
				if msgs := errorMessages(t, b); len(msgs) != 1 || msgs[0] != notAuthenticated {
					t.Errorf("got %q", msgs)
				}
				if strings.Contains(string(b), testToken) {
					t.Errorf("error body leaks the token")
				}
			}
		})
	}
	t.Run("no token configured", func(t *testing.T) {
		hs := httptest.NewServer(New(tinyScenario(), Options{}))
		defer hs.Close()
		resp, err := http.Get(hs.URL + "/rest/api/2/field")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("got %d, want 200", resp.StatusCode)
		}
	})
}

func TestFaults(t *testing.T) {
	const searchPath = "/rest/api/3/search/jql?jql=project%3DPAY&fields=summary"
	for _, tc := range []struct {
		name   string
		faults Faults
		check  func(t *testing.T, ts *testServer)
		counts map[string]int
	}{
		{"rate limit", Faults{RateLimitRate: 1, RetryAfter: time.Second, RateLimitReason: "jira-quota-tenant-based"}, func(t *testing.T, ts *testServer) {
			code, b, h := ts.do(t, "GET", searchPath, nil)
			if code != 429 || h.Get("Retry-After") != "1" || h.Get("X-RateLimit-Limit") == "" || h.Get("X-RateLimit-Remaining") != "0" || h.Get("X-RateLimit-Reset") == "" || h.Get("RateLimit-Reason") != "jira-quota-tenant-based" {
				t.Errorf("got %d %v", code, h)
			}
			errorMessages(t, b)
		}, map[string]int{FaultRateLimit: 1}},
		{"retry-after as HTTP date", Faults{RateLimitRate: 1, RetryAfter: 30 * time.Second, RetryAfterHTTPDate: true}, func(t *testing.T, ts *testServer) {
			code, _, h := ts.do(t, "GET", searchPath, nil)
			at, err := http.ParseTime(h.Get("Retry-After"))
			if code != 429 || err != nil || !at.Equal(testNow.Add(30*time.Second)) {
				t.Errorf("got %d Retry-After %q (%v)", code, h.Get("Retry-After"), err)
			}
		}, map[string]int{FaultRateLimit: 1}},
		{"service unavailable", Faults{ServiceUnavailableRate: 1, RetryAfter: 0}, func(t *testing.T, ts *testServer) {
			code, _, h := ts.do(t, "GET", searchPath, nil)
			if code != 503 || h.Get("Retry-After") != "0" {
				t.Errorf("got %d Retry-After %q", code, h.Get("Retry-After"))
			}
		}, map[string]int{FaultServiceUnavailable: 1}},
		{"server errors", Faults{ServerErrorRate: 1, Seed: 3}, func(t *testing.T, ts *testServer) {
			seen := map[int]bool{}
			for i := 0; i < 20; i++ {
				code, b, h := ts.do(t, "GET", searchPath, nil)
				seen[code] = true
				if code == 502 && !strings.HasPrefix(h.Get("Content-Type"), "text/html") {
					t.Errorf("502 without an HTML body: %s", b)
				}
			}
			if !seen[500] || !seen[502] || len(seen) != 2 {
				t.Errorf("got codes %v, want 500 and 502", seen)
			}
		}, map[string]int{FaultServerError: 20}},
		{"connection reset", Faults{ResetRate: 1}, func(t *testing.T, ts *testServer) {
			req, _ := http.NewRequest("GET", ts.URL+searchPath, nil)
			req.SetBasicAuth(testEmail, testToken)
			resp, err := http.DefaultClient.Do(req)
			if err == nil {
				_, err = io.ReadAll(resp.Body)
				resp.Body.Close()
			}
			if err == nil {
				t.Errorf("got a whole response, want a broken connection")
			}
		}, map[string]int{FaultReset: 1}},
		{"truncated body", Faults{TruncateRate: 1}, func(t *testing.T, ts *testServer) {
			code, b, _ := ts.do(t, "GET", searchPath, nil)
			var v any
			if code != 200 || json.Unmarshal(b, &v) == nil || len(b) == 0 {
				t.Errorf("got %d with %d bytes that decode: want a 200 with cut JSON", code, len(b))
			}
		}, map[string]int{FaultTruncate: 1}},
		{"unauthorized", Faults{Unauthorized: true}, func(t *testing.T, ts *testServer) {
			if code, _, _ := ts.do(t, "GET", "/rest/api/2/field", nil); code != 401 {
				t.Errorf("got %d, want 401", code)
			}
		}, map[string]int{FaultUnauthorized: 1}},
		{"forbidden", Faults{Forbidden: true}, func(t *testing.T, ts *testServer) {
			if code, _, _ := ts.do(t, "GET", "/rest/api/2/field", nil); code != 403 {
				t.Errorf("got %d, want 403", code)
			}
		}, map[string]int{FaultForbidden: 1}},
		{"fail next", Faults{FailNext: 2}, func(t *testing.T, ts *testServer) {
			var codes []int
			for i := 0; i < 3; i++ {
				code, _, _ := ts.do(t, "GET", "/rest/api/2/field", nil)
				codes = append(codes, code)
			}
			if !slices.Equal(codes, []int{500, 500, 200}) {
				t.Errorf("got %v", codes)
			}
		}, map[string]int{FaultFailNext: 2}},
		{"only some endpoints", Faults{RateLimitRate: 1, Only: []string{"changelog"}}, func(t *testing.T, ts *testServer) {
			if code, _, _ := ts.do(t, "GET", searchPath, nil); code != 200 {
				t.Errorf("search: got %d, want 200", code)
			}
			if code, _, _ := ts.do(t, "POST", "/rest/api/3/changelog/bulkfetch", map[string]any{"issueIdsOrKeys": []string{"PAY-1"}}); code != 429 {
				t.Errorf("changelog: got %d, want 429", code)
			}
		}, map[string]int{FaultRateLimit: 1}},
		{"expired tokens", Faults{ExpireTokens: true}, func(t *testing.T, ts *testServer) {
			var p jqlPage
			ts.getJSON(t, "GET", searchPath+"&maxResults=10", nil, &p)
			code, b, _ := ts.do(t, "GET", searchPath+"&maxResults=10&nextPageToken="+*p.NextPageToken, nil)
			if msgs := errorMessages(t, b); code != 400 || len(msgs) != 1 || msgs[0] != msgInvalidToken {
				t.Errorf("got %d %q", code, msgs)
			}
		}, map[string]int{FaultExpiredToken: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestServer(t, Cloud)
			ts.SetFaults(tc.faults)
			tc.check(t, ts)
			got := ts.FaultCounts()
			for k, v := range tc.counts {
				if got[k] != v {
					t.Errorf("fault count %s: got %d, want %d (all: %v)", k, got[k], v, got)
				}
			}
		})
	}
}

func TestFaultsDeterministicRate(t *testing.T) {
	codes := func() []int {
		s := New(tinyScenario(), Options{})
		s.SetFaults(Faults{Seed: 42, RateLimitRate: 0.2, ServiceUnavailableRate: 0.1})
		var out []int
		for i := 0; i < 300; i++ {
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, httptest.NewRequest("GET", "/rest/api/2/field", nil))
			out = append(out, rec.Code)
		}
		return out
	}
	a, b := codes(), codes()
	if !slices.Equal(a, b) {
		t.Fatal("same seed gave different fault sequences")
	}
	n429, n503 := 0, 0
	for _, c := range a {
		switch c {
		case 429:
			n429++
		case 503:
			n503++
		}
	}
	if n429 < 40 || n429 > 80 || n503 < 15 || n503 > 45 {
		t.Errorf("got %d×429 and %d×503 of 300, want about 60 and 30", n429, n503)
	}
}

func TestLatency(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := New(tinyScenario(), Options{})
		s.SetFaults(Faults{Latency: 3 * time.Second})
		start := time.Now()
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest("GET", "/rest/api/2/field", nil))
		if got := time.Since(start); got != 3*time.Second || rec.Code != 200 {
			t.Errorf("got %d after %v, want 200 after 3s", rec.Code, got)
		}

		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(time.Second, cancel)
		start = time.Now()
		rec = httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest("GET", "/rest/api/2/field", nil).WithContext(ctx))
		if got := time.Since(start); got != time.Second || rec.Body.Len() != 0 {
			t.Errorf("cancelled request: returned after %v with %d bytes, want after 1s with none", got, rec.Body.Len())
		}
	})
}

func TestRequestCounts(t *testing.T) {
	ts := newTestServer(t, Cloud)
	ts.do(t, "GET", "/rest/api/2/field", nil)
	ts.do(t, "GET", "/rest/api/3/field", nil)
	ts.do(t, "POST", "/rest/api/3/search/jql", map[string]any{"jql": "project = PAY"})
	ts.do(t, "GET", "/rest/api/2/search", nil)
	ts.do(t, "GET", "/rest/api/2/nothing", nil)
	want := map[string]int{"field": 2, "search": 1, "searchGone": 1, "notFound": 1}
	if got := ts.Requests(); !maps.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	ts.ResetRequests()
	if got := ts.Requests(); len(got) != 0 {
		t.Errorf("after reset: got %v", got)
	}
}

func TestLatencySpike(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := New(tinyScenario(), Options{})
		s.SetFaults(Faults{SpikeRate: 1, Spike: 5 * time.Second, Latency: time.Second})
		start := time.Now()
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest("GET", "/rest/api/2/field", nil))
		if got := time.Since(start); got != 6*time.Second || rec.Code != 200 || rec.Body.Len() == 0 {
			t.Errorf("got %d with %d bytes after %v, want a whole 200 after 6s (latency plus spike)", rec.Code, rec.Body.Len(), got)
		}

		// A client that gives up before the spike ends gets nothing.
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		start = time.Now()
		rec = httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest("GET", "/rest/api/2/field", nil).WithContext(ctx))
		if got := time.Since(start); got != 2*time.Second || rec.Body.Len() != 0 {
			t.Errorf("timed-out request: returned after %v with %d bytes, want after 2s with none", got, rec.Body.Len())
		}
		if got := s.FaultCounts()[FaultLatencySpike]; got != 2 {
			t.Errorf("spikes counted: got %d, want 2", got)
		}

		// Without a spike drawn, only the latency applies.
		s.SetFaults(Faults{SpikeRate: 0, Spike: 5 * time.Second})
		start = time.Now()
		rec = httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest("GET", "/rest/api/2/field", nil))
		if got := time.Since(start); got != 0 || rec.Code != 200 {
			t.Errorf("got %d after %v, want 200 at once", rec.Code, got)
		}
	})
}

func TestSpikeRate(t *testing.T) {
	s := New(tinyScenario(), Options{})
	s.SetFaults(Faults{Seed: 5, SpikeRate: 0.25, Spike: time.Nanosecond})
	for i := 0; i < 400; i++ {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest("GET", "/rest/api/2/field", nil))
		if rec.Code != 200 {
			t.Fatalf("request %d: got %d, want 200 (a spike only delays)", i, rec.Code)
		}
	}
	if n := s.FaultCounts()[FaultLatencySpike]; n < 70 || n > 130 {
		t.Errorf("got %d spikes of 400, want about 100", n)
	}
}

func TestMaxFaults(t *testing.T) {
	s := New(tinyScenario(), Options{})
	codes := func(n int) []int {
		var out []int
		for i := 0; i < n; i++ {
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, httptest.NewRequest("GET", "/rest/api/2/field", nil))
			out = append(out, rec.Code)
		}
		return out
	}
	s.SetFaults(Faults{RateLimitRate: 1, MaxFaults: 3})
	if got, want := codes(5), []int{429, 429, 429, 200, 200}; !slices.Equal(got, want) {
		t.Errorf("storm of 3: got %v, want %v", got, want)
	}
	// SetFaults starts a new budget; the counts add up.
	s.SetFaults(Faults{ServerErrorRate: 1, MaxFaults: 1})
	if got := codes(2); got[0] < 500 || got[1] != 200 {
		t.Errorf("budget of 1: got %v, want a 5xx then 200", got)
	}
	if got, want := s.FaultCounts(), map[string]int{FaultRateLimit: 3, FaultServerError: 1}; !maps.Equal(got, want) {
		t.Errorf("counts: got %v, want %v", got, want)
	}
}

// A delayed request whose client gave up ends at once, a POST with a body
// too (the server notices a closed connection only once the body is read).
func TestDelayEndsWhenTheClientGivesUp(t *testing.T) {
	for _, tc := range []struct {
		name   string
		faults Faults
	}{
		{"latency", Faults{Latency: time.Hour}},
		{"spike", Faults{SpikeRate: 1, Spike: time.Hour}},
	} {
		for _, method := range []string{"GET", "POST"} {
			t.Run(tc.name+" "+method, func(t *testing.T) {
				s := New(tinyScenario(), Options{Flavor: Cloud})
				s.SetFaults(tc.faults)
				ended := make(chan struct{}, 1)
				hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					s.ServeHTTP(w, r)
					ended <- struct{}{}
				}))
				// Closed only once the handler ended: Close waits for it.
				ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
				defer cancel()
				var body io.Reader // a GET has none
				if method == "POST" {
					body = strings.NewReader(`{"jql":"project = PAY","fields":["summary"]}`)
				}
				req, _ := http.NewRequestWithContext(ctx, method, hs.URL+"/rest/api/3/search/jql?jql=project%3DPAY", body)
				req.Header.Set("Content-Type", "application/json")
				if resp, err := http.DefaultClient.Do(req); err == nil {
					resp.Body.Close()
					hs.Close()
					t.Fatalf("got %d, want the client to time out", resp.StatusCode)
				}
				// Not a timing assertion: without the fix the handler runs
				// for the hour of its delay.
				select {
				case <-ended:
					hs.Close()
				case <-time.After(20 * time.Second):
					t.Fatal("the handler still waits after its client gave up")
				}
			})
		}
	}
}
