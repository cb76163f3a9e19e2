package connector_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/radarhq/radar/connector"
	"github.com/radarhq/radar/jirasim"
	"github.com/radarhq/radar/store"
	"github.com/radarhq/radar/store/storetest"
)

// The chaos suite: for every way the simulator can misbehave, a sync (plus
// at most one rerun when it fails) must leave a database equal, table by
// table, to a clean sync's, and sound.

// chaosProfile is one way Jira misbehaves while Radar syncs.
type chaosProfile struct {
	name      string
	cloudOnly bool // expired page tokens exist only on Cloud
	faults    jirasim.Faults
	// setup adjusts the rig the profile needs (client timeout, page
	// layout); nil for none.
	setup func(r *rig)
	// injected are the simulator's fault counts that must be non-zero
	// afterwards, so a profile cannot pass without its fault.
	injected []string
	// retried is the retry reason the connector must have reported ("" for
	// a profile that recovers without retrying, e.g. by resuming).
	retried string
	// rerun says the first sync must fail, so the rerun is what recovers;
	// recover, when set, runs between the two (the outage ends).
	rerun   bool
	recover func(r *rig)
	// midSync, when set, edits and deletes issues while the sync runs
	// (see runMidSyncEdits for the sequence and its reference).
	midSync *midSync
}

// midSync says how Jira changes during the sync.
type midSync struct {
	// concurrency is jira.concurrency. At 1 a page was fetched or it was
	// not when the edits land, and Jira's clock moves a minute for them;
	// above, pages are in flight meanwhile and the clock stands still (a
	// test clock must not jump under a request in flight).
	concurrency int
	// racingChangelog also deletes an issue after the search returned it
	// and before its changelog was read (Cloud's bulk changelog; Data
	// Center's issue changelog, read when the search's was truncated).
	racingChangelog bool
}

func chaosProfiles() []chaosProfile {
	const wait = time.Second // only where honouring Retry-After is the point
	return []chaosProfile{
		{name: "429 storm, Retry-After seconds",
			faults:   jirasim.Faults{RateLimitRate: 0.5, RetryAfter: wait, MaxFaults: 3},
			injected: []string{jirasim.FaultRateLimit}, retried: "rate_limited"},
		{name: "429 storm, Retry-After HTTP date",
			faults:   jirasim.Faults{RateLimitRate: 0.5, RetryAfter: wait, RetryAfterHTTPDate: true, MaxFaults: 3},
			injected: []string{jirasim.FaultRateLimit}, retried: "rate_limited"},
		{name: "429 storm, Retry-After 0",
			faults:   jirasim.Faults{RateLimitRate: 0.5, RetryAfter: 0},
			injected: []string{jirasim.FaultRateLimit}, retried: "rate_limited"},
		{name: "503 with Retry-After",
			faults:   jirasim.Faults{ServiceUnavailableRate: 0.5, RetryAfter: wait, MaxFaults: 3},
			injected: []string{jirasim.FaultServiceUnavailable}, retried: "server_error"},
		{name: "10% 5xx",
			faults:   jirasim.Faults{ServerErrorRate: 0.1},
			injected: []string{jirasim.FaultServerError}, retried: "server_error"},
		{name: "50% 5xx",
			faults:   jirasim.Faults{ServerErrorRate: 0.5},
			injected: []string{jirasim.FaultServerError}, retried: "server_error"},
		{name: "connection resets",
			faults:   jirasim.Faults{ResetRate: 0.2},
			injected: []string{jirasim.FaultReset}, retried: "network"},
		{name: "latency spikes beyond the client timeout",
			// A spike lasts until the client gives up; the timeout is
			// short but far above a normal answer, even under -race.
			faults:   jirasim.Faults{SpikeRate: 0.2, Spike: time.Minute, MaxFaults: 6},
			setup:    func(r *rig) { r.cfg.Timeout = 500 * time.Millisecond },
			injected: []string{jirasim.FaultLatencySpike}, retried: "timeout"},
		{name: "truncated JSON",
			faults:   jirasim.Faults{TruncateRate: 0.2},
			injected: []string{jirasim.FaultTruncate}, retried: "truncated"},
		{name: "5xx outage longer than the retries",
			// After a few searches every request fails until the sync
			// gave up; the rerun finishes it.
			setup: func(r *rig) {
				var n atomic.Int32
				outage := func(req *http.Request) {
					if strings.Contains(req.URL.Path, "/search") && n.Add(1) == 5 {
						r.sim.SetFaults(jirasim.Faults{FailNext: 1 << 20})
					}
				}
				r.hook.Store(&outage)
			},
			recover:  func(r *rig) { r.hook.Store(nil); r.sim.SetFaults(jirasim.Faults{}) },
			injected: []string{jirasim.FaultFailNext}, retried: "server_error", rerun: true},
		{name: "expired page tokens", cloudOnly: true,
			// Pages cut short (as Cloud does when many fields are asked
			// for): every one-page range pages on with a token.
			faults:   jirasim.Faults{ExpireTokens: true, PageCap: 7},
			injected: []string{jirasim.FaultExpiredToken}},
		{name: "issues edited and deleted during the sync",
			midSync: &midSync{concurrency: 1}},
		{name: "issues edited and deleted during the sync, 4 requests at a time",
			midSync: &midSync{concurrency: 4}},
		{name: "issue deleted between its search page and its changelog",
			midSync: &midSync{concurrency: 1, racingChangelog: true}},
		{name: "issues edited and deleted during the sync, with 20% 5xx",
			midSync:  &midSync{concurrency: 1},
			faults:   jirasim.Faults{ServerErrorRate: 0.2},
			injected: []string{jirasim.FaultServerError}, retried: "server_error"},
	}
}

