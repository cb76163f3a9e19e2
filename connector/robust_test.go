package connector_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/radarhq/radar/config"
	"github.com/radarhq/radar/connector"
	"github.com/radarhq/radar/jirasim"
	"github.com/radarhq/radar/store"
	"github.com/radarhq/radar/store/storetest"
)

// A slow incremental sync (429 pauses, retries) must not let its relative
// updated window slide past the watermark: every update lands.
func TestSlowIncrementalSyncMissesNothing(t *testing.T) {
	for _, flavor := range []jirasim.Flavor{jirasim.Cloud, jirasim.DataCenter} {
		t.Run(string(flavor), func(t *testing.T) {
			r := newRig(t, flavor)
			r.cfg.PageSize = 10
			r.cfg.Concurrency = 1 // the clock jumps inside requests: none may be in flight then
			r.sync(false)
			r.clock.Advance(15 * time.Minute)
			n := 0
			for _, is := range r.sim.Issues() {
				if is.Project == "PAY" && n < 60 {
					n++
					if err := r.sim.UpdateIssue(is.Key, func(x *jirasim.Issue) { x.Summary += " (updated)" }); err != nil {
						t.Fatal(err)
					}
				}
			}
			// Every search after the first takes ten minutes of Jira's and
			// Radar's clock.
			var searches atomic.Int32
			slow := func(req *http.Request) {
				if strings.Contains(req.URL.Path, "search") && searches.Add(1) > 1 {
					r.clock.Advance(10 * time.Minute)
				}
			}
			r.hook.Store(&slow)
			r.sync(false)
			r.hook.Store(nil)
			if searches.Load() < 3 {
				t.Fatalf("only %d searches: the test needs several pages", searches.Load())
			}
			assertMatchesSim(t, r)
		})
	}
}

// An issue created while a sync runs is not marked removed by that sync's
// reconciliation, whose listing predates it.
func TestIssueCreatedDuringSyncIsNotRemoved(t *testing.T) {
	r := newRig(t, jirasim.Cloud)
	r.cfg.ReconcileEvery = time.Hour
	r.sync(false)
	r.clock.Advance(2 * time.Hour) // reconciliation due
	var once sync.Once
	var created string
	add := func(req *http.Request) {
		// After the listing (a search asking for id/key only), before the
		// incremental search.
		if strings.Contains(req.URL.Path, "search") {
			body, _ := readBody(req)
			if strings.Contains(body, `"fields":["id","key"]`) {
				once.Do(func() {
					k, err := r.sim.AddIssue(jirasim.Issue{Project: "PAY", Type: "Task", Summary: "born mid-sync", Status: r.sim.Statuses()[0].ID})
					if err != nil {
						t.Error(err)
					}
					created = k
				})
			}
		}
	}
	r.hook.Store(&add)
	r.sync(false)
	r.hook.Store(nil)
	if created == "" {
		t.Fatal("no issue created during the sync")
	}
	is, ok := storedIssue(t, r.store, "key", created)
	if !ok {
		t.Fatalf("issue %s not synced", created)
	}
	if _, removed := is["removed_at"]; removed {
		t.Errorf("issue %s created during the sync was marked removed", created)
	}
	assertMatchesSim(t, r)
}

