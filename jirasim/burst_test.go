package jirasim

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

func TestBurstLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := New(tinyScenario(), Options{})
		s.SetFaults(Faults{BurstLimit: 10})
		get := func() *httptest.ResponseRecorder {
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, httptest.NewRequest("GET", "/rest/api/2/field", nil))
			return rec
		}
		type answer struct {
			code      int
			remaining string
			near      string
		}
		var got []answer
		for range 11 {
			rec := get()
			got = append(got, answer{rec.Code, rec.Header().Get("X-RateLimit-Remaining"), rec.Header().Get("X-RateLimit-NearLimit")})
		}
		want := []answer{{200, "9", ""}, {200, "8", ""}, {200, "7", ""}, {200, "6", ""}, {200, "5", ""}, {200, "4", ""},
			{200, "3", ""}, {200, "2", ""}, {200, "1", "true"}, {200, "0", "true"}, {429, "0", "true"}}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("request %d: got %+v, want %+v", i+1, got[i], want[i])
			}
		}
		rec := get()
		h := rec.Header()
		if rec.Code != 429 || h.Get("Retry-After") != "1" || h.Get("RateLimit-Reason") != "jira-burst-based" ||
			h.Get("X-RateLimit-Limit") != "10" || h.Get("X-RateLimit-Reset") == "" {
			t.Errorf("empty bucket: %d with headers %v; want 429, Retry-After 1, jira-burst-based, limit 10, a reset", rec.Code, h)
		}
		var body struct{ ErrorMessages []string }
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || len(body.ErrorMessages) != 1 ||
			!strings.Contains(body.ErrorMessages[0], "Rate limit") {
			t.Errorf("429 body %q: want Jira's errorMessages", rec.Body.String())
		}
		if n := s.FaultCounts()[FaultBurstLimit]; n != 2 {
			t.Errorf("%d requests limited, want 2", n)
		}
		time.Sleep(300 * time.Millisecond) // 3 tokens back
		for i := range 3 {
			if rec := get(); rec.Code != 200 {
				t.Errorf("after the refill, request %d: %d, want 200", i+1, rec.Code)
			}
		}
		if rec := get(); rec.Code != 429 {
			t.Errorf("past the refill: %d, want 429", rec.Code)
		}
	})
}

func TestPageCap(t *testing.T) {
	ts := newTestServer(t, Cloud)
	ts.SetFaults(Faults{PageCap: 3})
	var page struct {
		Issues        []json.RawMessage `json:"issues"`
		NextPageToken string            `json:"nextPageToken"`
	}
	ts.getJSON(t, "POST", "/rest/api/3/search/jql", map[string]any{"jql": "project = PAY ORDER BY id ASC", "maxResults": 50, "fields": []string{"summary"}}, &page)
	if len(page.Issues) != 3 || page.NextPageToken == "" {
		t.Errorf("got %d issues, token %q; want 3 and a token for the rest", len(page.Issues), page.NextPageToken)
	}
}