func TestChaosSync(t *testing.T) {
	for _, flavor := range []jirasim.Flavor{jirasim.Cloud, jirasim.DataCenter} {
		// The reference: a clean sync of the same Jira on a fresh database.
		clean := newRig(t, flavor)
		clean.sync(false)
		want := storetest.Dump(t, clean.store, store.SyncVolatile())
		for i, p := range chaosProfiles() {
			if p.cloudOnly && flavor != jirasim.Cloud {
				continue
			}
			p.faults.Seed = uint64(100 + i)
			t.Run(string(flavor)+"/"+p.name, func(t *testing.T) {
				t.Parallel()
				if p.midSync != nil {
					runMidSyncEdits(t, flavor, p)
					return
				}
				r := newChaosRig(t, flavor, p)
				m := &retryCounter{}
				r.sim.SetFaults(p.faults)
				if reran := chaosSyncs(t, r, m, p.recover); reran != p.rerun {
					t.Errorf("rerun needed = %v, want %v", reran, p.rerun)
				}
				if got := storetest.Dump(t, r.store, store.SyncVolatile()); got != want {
					t.Fatalf("after %s the database differs from a clean sync's: %s", p.name, diff(got, want))
				}
				assertMatchesSim(t, r)
				assertInjected(t, r, p, m)
			})
		}
	}
}

func newChaosRig(t *testing.T, flavor jirasim.Flavor, p chaosProfile) *rig {
	t.Helper()
	r := newRig(t, flavor)
	// Enough retries (backoff is milliseconds here) that no request of a
	// rate-based profile gives up, even at 50 % failures (0.5^21 per
	// request): a profile needs a rerun only when it says so.
	r.cfg.MaxRetries = 20
	if p.setup != nil {
		p.setup(r)
	}
	return r
}

// chaosSyncs runs a sync and, if it fails, one rerun (a new connector, as
// the next scheduled run or a restarted process would be), both under the
// same faults unless recover ends them; the rerun must succeed. It returns
// whether it reran.
func chaosSyncs(t *testing.T, r *rig, m *retryCounter, recover func(*rig)) bool {
	t.Helper()
	_, err := r.connector(connector.WithMetrics(m)).Sync(context.Background(), false)
	if recover != nil {
		recover(r)
	}
	if err != nil {
		t.Logf("first sync failed, rerunning: %v", err)
		if err := r.store.IntegrityCheck(context.Background()); err != nil {
			t.Fatalf("after the failed sync: %v", err)
		}
		if _, err := r.connector(connector.WithMetrics(m)).Sync(context.Background(), false); err != nil {
			t.Fatalf("the rerun failed too: %v", err)
		}
	}
	if err := r.store.IntegrityCheck(context.Background()); err != nil {
		t.Fatal(err)
	}
	return err != nil
}

