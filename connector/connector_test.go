package connector_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/radarhq/radar/config"
	"github.com/radarhq/radar/connector"
	"github.com/radarhq/radar/jirasim"
	"github.com/radarhq/radar/store"
	"github.com/radarhq/radar/store/storetest"
)

var anchor = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

// clock is a settable test clock shared by the simulator and the connector.
type clock struct{ ns atomic.Int64 }

func newClock(t time.Time) *clock        { c := &clock{}; c.ns.Store(t.UnixNano()); return c }
func (c *clock) Now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

type rig struct {
	t     *testing.T
	sim   *jirasim.Server
	srv   *httptest.Server
	clock *clock
	cfg   connector.Settings
	store *store.Store
	path  string
	sc    *jirasim.Scenario
	// hook, when set, sees every request before the simulator does.
	hook atomic.Pointer[func(*http.Request)]
	// wrap, when set, serves every request in place of the simulator,
	// which it may call.
	wrap atomic.Pointer[func(http.ResponseWriter, *http.Request, http.Handler)]
}

var scopes = []string{"PAY", "WEB"}

func newRig(t *testing.T, flavor jirasim.Flavor) *rig {
	t.Helper()
	clk := newClock(anchor)
	sc := jirasim.Generate(jirasim.ScenarioConfig{Seed: 7, Projects: []string{"PAY", "WEB"}, IssuesPerProject: 80,
		OutsideProject: "OPS", Now: anchor})
	sim := jirasim.New(sc, jirasim.Options{Flavor: flavor, Email: "pm@example.com", Token: "s3cret-token", Now: clk.Now})
	r := &rig{t: t, sim: sim, clock: clk, path: filepath.Join(t.TempDir(), "radar.db"), sc: sc}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if h := r.hook.Load(); h != nil {
			(*h)(req)
		}
		if wr := r.wrap.Load(); wr != nil {
			(*wr)(w, req, sim)
			return
		}
		sim.ServeHTTP(w, req)
	}))
	t.Cleanup(srv.Close)
	r.srv = srv
	cfg := config.Default().Jira
	cfg.URL = srv.URL
	cfg.Token = "s3cret-token"
	if flavor == jirasim.Cloud {
		cfg.Email = "pm@example.com"
	}
	cfg.Projects = scopes
	cfg.Dependencies = []config.Dependency{{Link: "Blocks", Outward: "blocks"}, {Link: "Depends", Outward: "depends on"}}
	cfg.RequestsPerSecond = 1000 // the most allowed: the client does not hold the test back
	cfg.PageSize = 20
	r.cfg = connector.SettingsFrom(cfg)
	r.store = r.open()
	return r
}

func (r *rig) open() *store.Store {
	st, err := store.Open(context.Background(), r.path, store.WithClock(r.clock.Now))
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { st.Close() })
	return st
}

func (r *rig) connector(opts ...connector.Option) *connector.Connector {
	opts = append([]connector.Option{connector.WithClock(r.clock.Now), connector.WithBackoff(time.Millisecond, 5*time.Millisecond)}, opts...)
	c, err := connector.New(r.cfg, r.store, nil, opts...)
	if err != nil {
		r.t.Fatal(err)
	}
	return c
}

func (r *rig) sync(full bool) connector.Result {
	r.t.Helper()
	res, err := r.connector().Sync(context.Background(), full)
	if err != nil {
		r.t.Fatalf("sync: %v", err)
	}
	return res
}