// readBody reads a request body and puts it back.
func readBody(req *http.Request) (string, error) {
	if req.Body == nil {
		return "", nil
	}
	var b bytes.Buffer
	if _, err := b.ReadFrom(req.Body); err != nil {
		return "", err
	}
	req.Body.Close()
	req.Body = readCloser{bytes.NewReader(b.Bytes())}
	return b.String(), nil
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

// Dropping a project from the configuration retires its issues; adding it
// back syncs it whole.
func TestDroppedProjectIsRetired(t *testing.T) {
	r := newRig(t, jirasim.DataCenter)
	r.sync(false)
	r.cfg.Projects = []string{"PAY"}
	r.clock.Advance(time.Minute)
	res := r.sync(false)
	web := storetest.Count(t, r.store, "issues", func(is storetest.Row) bool {
		_, removed := is["removed_at"]
		return is["project"] == "WEB" && !removed
	})
	if web != 0 || res.Removed == 0 {
		t.Errorf("after dropping WEB: %d WEB issues live, %d removed", web, res.Removed)
	}
	if wm := watermarks(t, r.store); len(wm) != 1 {
		t.Errorf("watermarks after dropping WEB: %v", wm)
	}
	r.cfg.Projects = scopes
	r.clock.Advance(time.Minute)
	res = r.sync(false)
	if !res.Full {
		t.Errorf("re-added project was not fetched whole")
	}
	assertMatchesSim(t, r)
}

// Changing jira.jql starts the scopes afresh: issues only the old query held
// leave, and the new query's issues are fetched whole.
func TestChangedJQLRefetches(t *testing.T) {
	r := newRig(t, jirasim.Cloud)
	r.cfg.JQL = "statusCategory != Done"
	r.sync(false)
	open := liveIssues(t, r.store)
	r.cfg.JQL = ""
	r.clock.Advance(time.Minute)
	res := r.sync(false)
	all := liveIssues(t, r.store)
	if !res.Full || all <= open {
		t.Errorf("after widening jira.jql: full=%v, %d issues (was %d)", res.Full, all, open)
	}
	assertMatchesSim(t, r)
}

// A Data Center search whose expanded changelog is truncated is completed
// from the issue's own changelog.
func TestTruncatedDataCenterChangelogIsCompleted(t *testing.T) {
	r := newRig(t, jirasim.DataCenter)
	var truncated atomic.Int32
	wrap := func(w http.ResponseWriter, req *http.Request, inner http.Handler) {
		if !strings.HasSuffix(req.URL.Path, "/rest/api/2/search") || !strings.Contains(req.URL.RawQuery, "changelog") {
			inner.ServeHTTP(w, req)
			return
		}
		rec := httptest.NewRecorder()
		inner.ServeHTTP(rec, req)
		var page map[string]any
		if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &page) != nil {
			w.WriteHeader(rec.Code)
			w.Write(rec.Body.Bytes())
			return
		}
		for _, is := range page["issues"].([]any) {
			cl, _ := is.(map[string]any)["changelog"].(map[string]any)
			if hs, _ := cl["histories"].([]any); len(hs) > 1 {
				cl["histories"] = hs[len(hs)-1:] // keep only the latest, as a truncating server does
				cl["maxResults"] = 1
				truncated.Add(1)
			}
		}
		b, _ := json.Marshal(page)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.Write(b)
	}
	r.wrap.Store(&wrap)
	r.sync(false)
	r.wrap.Store(nil)
	if truncated.Load() == 0 {
		t.Fatal("no changelog truncated: the test proves nothing")
	}
	assertMatchesSim(t, r)
}

// Retry-After is the minimum wait: no request reaches Jira before it passed,
// from the worker that got the 429 or from any other.
func TestRetryAfterIsHonoured(t *testing.T) {
	for _, workers := range []int{1, 4} {
		t.Run(fmt.Sprintf("concurrency=%d", workers), func(t *testing.T) { testRetryAfter(t, workers) })
	}
}

func testRetryAfter(t *testing.T, workers int) {
	r := newRig(t, jirasim.Cloud)
	r.sim.SetFaults(jirasim.Faults{Seed: 3, RateLimitRate: 0.1, RetryAfter: time.Second})
	r.cfg.MaxRetries = 20
	r.cfg.Concurrency = workers
	// With several workers, requests already on the wire when the 429 left
	// are not early; anything sent after the client could have read it is.
	grace := time.Duration(0)
	if workers > 1 {
		grace = 300 * time.Millisecond
	}
	var mu sync.Mutex
	var at, until time.Time // the latest 429 and the end of its Retry-After
	early := 0
	wrap := func(w http.ResponseWriter, req *http.Request, inner http.Handler) {
		mu.Lock()
		if now := time.Now(); now.After(at.Add(grace)) && now.Before(until) {
			early++
		}
		mu.Unlock()
		rec := &statusRecorder{ResponseWriter: w}
		inner.ServeHTTP(rec, req)
		if rec.code == http.StatusTooManyRequests {
			if s, err := strconv.Atoi(rec.Header().Get("Retry-After")); err == nil {
				mu.Lock()
				if u := time.Now().Add(time.Duration(s) * time.Second); u.After(until) {
					at, until = time.Now(), u
				}
				mu.Unlock()
			}
		}
	}
	r.wrap.Store(&wrap)
	r.sync(false)
	r.wrap.Store(nil)
	if n := r.sim.FaultCounts()[jirasim.FaultRateLimit]; n == 0 {
		t.Fatal("no 429 injected: the test proves nothing")
	}
	if early > 0 {
		t.Errorf("%d requests arrived before Retry-After had passed", early)
	}
	assertMatchesSim(t, r)
}