func assertInjected(t *testing.T, r *rig, p chaosProfile, m *retryCounter) {
	t.Helper()
	counts := r.sim.FaultCounts()
	t.Logf("faults injected %v; retries by reason %v", counts, m.reasons())
	for _, k := range p.injected {
		if counts[k] == 0 {
			t.Errorf("fault %s never injected (counts %v): the profile proves nothing", k, counts)
		}
	}
	if got := m.reasons(); p.retried != "" && got[p.retried] == 0 {
		t.Errorf("retries by reason = %v, want some %s", got, p.retried)
	}
}

// retryCounter is a connector.Metrics that counts retries by reason.
type retryCounter struct {
	mu sync.Mutex
	n  map[string]int
}

func (m *retryCounter) JiraRequest(string) {}
func (m *retryCounter) JiraRetry(reason string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.n == nil {
		m.n = map[string]int{}
	}
	m.n[reason]++
}

func (m *retryCounter) reasons() map[string]int {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]int{}
	for k, v := range m.n {
		out[k] = v
	}
	return out
}

// Issues edited and deleted during a sync.
//
// What the database must equal is not a clean sync of the final state on a
// fresh database: an issue Radar already held and Jira then deleted stays
// as a row marked removed (with its changelog), which a fresh database never
// had; and which deleted issues a fresh sync had fetched before they went
// depends on timing. So both databases start from the same clean sync of
// the initial state, which every later deletion then has to retire.
//
// Then, on the chaos side, a full sync runs while Jira changes under it:
// after the first few pages, issues already fetched and issues not yet
// fetched are edited (summary, status), deleted, and linked or unlinked. A
// sync cannot see what changed behind it, so one rerun follows, when
// reconciliation is due (jira.reconcile_every), as the next scheduled sync
// would; deletions are only ever found by reconciliation.
//
// The reference makes the same changes at the same moment of Jira's clock,
// but before its full sync starts, then reruns the same way. Any sync order
// that is correct ends in the same place: the live rows equal Jira's final
// state, and the removed rows are exactly the deleted issues.
func runMidSyncEdits(t *testing.T, flavor jirasim.Flavor, p chaosProfile) {
	ctx := context.Background()
	ref, r := newChaosRig(t, flavor, p), newChaosRig(t, flavor, p)
	for _, x := range []*rig{ref, r} {
		x.cfg.ReconcileEvery = time.Hour
		x.cfg.Concurrency = p.midSync.concurrency
		x.sync(false)
		x.clock.Advance(10 * time.Minute)
	}

	var mu sync.Mutex
	fetched := map[string]bool{} // issue ids the chaos sync's searches returned
	pages := 0
	var edits *midSyncEdits
	planned := false
	step := time.Duration(0) // how far Jira's clock moves for the edits
	if p.midSync.concurrency == 1 {
		step = time.Minute
	}
	raced := ""
	wrap := func(w http.ResponseWriter, req *http.Request, inner http.Handler) {
		body, _ := readBody(req)
		if ids := changelogRequest(req, body); p.midSync.racingChangelog && ids != nil {
			mu.Lock()
			if edits != nil && raced == "" {
				raced = raceChangelog(t, r.sim, ids, edits)
			}
			mu.Unlock()
		}
		if !isIssueSearch(req, body) {
			inner.ServeHTTP(w, req)
			return
		}
		mu.Lock()
		if pages >= 3 && !planned {
			planned = true
			r.clock.Advance(step)
			if edits = planEdits(t, r.sim, fetched); edits != nil {
				edits.apply(t, r.sim)
			}
		}
		mu.Unlock()
		rec := httptest.NewRecorder()
		inner.ServeHTTP(rec, req)
		var page struct {
			Issues []struct {
				ID string `json:"id"`
			} `json:"issues"`
		}
		if rec.Code == http.StatusOK && json.Unmarshal(rec.Body.Bytes(), &page) == nil {
			mu.Lock()
			pages++
			for _, is := range page.Issues {
				fetched[is.ID] = true
			}
			mu.Unlock()
		}
		out := rec.Body.Bytes()
		if p.midSync.racingChangelog && flavor == jirasim.DataCenter && rec.Code == http.StatusOK {
			// Data Center completes a truncated changelog from the issue:
			// truncate them all, so that request happens.
			out = truncateChangelogs(t, out)
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		w.Write(out)
	}
	r.wrap.Store(&wrap)
	m := &retryCounter{}
	r.sim.SetFaults(p.faults)
	_, firstErr := r.connector(connector.WithMetrics(m)).Sync(ctx, true)
	if firstErr != nil {
		t.Logf("the sync during the edits failed: %v", firstErr)
	}
	if edits == nil {
		t.Fatalf("the sync fetched only %d pages: no edits were made during it", pages)
	}
	if p.midSync.racingChangelog && raced == "" {
		t.Fatal("no issue was deleted between its search page and its changelog")
	}
	if p.midSync.racingChangelog && firstErr != nil {
		t.Errorf("an issue deleted before its changelog was read failed the sync: %v", firstErr)
	}
	// One rerun, not optional here (the sync cannot have seen what changed
	// behind it), when reconciliation is due; the faults stay.
	r.clock.Advance(time.Hour + time.Minute)
	if _, err := r.connector(connector.WithMetrics(m)).Sync(ctx, false); err != nil {
		t.Fatalf("the rerun failed: %v", err)
	}
	r.wrap.Store(nil)
	if err := r.store.IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}

	ref.clock.Advance(step)
	edits.apply(t, ref.sim)
	ref.sync(true)
	ref.clock.Advance(time.Hour + time.Minute)
	ref.sync(false)
	if err := ref.store.IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}

	if got, want := storetest.Dump(t, r.store, store.SyncVolatile()), storetest.Dump(t, ref.store, store.SyncVolatile()); got != want {
		t.Fatalf("edits during the sync (%v): the database differs from the reference's: %s", edits, diff(got, want))
	}
	assertMatchesSim(t, r)
	if removed := storetest.Count(t, r.store, "issues", nil) - liveIssues(t, r.store); removed != len(edits.deleted) {
		t.Errorf("%d issues marked removed, want the %d deleted", removed, len(edits.deleted))
	}
	assertInjected(t, r, p, m)
}