// dump renders the store's synced state canonically, using current keys.
// It reads the store's rows through storetest, never with SQL of its own.
func dump(t *testing.T, st *store.Store) string {
	t.Helper()
	issues := map[string]storetest.Row{} // id -> issue not removed
	for _, is := range storetest.Rows(t, st, "issues") {
		if _, removed := is["removed_at"]; !removed {
			issues[is["id"]] = is
		}
	}
	sprints := map[string][]string{}
	for _, s := range storetest.Rows(t, st, "issue_sprints") {
		sprints[s["issue_id"]] = append(sprints[s["issue_id"]], s["sprint_id"])
	}
	var lines []string
	for id, is := range issues {
		dueS := ""
		if due := is["due"]; due != "" && due != "0" {
			dueS = time.UnixMilli(int64(atoi(t, due))).UTC().Format("2006-01-02")
		}
		sp := -1.0
		if v, ok := is["story_points"]; ok {
			var err error
			if sp, err = strconv.ParseFloat(v, 64); err != nil {
				t.Fatal(err)
			}
		}
		ss := sprints[id]
		slices.SortFunc(ss, func(a, b string) int { return atoi(t, a) - atoi(t, b) })
		lines = append(lines, fmt.Sprintf("issue %s %s %s %s status=%s/%s due=%s parent=%s epic=%s sp=%g flagged=%v fix=%s sprints=%s summary=%q",
			id, is["key"], is["project"], is["type"], is["status_id"], is["status_category"], dueS, is["parent_key"], is["epic_key"],
			sp, is["flagged"] == "1", is["fix_versions"], strings.Join(ss, ","), is["summary"]))
	}
	current := func(id, reported string) string {
		if is, ok := issues[id]; ok {
			return is["key"]
		}
		return reported
	}
	for _, l := range storetest.Rows(t, st, "links") {
		lines = append(lines, fmt.Sprintf("link %s %s %s -> %s", l["id"], l["type"],
			current(l["blocker_id"], l["blocker_key"]), current(l["blocked_id"], l["blocked_key"])))
	}
	for _, c := range storetest.Rows(t, st, "changelog") {
		is, ok := issues[c["issue_id"]]
		if !ok {
			continue
		}
		lines = append(lines, fmt.Sprintf("change %s %s/%s %s %s %q->%q", is["key"], c["history_id"], c["seq"], c["created"],
			c["field"], c["from_value"], c["to_value"]))
	}
	for _, v := range storetest.Rows(t, st, "versions") {
		if _, removed := v["removed_at"]; removed {
			continue
		}
		d := ""
		if rd := v["release_date"]; rd != "" && rd != "0" {
			d = time.UnixMilli(int64(atoi(t, rd))).UTC().Format("2006-01-02")
		}
		lines = append(lines, fmt.Sprintf("version %s %s %s released=%v date=%s", v["id"], v["project"], v["name"], v["released"] == "1", d))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// storedIssue is the stored issue, removed or not, whose column col holds
// val.
func storedIssue(t *testing.T, st *store.Store, col, val string) (storetest.Row, bool) {
	t.Helper()
	for _, is := range storetest.Rows(t, st, "issues") {
		if is[col] == val {
			return is, true
		}
	}
	return nil, false
}

// liveIssues counts the stored issues not removed.
func liveIssues(t *testing.T, st *store.Store) int {
	t.Helper()
	return storetest.Count(t, st, "issues", func(is storetest.Row) bool { _, removed := is["removed_at"]; return !removed })
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// truth renders the simulator's state for the synced scope in dump's format.
func truth(r *rig) string {
	sim := r.sim
	inScope := func(project string) bool { return slices.Contains(scopes, project) }
	cats := map[string]string{}
	for _, s := range sim.Statuses() {
		cats[s.ID] = s.CategoryKey
	}
	subtask := map[string]bool{}
	for _, it := range r.sc.IssueTypes {
		subtask[it.Name] = it.Subtask
	}
	ids := map[string]string{}
	var lines []string
	for _, is := range sim.Issues() {
		ids[is.Key] = is.ID
		if !inScope(is.Project) {
			continue
		}
		parent, epic := "", ""
		if subtask[is.Type] {
			parent = is.Parent
		} else {
			epic = is.Parent
		}
		sp := -1.0
		if is.StoryPoints != nil {
			sp = *is.StoryPoints
		}
		fix := "[]"
		if len(is.FixVersions) > 0 {
			fix = `["` + strings.Join(is.FixVersions, `","`) + `"]`
		}
		sprints := slices.Clone(is.Sprints)
		slices.Sort(sprints)
		var ss []string
		for _, s := range sprints {
			ss = append(ss, fmt.Sprint(s))
		}
		lines = append(lines, fmt.Sprintf("issue %s %s %s %s status=%s/%s due=%s parent=%s epic=%s sp=%g flagged=%v fix=%s sprints=%s summary=%q",
			is.ID, is.Key, is.Project, is.Type, is.Status, cats[is.Status], is.DueDate, parent, epic, sp, is.Flagged, fix,
			strings.Join(ss, ","), is.Summary))
		for _, h := range sim.Changelog(is.Key) {
			for i, it := range h.Items {
				lines = append(lines, fmt.Sprintf("change %s %s/%d %d %s %q->%q", is.Key, h.ID, i, h.Created.UnixMilli(), it.Field, it.From, it.To))
			}
		}
	}
	for _, l := range sim.Links() {
		if l.Type != "Blocks" && l.Type != "Depends" {
			continue
		}
		if !inScope(project(l.Inward)) && !inScope(project(l.Outward)) {
			continue
		}
		blocker, blocked := l.Inward, l.Outward // "Inward blocks Outward"
		if l.Type == "Depends" {
			blocker, blocked = l.Outward, l.Inward // "Inward depends on Outward"
		}
		lines = append(lines, fmt.Sprintf("link %s %s %s -> %s", l.ID, l.Type, blocker, blocked))
	}
	for _, p := range scopes {
		for _, v := range sim.Versions(p) {
			lines = append(lines, fmt.Sprintf("version %s %s %s released=%v date=%s", v.ID, p, v.Name, v.Released, v.ReleaseDate))
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func project(key string) string { return key[:strings.LastIndexByte(key, '-')] }

// diff reports the first differing lines of two dumps.
func diff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	gs, ws := map[string]bool{}, map[string]bool{}
	for _, l := range g {
		gs[l] = true
	}
	for _, l := range w {
		ws[l] = true
	}
	var b strings.Builder
	n := 0
	for _, l := range w {
		if !gs[l] && n < 10 {
			fmt.Fprintf(&b, "  missing: %s\n", l)
			n++
		}
	}
	for _, l := range g {
		if !ws[l] && n < 20 {
			fmt.Fprintf(&b, "  extra:   %s\n", l)
			n++
		}
	}
	return fmt.Sprintf("%d lines vs %d expected\n%s", len(g), len(w), b.String())
}

func assertMatchesSim(t *testing.T, r *rig) {
	t.Helper()
	if got, want := dump(t, r.store), truth(r); got != want {
		t.Fatalf("store differs from the simulator: %s", diff(got, want))
	}
}

func watermarks(t *testing.T, st *store.Store) map[string]store.Watermark {
	t.Helper()
	w, err := st.Watermarks(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestFullSyncMatchesSimulator(t *testing.T) {
	for _, flavor := range []jirasim.Flavor{jirasim.Cloud, jirasim.DataCenter} {
		t.Run(string(flavor), func(t *testing.T) {
			r := newRig(t, flavor)
			res := r.sync(false)
			assertMatchesSim(t, r)
			if res.Issues < 160 || res.Links == 0 || res.Changes == 0 {
				t.Errorf("result = %+v, want all issues, some links and changes", res)
			}
			if wm := watermarks(t, r.store); len(wm) != 2 || !wm["PAY"].SyncedUntil.Equal(anchor) {
				t.Errorf("watermarks = %+v", wm)
			}
			if flavor == jirasim.Cloud && r.sim.Requests()["searchOld"] != 0 {
				t.Errorf("Cloud sync called the removed /search endpoint")
			}
		})
	}
}

func TestNoOpSyncIsCheapAndChangesNothing(t *testing.T) {
	for _, flavor := range []jirasim.Flavor{jirasim.Cloud, jirasim.DataCenter} {
		t.Run(string(flavor), func(t *testing.T) {
			r := newRig(t, flavor)
			c := r.connector()
			if _, err := c.Sync(context.Background(), false); err != nil {
				t.Fatal(err)
			}
			before := dump(t, r.store)
			r.clock.Advance(10 * time.Minute)
			res, err := c.Sync(context.Background(), false)
			if err != nil {
				t.Fatal(err)
			}
			// Per project one search and one versions read (release dates
			// are recorded every sync); metadata is cached and
			// reconciliation is not due yet.
			if res.Requests != 2*len(scopes) || res.Issues != 0 {
				t.Errorf("no-op sync: %d requests, %d issues; want %d requests, 0 issues", res.Requests, res.Issues, 2*len(scopes))
			}
			if after := dump(t, r.store); after != before {
				t.Errorf("no-op sync changed the store: %s", diff(after, before))
			}
		})
	}
}

func TestIncrementalSyncFollowsMutations(t *testing.T) {
	for _, flavor := range []jirasim.Flavor{jirasim.Cloud, jirasim.DataCenter} {
		t.Run(string(flavor), func(t *testing.T) {
			r := newRig(t, flavor)
			r.cfg.ReconcileEvery = time.Hour
			r.sync(false)
			r.clock.Advance(2 * time.Hour) // reconciliation due
			issues := r.sim.Issues()
			var pay []jirasim.Issue
			for _, is := range issues {
				if is.Project == "PAY" && is.Type != "Epic" {
					pay = append(pay, is)
				}
			}
			must := func(err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
			}
			must(r.sim.UpdateIssue(pay[0].Key, func(is *jirasim.Issue) { is.Summary = "renamed <b>"; is.DueDate = "2027-01-15" }))
			must(r.sim.DeleteIssue(pay[1].Key))
			_, err := r.sim.MoveIssue(pay[2].Key, "WEB")
			must(err)
			// Out of the scope: an issue with a dependency link to an
			// in-scope issue, which must survive under the new key.
			var linked string
			for _, l := range r.sim.Links() {
				if (l.Type == "Blocks" || l.Type == "Depends") && project(l.Inward) == "PAY" && project(l.Outward) == "PAY" &&
					l.Inward != pay[0].Key && l.Inward != pay[1].Key && l.Inward != pay[2].Key {
					linked = l.Inward
					break
				}
			}
			if linked == "" {
				t.Fatal("scenario has no PAY→PAY dependency link")
			}
			_, err = r.sim.MoveIssue(linked, "OPS")
			must(err)
			_, err = r.sim.AddLink("Blocks", pay[4].Key, pay[5].Key)
			must(err)
			for _, l := range r.sim.Links() {
				if l.Type == "Blocks" && (project(l.Inward) == "PAY" || project(l.Outward) == "PAY") {
					must(r.sim.RemoveLink(l.ID))
					break
				}
			}
			r.clock.Advance(time.Minute)
			res := r.sync(false)
			assertMatchesSim(t, r)
			if res.Removed != 2 {
				t.Errorf("removed = %d, want 2 (one deleted, one moved out)", res.Removed)
			}
		})
	}
}

func TestUpdateCaughtWhateverTheUserTimeZone(t *testing.T) {
	// Jira reads absolute JQL dates in the user's zone; Radar's relative
	// query must not care. Kiritimati is UTC+14.
	clk := newClock(anchor)
	sc := jirasim.Generate(jirasim.ScenarioConfig{Seed: 3, Projects: []string{"PAY"}, IssuesPerProject: 20, Now: anchor})
	kiri, err := time.LoadLocation("Pacific/Kiritimati")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	sim, srv := storetest.ServeJira(t, sc, jirasim.Options{Flavor: jirasim.Cloud, Now: clk.Now, UserTimeZone: kiri})
	cfg := config.Default().Jira
	cfg.URL, cfg.Projects, cfg.RequestsPerSecond = srv.URL, []string{"PAY"}, 1000
	st := storetest.Open(t)
	c, err := connector.New(connector.SettingsFrom(cfg), st, nil, connector.WithClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Sync(context.Background(), false); err != nil {
		t.Fatal(err)
	}
	clk.Advance(3 * time.Minute)
	key := sim.Issues()[0].Key
	if err := sim.UpdateIssue(key, func(is *jirasim.Issue) { is.Summary = "changed in Kiritimati" }); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Minute)
	res, err := c.Sync(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	is, ok := storedIssue(t, st, "key", key)
	if !ok {
		t.Fatalf("issue %s not stored", key)
	}
	summary := is["summary"]
	if summary != "changed in Kiritimati" || res.Issues != 1 {
		t.Errorf("after update: summary %q, %d issues synced; want the update caught", summary, res.Issues)
	}
}

func TestSyncSurvivesFaults(t *testing.T) {
	for _, flavor := range []jirasim.Flavor{jirasim.Cloud, jirasim.DataCenter} {
		t.Run(string(flavor), func(t *testing.T) {
			clean := newRig(t, flavor)
			clean.sync(false)
			want := dump(t, clean.store)

			r := newRig(t, flavor)
			r.sim.SetFaults(jirasim.Faults{Seed: 11, RateLimitRate: 0.15, RetryAfter: 0, ServiceUnavailableRate: 0.03,
				ServerErrorRate: 0.10, ResetRate: 0.05, TruncateRate: 0.05})
			r.cfg.MaxRetries = 20
			res := r.sync(false)
			if got := dump(t, r.store); got != want {
				t.Fatalf("faulty sync differs from a clean one: %s", diff(got, want))
			}
			if res.Retries == 0 {
				t.Errorf("no retries counted under faults")
			}
			counts := r.sim.FaultCounts()
			for _, k := range []string{jirasim.FaultRateLimit, jirasim.FaultServerError, jirasim.FaultReset, jirasim.FaultTruncate} {
				if counts[k] == 0 {
					t.Errorf("fault %s never injected: %v", k, counts)
				}
			}
		})
	}
}

func TestRetryAfterHTTPDateIsHonoured(t *testing.T) {
	r := newRig(t, jirasim.Cloud)
	r.sim.SetFaults(jirasim.Faults{Seed: 1, RateLimitRate: 0.2, MaxFaults: 2, RetryAfter: time.Second, RetryAfterHTTPDate: true})
	r.cfg.MaxRetries = 30
	r.sync(false)
	assertMatchesSim(t, r)
	if n := r.sim.FaultCounts()[jirasim.FaultRateLimit]; n == 0 {
		t.Errorf("no 429 injected; the test proves nothing")
	}
}

func TestExpiredPageTokenResumes(t *testing.T) {
	r := newRig(t, jirasim.Cloud)
	// Pages cut short (as Cloud does when many fields are asked for):
	// every one-page range pages on with a token.
	r.sim.SetFaults(jirasim.Faults{ExpireTokens: true, PageCap: 7})
	r.sync(false)
	assertMatchesSim(t, r)
}

func TestUnauthorizedWritesNothing(t *testing.T) {
	for _, flavor := range []jirasim.Flavor{jirasim.Cloud, jirasim.DataCenter} {
		t.Run(string(flavor), func(t *testing.T) {
			r := newRig(t, flavor)
			r.cfg.Token = "wrong-token"
			_, err := r.connector().Sync(context.Background(), false)
			if err == nil {
				t.Fatal("sync with a wrong token succeeded")
			}
			var ce *connector.Error
			if !errors.As(err, &ce) || ce.Status != http.StatusUnauthorized {
				t.Errorf("error %v is not a 401 connector.Error", err)
			}
			for _, want := range []string{"jira.token", "jira.email"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not name %s", err, want)
				}
			}
			if strings.Contains(err.Error(), "wrong-token") {
				t.Errorf("error leaks the token: %q", err)
			}
			if n := storetest.Count(t, r.store, "issues", nil) + storetest.Count(t, r.store, "watermarks", nil) +
				storetest.Count(t, r.store, "links", nil); n != 0 {
				t.Errorf("%d rows written after a 401", n)
			}
		})
	}
}

func TestBadJQLSaysSo(t *testing.T) {
	r := newRig(t, jirasim.Cloud)
	r.cfg.JQL = "labels = = broken"
	_, err := r.connector().Sync(context.Background(), false)
	if err == nil || !strings.Contains(err.Error(), "jira.jql") || !strings.Contains(err.Error(), "Error in the JQL Query") {
		t.Fatalf("error = %v; want Jira's JQL message and a pointer to jira.jql", err)
	}
	if wm := watermarks(t, r.store); len(wm) != 0 {
		t.Errorf("watermarks advanced after a failed sync: %v", wm)
	}
}

func TestWrongFlavorOnCloudExplains410(t *testing.T) {
	r := newRig(t, jirasim.Cloud)
	r.cfg.Flavor = "datacenter"
	_, err := r.connector().Sync(context.Background(), false)
	var ce *connector.Error
	if !errors.As(err, &ce) || ce.Status != http.StatusGone || !strings.Contains(err.Error(), "jira.flavor") {
		t.Fatalf("error = %v; want a 410 naming jira.flavor", err)
	}
}

func TestPersistentFailureKeepsWatermark(t *testing.T) {
	r := newRig(t, jirasim.DataCenter)
	r.sync(false)
	before := watermarks(t, r.store)
	r.clock.Advance(30 * time.Minute)
	r.sim.SetFaults(jirasim.Faults{ServerErrorRate: 1, Only: []string{"search"}})
	r.cfg.MaxRetries = 2
	if _, err := r.connector().Sync(context.Background(), false); err == nil {
		t.Fatal("sync succeeded against a failing Jira")
	}
	if after := watermarks(t, r.store); !after["PAY"].SyncedUntil.Equal(before["PAY"].SyncedUntil) {
		t.Errorf("watermark moved from %v to %v after a failed sync", before["PAY"].SyncedUntil, after["PAY"].SyncedUntil)
	}
	runs := storetest.Rows(t, r.store, "sync_runs")
	last := slices.MaxFunc(runs, func(a, b storetest.Row) int { return atoi(t, a["id"]) - atoi(t, b["id"]) })
	if last["error"] == "" {
		t.Errorf("failed sync not recorded in sync_runs")
	}
}

func TestKilledMidSyncThenRerunMatchesClean(t *testing.T) {
	for _, flavor := range []jirasim.Flavor{jirasim.Cloud, jirasim.DataCenter} {
		t.Run(string(flavor), func(t *testing.T) {
			r := newRig(t, flavor)
			// Kill the sync after a few searches by cancelling its context
			// from inside the request stream.
			ctx, cancel := context.WithCancel(context.Background())
			var n atomic.Int32
			kill := func(req *http.Request) {
				if strings.Contains(req.URL.Path, "search") && n.Add(1) == 4 {
					cancel()
				}
			}
			r.hook.Store(&kill)
			_, err := r.connector().Sync(ctx, false)
			if err == nil {
				t.Fatal("killed sync reported success")
			}
			if wm := watermarks(t, r.store); len(wm) == 2 {
				t.Errorf("both watermarks written by a killed sync: %v", wm)
			}
			r.hook.Store(nil)
			r.sync(false)
			assertMatchesSim(t, r)
		})
	}
}