type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.code == 0 {
		s.code = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.code == 0 {
		s.code = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// Every kind of Jira failure leaves the store as it was and the watermarks
// where they were, whichever request it hits.
func TestFailuresNeverCorruptOrAdvance(t *testing.T) {
	tests := []struct {
		name   string
		faults jirasim.Faults
		setup  func(r *rig)
	}{
		{"400 bad query", jirasim.Faults{}, func(r *rig) { r.cfg.JQL = "labels = = broken" }},
		{"401", jirasim.Faults{Unauthorized: true, Only: []string{"search"}}, nil},
		{"403", jirasim.Faults{Forbidden: true, Only: []string{"search"}}, nil},
		{"429 storm", jirasim.Faults{RateLimitRate: 1, Only: []string{"search"}}, nil},
		{"5xx", jirasim.Faults{ServerErrorRate: 1, Only: []string{"search"}}, nil},
		{"503", jirasim.Faults{ServiceUnavailableRate: 1, Only: []string{"search"}}, nil},
		{"resets", jirasim.Faults{ResetRate: 1, Only: []string{"search"}}, nil},
		{"malformed JSON", jirasim.Faults{TruncateRate: 1, Only: []string{"search"}}, nil},
		{"timeouts", jirasim.Faults{Latency: 300 * time.Millisecond}, func(r *rig) { r.cfg.Timeout = 50 * time.Millisecond }},
		{"changelog fails", jirasim.Faults{ServerErrorRate: 1, Only: []string{"changelog"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, jirasim.Cloud)
			r.sync(false)
			before, wmBefore := dump(t, r.store), watermarks(t, r.store)
			// New data waits in Jira; the faulty sync must not half-land it.
			r.clock.Advance(10 * time.Minute)
			for _, is := range r.sim.Issues()[:30] {
				if err := r.sim.UpdateIssue(is.Key, func(x *jirasim.Issue) { x.Summary += " (changed)" }); err != nil {
					t.Fatal(err)
				}
			}
			r.clock.Advance(time.Minute)
			r.cfg.MaxRetries = 2
			if tt.setup != nil {
				tt.setup(r)
			}
			r.sim.SetFaults(tt.faults)
			if _, err := r.connector().Sync(context.Background(), false); err == nil {
				t.Fatal("sync succeeded against a failing Jira")
			}
			if after := dump(t, r.store); after != before {
				t.Errorf("a failed sync changed the store: %s", diff(after, before))
			}
			for scope, w := range watermarks(t, r.store) {
				if !w.SyncedUntil.Equal(wmBefore[scope].SyncedUntil) {
					t.Errorf("watermark %s moved from %v to %v", scope, wmBefore[scope].SyncedUntil, w.SyncedUntil)
				}
			}
		})
	}
}

// A partition Jira answers empty although the listing put issues there fails
// the sync (no watermark) instead of silently losing them.
func TestEmptyPartitionFailsLoudly(t *testing.T) {
	r := newRig(t, jirasim.Cloud)
	empty := func(w http.ResponseWriter, req *http.Request, inner http.Handler) {
		body, _ := readBody(req)
		if strings.HasSuffix(req.URL.Path, "/search/jql") && (strings.Contains(body, "id >= ") || strings.Contains(body, `id \u003e= `)) && !strings.Contains(body, `"fields":["id","key"]`) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"issues":[],"isLast":true}`))
			return
		}
		inner.ServeHTTP(w, req)
	}
	r.wrap.Store(&empty)
	_, err := r.connector().Sync(context.Background(), false)
	r.wrap.Store(nil)
	if err == nil || !strings.Contains(err.Error(), "came back short") {
		t.Fatalf("err = %v; want the empty partition reported", err)
	}
	if wm := watermarks(t, r.store); len(wm) != 0 {
		t.Errorf("watermarks written after an empty partition: %v", wm)
	}
	r.sync(false)
	assertMatchesSim(t, r)
}

// Two syncs never run at once on one database, across processes too.
func TestSecondSyncIsRefusedWhileOneRuns(t *testing.T) {
	r := newRig(t, jirasim.Cloud)
	other := r.open() // a second handle, as a second process would have
	started, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	block := func(req *http.Request) {
		if strings.Contains(req.URL.Path, "search") {
			once.Do(func() { close(started); <-release })
		}
	}
	r.hook.Store(&block)
	errc := make(chan error, 1)
	go func() { _, err := r.connector().Sync(context.Background(), false); errc <- err }()
	<-started
	c2, err := connector.New(r.cfg, other, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx2, cancel2 := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel2()
	_, err = c2.Sync(ctx2, false)
	close(release)
	if !errors.Is(err, store.ErrLocked) || !strings.Contains(err.Error(), "another sync is running") {
		t.Errorf("second sync: %v; want it refused", err)
	}
	if err := <-errc; err != nil {
		t.Fatalf("first sync: %v", err)
	}
	r.hook.Store(nil)
	assertMatchesSim(t, r)
}

// A project whose issues were all deleted is reconciled to empty.
func TestEmptiedProjectIsReconciled(t *testing.T) {
	for _, flavor := range []jirasim.Flavor{jirasim.Cloud, jirasim.DataCenter} {
		t.Run(string(flavor), func(t *testing.T) {
			r := newRig(t, flavor)
			r.cfg.ReconcileEvery = time.Hour
			r.sync(false)
			for _, is := range r.sim.Issues() {
				if is.Project == "WEB" {
					if err := r.sim.DeleteIssue(is.Key); err != nil {
						t.Fatal(err)
					}
				}
			}
			r.clock.Advance(2 * time.Hour)
			r.sync(false)
			assertMatchesSim(t, r)
		})
	}
}

// A write that fails stops the sync at once instead of fetching on. Data
// Center lands every page as it comes (Cloud lands groups of 1,000 issues,
// more than the rig holds).
func TestWriteFailureStopsTheSync(t *testing.T) {
	r := newRig(t, jirasim.DataCenter)
	storetest.FailInserts(t, r.path, "issues", "disk is full")
	r.cfg.Concurrency = 1
	_, err := r.connector(connector.WithBatchSize(1)).Sync(context.Background(), false)
	if err == nil || !strings.Contains(err.Error(), "disk is full") {
		t.Fatalf("err = %v; want the write failure", err)
	}
	// 160 issues in one-page ranges of 20: a full fetch needs 10 searches
	// (2 listings, 8 ranges); a stopped one only a few.
	if n := r.sim.Requests()["search"]; n > 8 {
		t.Errorf("%d searches after the first write failed; the sync should stop", n)
	}
	if wm := watermarks(t, r.store); len(wm) != 0 {
		t.Errorf("watermarks written: %v", wm)
	}
}

// If Radar's clock steps back behind a watermark, the project is fetched
// whole rather than with an impossible window.
func TestClockStepBackRefetches(t *testing.T) {
	r := newRig(t, jirasim.Cloud)
	r.clock.Advance(time.Hour) // Radar's clock runs an hour fast
	r.sync(false)
	r.clock.Advance(-time.Hour) // NTP corrects it
	if err := r.sim.UpdateIssue(r.sim.Issues()[0].Key, func(x *jirasim.Issue) { x.Summary = "after the step" }); err != nil {
		t.Fatal(err)
	}
	r.clock.Advance(time.Minute)
	res := r.sync(false)
	if !res.Full {
		t.Errorf("sync after the clock stepped back was not full")
	}
	assertMatchesSim(t, r)
}

// A search retried after a long wait is re-rendered: its updated window
// still reaches back to the watermark, so no update is lost.
func TestRetriedSearchKeepsItsWindow(t *testing.T) {
	for _, flavor := range []jirasim.Flavor{jirasim.Cloud, jirasim.DataCenter} {
		t.Run(string(flavor), func(t *testing.T) {
			r := newRig(t, flavor)
			r.sync(false)
			// Updates just after the watermark, then a quarter of an hour
			// until the next sync.
			r.clock.Advance(time.Minute)
			for _, is := range r.sim.Issues()[:40] {
				if err := r.sim.UpdateIssue(is.Key, func(x *jirasim.Issue) { x.Summary += " (updated)" }); err != nil {
					t.Fatal(err)
				}
			}
			r.clock.Advance(15 * time.Minute)
			// One request at a time: the test's clock jumps inside a
			// request, which must not land while another is in flight (real
			// clocks move at most a request timeout, within the window's
			// spare minute, while a request is out).
			r.cfg.Concurrency = 1
			// The first incremental search of each project gets a 503 while
			// eight minutes pass (Retry-After as the clocks see it).
			var mu sync.Mutex
			failed := map[string]bool{}
			wrap := func(w http.ResponseWriter, req *http.Request, inner http.Handler) {
				body, _ := readBody(req)
				q := req.URL.RawQuery + body
				if strings.Contains(req.URL.Path, "search") && strings.Contains(q, "updated") {
					p := "WEB"
					if strings.Contains(q, "PAY") {
						p = "PAY"
					}
					mu.Lock()
					first := !failed[p]
					failed[p] = true
					mu.Unlock()
					if first {
						r.clock.Advance(8 * time.Minute)
						w.Header().Set("Retry-After", "0")
						w.WriteHeader(http.StatusServiceUnavailable)
						return
					}
				}
				inner.ServeHTTP(w, req)
			}
			r.wrap.Store(&wrap)
			r.sync(false)
			r.wrap.Store(nil)
			if len(failed) != 2 {
				t.Fatalf("faulted %v: the test needs both projects' searches retried", failed)
			}
			assertMatchesSim(t, r)
		})
	}
}

// hideFromSearch serves searches without the issue with id hidden; when
// listingOnly, only id/key listings hide it (a lagging index), otherwise
// every search does (an archived issue: gone from search, still readable).
func hideFromSearch(hidden string, listingOnly bool) func(http.ResponseWriter, *http.Request, http.Handler) {
	return func(w http.ResponseWriter, req *http.Request, inner http.Handler) {
		body, _ := readBody(req)
		listing := strings.Contains(body, `"fields":["id","key"]`) && !strings.Contains(body, " AND id = ")
		if !strings.HasSuffix(req.URL.Path, "/search/jql") || (listingOnly && !listing) {
			inner.ServeHTTP(w, req)
			return
		}
		rec := httptest.NewRecorder()
		inner.ServeHTTP(rec, req)
		var page map[string]any
		if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &page) != nil {
			w.WriteHeader(rec.Code)
			w.Write(rec.Body.Bytes())
			return
		}
		var kept []any
		for _, is := range page["issues"].([]any) {
			if is.(map[string]any)["id"] != hidden {
				kept = append(kept, is)
			}
		}
		page["issues"] = kept
		b, _ := json.Marshal(page)
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
	}
}

func TestReconcileAsksTheSearchBeforeKeeping(t *testing.T) {
	tests := []struct {
		name        string
		listingOnly bool
		wantRemoved bool
	}{
		{"listing lags: kept", true, false},
		{"archived, gone from search: removed", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, jirasim.Cloud)
			r.cfg.ReconcileEvery = time.Hour
			r.sync(false)
			r.clock.Advance(2 * time.Hour)
			victim := r.sim.Issues()[5]
			wrap := hideFromSearch(victim.ID, tt.listingOnly)
			r.wrap.Store(&wrap)
			r.sync(false)
			r.wrap.Store(nil)
			is, ok := storedIssue(t, r.store, "id", victim.ID)
			if !ok {
				t.Fatalf("issue %s not stored", victim.Key)
			}
			if _, removed := is["removed_at"]; removed != tt.wantRemoved {
				t.Errorf("issue %s removed = %v, want %v", victim.Key, removed, tt.wantRemoved)
			}
		})
	}
}

// TestValidateRefusesQueriesThatBreakOut: the query builder keeps jira.jql
// inside its own parentheses and quotes project keys on the strength of
// config.Validate, which New does not repeat; this holds Validate to it.
func TestValidateRefusesQueriesThatBreakOut(t *testing.T) {
	for _, tc := range []struct {
		name     string
		projects []string
		jql      string
		want     string
	}{
		{"closing paren", []string{"PAY"}, `labels = x) OR (project = OPS`, "jira.jql"},
		{"order by", []string{"PAY"}, `labels = x ORDER BY created`, "jira.jql"},
		{"unterminated", []string{"PAY"}, `summary ~ "x`, "jira.jql"},
		{"project key", []string{`PAY" OR project = "OPS`}, "", "jira.projects"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := config.Default().Jira
			cfg.URL, cfg.Token, cfg.Projects, cfg.JQL = "https://example.atlassian.net", "tok", tc.projects, tc.jql
			c := config.Config{Jira: cfg}
			err := c.Validate(config.SectionJira)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate(%q, %q) = %v, want an error naming %s", tc.projects, tc.jql, err, tc.want)
			}
		})
	}
}

