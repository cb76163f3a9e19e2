package jirasim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

var syncFields = []string{"summary", "status", "issuetype", "priority", "assignee", "created", "updated", "resolutiondate", "duedate", "labels", "fixVersions", "parent", "issuelinks", "timeoriginalestimate", "timeestimate", "timespent", "project"}

// searchPage serves one Cloud search page in process and decodes it.
func searchPage(tb testing.TB, s *Server, jql, token string, fields []string) jqlPage {
	q := url.Values{"jql": {jql}, "maxResults": {"100"}, "fields": {strings.Join(fields, ",")}}
	if token != "" {
		q.Set("nextPageToken", token)
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest("GET", "/rest/api/3/search/jql?"+q.Encode(), nil))
	if rec.Code != 200 {
		tb.Fatalf("search %q: %d %s", jql, rec.Code, rec.Body)
	}
	var p jqlPage
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		tb.Fatal(err)
	}
	return p
}

// partitionedSync lists every issue of the projects the way the connector
// does: id ranges of 5000, 100 per page, following nextPageToken.
func partitionedSync(tb testing.TB, s *Server, projects []string, fields []string) (keys []string, pages int) {
	for _, p := range projects {
		for lo := int64(10000); lo < s.st.nextIssueID; lo += 5000 {
			jql := fmt.Sprintf("project = %s AND id >= %d AND id < %d ORDER BY id ASC", p, lo, lo+5000)
			token := ""
			for {
				page := searchPage(tb, s, jql, token, fields)
				pages++
				for _, is := range page.Issues {
					keys = append(keys, is.Key)
				}
				if page.NextPageToken == nil {
					break
				}
				token = *page.NextPageToken
			}
		}
	}
	return keys, pages
}

func TestPartitionedSync(t *testing.T) {
	projects := []string{"A", "B", "C", "D"}
	sc := Generate(ScenarioConfig{Seed: 3, Projects: projects, IssuesPerProject: 3000, Now: testNow})
	s := New(sc, Options{Now: func() time.Time { return testNow }})
	keys, pages := partitionedSync(t, s, projects, syncFields)
	seen := map[string]bool{}
	for _, k := range keys {
		if seen[k] {
			t.Fatalf("%s listed twice", k)
		}
		seen[k] = true
	}
	if len(keys) != len(sc.Issues) {
		t.Errorf("got %d issues, want %d", len(keys), len(sc.Issues))
	}
	// 4 projects × 3 id ranges, each range's issues in 100-issue pages.
	if pages < 120 || pages > 140 {
		t.Errorf("got %d pages", pages)
	}
}

func bigServer(b *testing.B) (*Server, []string) {
	b.Helper()
	projects := []string{"P0", "P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8", "P9"}
	sc := Generate(ScenarioConfig{Seed: 1, Projects: projects, IssuesPerProject: 10000, Now: testNow})
	return New(sc, Options{Now: func() time.Time { return testNow }}), projects
}

// BenchmarkSearchPage serves one 100-issue page of a partitioned sync of
// a 100,000-issue site.
func BenchmarkSearchPage(b *testing.B) {
	s, _ := bigServer(b)
	q := url.Values{"jql": {"project = P3 AND id >= 40000 AND id < 45000 ORDER BY id ASC"}, "maxResults": {"100"}, "fields": {strings.Join(syncFields, ",")}}
	first := "/rest/api/3/search/jql?" + q.Encode()
	path := first
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != 200 {
			b.Fatal(rec.Code, rec.Body)
		}
		path = first
		if tok := nextToken(rec.Body.Bytes()); tok != "" {
			path = first + "&nextPageToken=" + tok
		}
	}
}

// nextToken finds the page token at the end of a search page without
// decoding the page, so that benchmarks measure the server.
func nextToken(body []byte) string {
	const k = `"nextPageToken":"`
	i := bytes.LastIndex(body, []byte(k))
	if i < 0 {
		return ""
	}
	rest := body[i+len(k):]
	return string(rest[:bytes.IndexByte(rest, '"')])
}

// BenchmarkFullSync serves all 100,000 issues with the sync's fields, as
// the connector pages through them (decoding is left out).
func BenchmarkFullSync(b *testing.B) {
	s, projects := bigServer(b)
	b.ResetTimer()
	for b.Loop() {
		issues := 0
		for _, p := range projects {
			for lo := int64(10000); lo < s.st.nextIssueID; lo += 5000 {
				q := url.Values{"jql": {fmt.Sprintf("project = %s AND id >= %d AND id < %d ORDER BY id ASC", p, lo, lo+5000)}, "maxResults": {"100"}, "fields": {strings.Join(syncFields, ",")}}
				path := "/rest/api/3/search/jql?" + q.Encode()
				for {
					rec := httptest.NewRecorder()
					s.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
					issues += bytes.Count(rec.Body.Bytes(), []byte(`{"expand":`))
					tok := nextToken(rec.Body.Bytes())
					if tok == "" {
						break
					}
					path = "/rest/api/3/search/jql?" + q.Encode() + "&nextPageToken=" + tok
				}
			}
		}
		if issues != 100000 {
			b.Fatalf("got %d issues", issues)
		}
	}
}

func BenchmarkGenerate100k(b *testing.B) {
	for b.Loop() {
		Generate(ScenarioConfig{Seed: 1, Projects: []string{"P0", "P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8", "P9"}, IssuesPerProject: 10000, Now: testNow})
	}
}