// isIssueSearch tells a search that fetches issues from a listing of ids.
func isIssueSearch(req *http.Request, body string) bool {
	switch {
	case strings.HasSuffix(req.URL.Path, "/rest/api/3/search/jql"):
		return strings.Contains(body, `"summary"`)
	case strings.HasSuffix(req.URL.Path, "/rest/api/2/search"):
		return strings.Contains(req.URL.Query().Get("fields"), "summary")
	}
	return false
}

// midSyncEdits are changes made to Jira while a sync runs, replayable on
// another simulator with the same scenario.
type midSyncEdits struct {
	summaries, transitions, deleted []string  // issue keys
	addLink                         [2]string // fetched → not yet fetched
	removeLink                      string
}

// planEdits picks, among the synced projects' plain issues, two already
// fetched and two not yet fetched for each kind of change. It runs in a
// request handler: it reports with t.Errorf and returns nil when it cannot.
func planEdits(t *testing.T, sim *jirasim.Server, fetched map[string]bool) *midSyncEdits {
	var done, todo []jirasim.Issue
	for _, is := range sim.Issues() {
		if !slices.Contains(scopes, is.Project) || !plain(sim, is) {
			continue
		}
		if fetched[is.ID] {
			done = append(done, is)
		} else {
			todo = append(todo, is)
		}
	}
	if len(done) < 7 || len(todo) < 7 {
		t.Errorf("%d fetched and %d unfetched plain issues: too few to edit", len(done), len(todo))
		return nil
	}
	e := &midSyncEdits{}
	for _, set := range [][]jirasim.Issue{done, todo} {
		e.summaries = append(e.summaries, set[0].Key, set[1].Key)
		e.transitions = append(e.transitions, set[2].Key, set[3].Key)
		e.deleted = append(e.deleted, set[4].Key, set[5].Key)
	}
	e.addLink = [2]string{done[6].Key, todo[6].Key}
	deleted := map[string]bool{}
	for _, k := range e.deleted {
		deleted[k] = true
	}
	for _, l := range sim.Links() {
		if (l.Type == "Blocks" || l.Type == "Depends") && slices.Contains(scopes, project(l.Inward)) &&
			slices.Contains(scopes, project(l.Outward)) && !deleted[l.Inward] && !deleted[l.Outward] {
			e.removeLink = l.ID
			break
		}
	}
	if e.removeLink == "" {
		t.Error("no dependency link to remove")
		return nil
	}
	return e
}