// TestUnreadableIssueIsSkippedNotFatal: Data Center's jira.projectkey.pattern
// allows keys such as 2013PAY-5 that Radar does not read; one such issue is
// left out with a warning and the sync goes on.
func TestUnreadableIssueIsSkippedNotFatal(t *testing.T) {
	for _, flavor := range []jirasim.Flavor{jirasim.Cloud, jirasim.DataCenter} {
		t.Run(string(flavor), func(t *testing.T) {
			r := newRig(t, flavor)
			odd := r.sim.Issues()[0]
			rewrite := rekeyInSearches(odd.Key, "2013"+odd.Key)
			r.wrap.Store(&rewrite)
			res := r.sync(false)
			if res.Skipped != 1 {
				t.Errorf("skipped = %d, want 1 (the issue keyed 2013%s)", res.Skipped, odd.Key)
			}
			if _, stored := storedIssue(t, r.store, "id", odd.ID); stored {
				t.Errorf("the unreadable issue was stored")
			}
			wms := watermarks(t, r.store)
			if len(wms) != len(scopes) {
				t.Errorf("watermarks = %v, want one per project: the sync must finish", wms)
			}
			if liveIssues(t, r.store) == 0 {
				t.Errorf("nothing stored")
			}
		})
	}
}

// rekeyInSearches rewrites an issue's key in every search answer, as a Jira
// whose jira.projectkey.pattern allows unsupported keys would show it.
func rekeyInSearches(from, to string) func(http.ResponseWriter, *http.Request, http.Handler) {
	return func(w http.ResponseWriter, req *http.Request, inner http.Handler) {
		if !strings.Contains(req.URL.Path, "/search") {
			inner.ServeHTTP(w, req)
			return
		}
		rec := httptest.NewRecorder()
		inner.ServeHTTP(rec, req)
		body := strings.ReplaceAll(rec.Body.String(), `"key":"`+from+`"`, `"key":"`+to+`"`)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		w.Write([]byte(body))
	}
}