func (e *midSyncEdits) apply(t *testing.T, sim *jirasim.Server) {
	must := func(err error) {
		if err != nil {
			t.Error(err)
		}
	}
	statuses := sim.Statuses()
	for _, k := range e.summaries {
		must(sim.UpdateIssue(k, func(is *jirasim.Issue) { is.Summary += " (edited mid-sync)" }))
	}
	for _, k := range e.transitions {
		is, _ := sim.Issue(k)
		to := statuses[0].ID
		if is.Status == to {
			to = statuses[len(statuses)-1].ID
		}
		must(sim.Transition(k, to))
	}
	_, err := sim.AddLink("Blocks", e.addLink[0], e.addLink[1])
	must(err)
	must(sim.RemoveLink(e.removeLink))
	for _, k := range e.deleted {
		must(sim.DeleteIssue(k))
	}
}

// raceChangelog deletes, from the issues whose changelogs a bulk request
// asks for, the first plain one not edited yet, and adds it to the edits.
// It returns its key, "" when there was none.
func raceChangelog(t *testing.T, sim *jirasim.Server, ids []string, e *midSyncEdits) string {
	touched := map[string]bool{e.addLink[0]: true, e.addLink[1]: true}
	for _, k := range slices.Concat(e.summaries, e.transitions, e.deleted) {
		touched[k] = true
	}
	for _, id := range ids {
		is, ok := sim.Issue(id)
		if !ok || touched[is.Key] || !plain(sim, is) {
			continue
		}
		if err := sim.DeleteIssue(is.Key); err != nil {
			t.Error(err)
			return ""
		}
		e.deleted = append(e.deleted, is.Key)
		return is.Key
	}
	return ""
}

// changelogRequest returns the issue ids whose changelogs a request reads:
// Cloud's bulk changelog, or Data Center's issue with its changelog; nil for
// other requests.
func changelogRequest(req *http.Request, body string) []string {
	switch {
	case strings.HasSuffix(req.URL.Path, "/rest/api/3/changelog/bulkfetch"):
		var b struct {
			IDs []string `json:"issueIdsOrKeys"`
		}
		json.Unmarshal([]byte(body), &b)
		return b.IDs
	case strings.HasPrefix(req.URL.Path, "/rest/api/2/issue/") && req.URL.Query().Get("expand") == "changelog":
		return []string{req.URL.Path[strings.LastIndexByte(req.URL.Path, '/')+1:]}
	}
	return nil
}

// truncateChangelogs keeps only the latest history of each issue in a Data
// Center search page, as Jira does for long changelogs.
func truncateChangelogs(t *testing.T, b []byte) []byte {
	var page map[string]any
	if err := json.Unmarshal(b, &page); err != nil {
		t.Errorf("search page: %v", err)
		return b
	}
	issues, _ := page["issues"].([]any)
	for _, is := range issues {
		cl, _ := is.(map[string]any)["changelog"].(map[string]any)
		if hs, _ := cl["histories"].([]any); len(hs) > 1 {
			cl["histories"] = hs[len(hs)-1:]
			cl["maxResults"] = 1
		}
	}
	out, err := json.Marshal(page)
	if err != nil {
		t.Error(err)
		return b
	}
	return out
}

// plain tells an issue that is neither an epic nor a parent: deleting one
// of those cascades in Jira.
func plain(sim *jirasim.Server, is jirasim.Issue) bool {
	if is.Type == "Epic" {
		return false
	}
	for _, x := range sim.Issues() {
		if x.Parent == is.Key {
			return false
		}
	}
	return true
}

func (e *midSyncEdits) String() string {
	return fmt.Sprintf("summaries %v, transitions %v, deleted %v, link %v added, link %s removed",
		e.summaries, e.transitions, e.deleted, e.addLink, e.removeLink)
}