// TestStoredIssueTurnedUnreadableIsRetired: an issue Radar holds whose key
// Jira then shows in a form Radar cannot read leaves the live snapshot at
// the next reconciliation instead of staying, stale, for ever.
func TestStoredIssueTurnedUnreadableIsRetired(t *testing.T) {
	for _, flavor := range []jirasim.Flavor{jirasim.Cloud, jirasim.DataCenter} {
		t.Run(string(flavor), func(t *testing.T) {
			r := newRig(t, flavor)
			r.cfg.ReconcileEvery = time.Hour
			r.sync(false)
			odd := r.sim.Issues()[0]
			rewrite := rekeyInSearches(odd.Key, "2013"+odd.Key)
			r.wrap.Store(&rewrite)
			r.clock.Advance(2 * time.Hour)
			r.sync(false)
			is, ok := storedIssue(t, r.store, "id", odd.ID)
			if !ok {
				t.Fatalf("issue %s not stored", odd.Key)
			}
			if _, removed := is["removed_at"]; !removed {
				t.Errorf("%s, now unreadable, is still live after reconciliation", odd.Key)
			}
		})
	}
}

// A full sync on Cloud reads a group's changelogs alongside its pages, for
// the ids the listing put there. An issue created after the listing, in
// the open range at the top, is fetched with the last page and still gets
// its whole changelog.
func TestIssueCreatedAfterListingGetsItsChangelog(t *testing.T) {
	r := newRig(t, jirasim.Cloud)
	var once sync.Once
	var created string
	add := func(req *http.Request) {
		if !strings.Contains(req.URL.Path, "search") {
			return
		}
		// The top range of PAY, open at its upper end, before Jira answers it.
		body, _ := readBody(req)
		if !strings.Contains(body, `PAY\" AND id \u003e=`) || strings.Contains(body, `\u003c`) {
			return
		}
		once.Do(func() {
			k, err := r.sim.AddIssue(jirasim.Issue{Project: "PAY", Type: "Task", Summary: "born after the listing", Status: r.sim.Statuses()[0].ID})
			if err == nil {
				err = r.sim.Transition(k, r.sim.Statuses()[1].ID)
			}
			if err != nil {
				t.Error(err)
			}
			created = k
		})
	}
	r.hook.Store(&add)
	r.sync(true)
	r.hook.Store(nil)
	if created == "" {
		t.Fatal("no issue created during the sync")
	}
	if len(r.sim.Changelog(created)) == 0 {
		t.Fatalf("issue %s has no history: the test needs one", created)
	}
	if _, ok := storedIssue(t, r.store, "key", created); !ok {
		t.Fatalf("issue %s created after the listing was not synced", created)
	}
	assertMatchesSim(t, r)
}

// A group's changelogs are read alongside its pages. An issue edited after
// that read and before its page is served has a page newer than its
// history: its changelog is read again, so the store holds the change
// that its page shows.
func TestIssueEditedAfterItsChangelogWasRead(t *testing.T) {
	r := newRig(t, jirasim.Cloud)
	r.cfg.Concurrency = 8 // PAY's pages and its changelog call in flight at once
	before, ok := r.sim.Issue("PAY-1")
	if !ok {
		t.Fatal("no PAY-1")
	}
	to := ""
	for _, s := range r.sim.Statuses() {
		if s.ID != before.Status {
			to = s.ID
			break
		}
	}
	edited := make(chan struct{})
	var once sync.Once
	wrap := func(w http.ResponseWriter, req *http.Request, inner http.Handler) {
		body, _ := readBody(req)
		switch {
		case strings.HasSuffix(req.URL.Path, "/changelog/bulkfetch") && strings.Contains(body, `"`+before.ID+`"`):
			inner.ServeHTTP(w, req) // the history as it is now, then PAY-1 moves on
			once.Do(func() {
				r.clock.Advance(time.Minute)
				if err := r.sim.Transition("PAY-1", to); err != nil {
					t.Error(err)
				}
				close(edited)
			})
			return
		case strings.Contains(req.URL.Path, "search") && strings.Contains(body, `PAY\" AND id`):
			// PAY's pages wait for the edit (the first changelog read
			// of PAY-1; a second one does not wait).
			select {
			case <-edited:
			case <-time.After(10 * time.Second):
				t.Error("PAY's changelog was not read while its pages waited")
			}
		}
		inner.ServeHTTP(w, req)
	}
	r.wrap.Store(&wrap)
	r.sync(true)
	r.wrap.Store(nil)
	select {
	case <-edited:
	default:
		t.Fatal("PAY-1 was not edited during the sync")
	}
	assertMatchesSim(t, r)
}

// Well-formed JSON of a shape Radar cannot read outside an issue's fields
// (a number for an issue id) is the same on every retry: the sync fails at
// once, saying where the value is, and asks again for nothing.
func TestOddShapeFailsWithoutRetries(t *testing.T) {
	r := newRig(t, jirasim.Cloud)
	var mu sync.Mutex
	answered := map[string]int{}
	wrap := func(w http.ResponseWriter, req *http.Request, inner http.Handler) {
		body, _ := readBody(req)
		if !strings.Contains(req.URL.Path, "search") || !strings.Contains(body, `PAY\" AND id`) {
			inner.ServeHTTP(w, req)
			return
		}
		mu.Lock()
		answered[body]++
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"issues":[{"id":10001,"key":"PAY-1","fields":{}}],"isLast":true}`)
	}
	r.wrap.Store(&wrap)
	_, err := r.connector().Sync(context.Background(), true)
	r.wrap.Store(nil)
	if err == nil {
		t.Fatal("a sync of answers Radar cannot read succeeded")
	}
	if msg := err.Error(); !strings.Contains(msg, "shape Radar cannot read") || !strings.Contains(msg, "/issues/0/id") {
		t.Errorf("error %q does not say the answer's shape is odd, and where", msg)
	}
	mu.Lock()
	defer mu.Unlock()
	for body, n := range answered {
		if n > 1 {
			t.Errorf("asked %d times: %s", n, body)
		}
	}
}
