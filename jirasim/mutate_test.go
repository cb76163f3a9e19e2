package jirasim

import (
	"errors"
	"net/url"
	"slices"
	"testing"
	"time"
)

// lastItems returns the items of the issue's latest history.
func lastItems(t *testing.T, s *Server, key string) (History, map[string]Item) {
	t.Helper()
	hs := s.Changelog(key)
	if len(hs) == 0 {
		t.Fatalf("%s has no changelog", key)
	}
	h := hs[len(hs)-1]
	m := map[string]Item{}
	for _, it := range h.Items {
		m[it.Field] = it
	}
	return h, m
}

func TestUpdateIssueWritesChangelog(t *testing.T) {
	ts := newTestServer(t, Cloud)
	var key string
	var before Issue
	for _, is := range ts.Issues() {
		if is.Project == "PAY" && is.Resolved.IsZero() && is.Status == stTodo.ID && len(is.Sprints) == 1 && len(is.FixVersions) == 1 {
			key, before = is.Key, is
			break
		}
	}
	if key == "" {
		t.Fatal("no suitable open issue")
	}
	ts.clock.Advance(time.Hour)
	now := ts.clock.Now()
	nextSprint := ts.Sprints()[9].ID
	nextVersion := ts.Versions("PAY")[5].ID
	err := ts.UpdateIssue(key, func(is *Issue) {
		is.Summary = "Renamed"
		is.Status = stProgress.ID
		is.DueDate = "2026-04-01"
		is.Sprints = append(is.Sprints, nextSprint)
		is.FixVersions = []string{nextVersion}
		is.Assignee = "712020:radar-bot"
		is.Flagged = true
	})
	if err != nil {
		t.Fatal(err)
	}
	after, _ := ts.Issue(key)
	if !after.Updated.Equal(now) || after.Summary != "Renamed" {
		t.Errorf("got updated %v summary %q, want %v and Renamed", after.Updated, after.Summary, now)
	}
	h, items := lastItems(t, ts.Server, key)
	if !h.Created.Equal(now) {
		t.Errorf("history created %v, want %v", h.Created, now)
	}
	for field, want := range map[string]Item{
		"summary":  {Field: "summary", FieldID: "summary", FieldType: "jira", FromString: before.Summary, ToString: "Renamed"},
		"status":   {Field: "status", FieldID: "status", FieldType: "jira", From: stTodo.ID, FromString: "To Do", To: stProgress.ID, ToString: "In Progress"},
		"duedate":  {Field: "duedate", FieldID: "duedate", FieldType: "jira", From: before.DueDate, FromString: dueString(before.DueDate), To: "2026-04-01", ToString: "2026-04-01 00:00:00.0"},
		"assignee": {Field: "assignee", FieldID: "assignee", FieldType: "jira", From: before.Assignee, FromString: ts.userName(before.Assignee), To: "712020:radar-bot", ToString: "Radar Bot"},
		"Flagged":  {Field: "Flagged", FieldID: ts.FieldIDs().Flagged, FieldType: "custom", To: "[10019]", ToString: "Impediment"},
	} {
		if items[field] != want {
			t.Errorf("%s item: got %+v, want %+v", field, items[field], want)
		}
	}
	if it := items["Sprint"]; it.FieldID != ts.FieldIDs().Sprint || it.To != itoa(before.Sprints[0])+", "+itoa(nextSprint) {
		t.Errorf("Sprint item: got %+v", it)
	}
	nFix := 0
	for _, it := range h.Items {
		if it.Field == "Fix Version" {
			nFix++
		}
	}
	if nFix != 2 {
		t.Errorf("got %d Fix Version items, want a removal and an addition", nFix)
	}

	// An incremental query from a watermark finds exactly this issue.
	var p jqlPage
	ts.getJSON(t, "GET", "/rest/api/3/search/jql?fields=updated&jql="+url.QueryEscape(`project = PAY AND updated >= "-30m"`), nil, &p)
	if len(p.Issues) != 1 || p.Issues[0].Key != key {
		t.Errorf("updated >= -30m: got %v, want just %s", p.Issues, key)
	}

	// Done and reopened: resolution set, then cleared.
	ts.clock.Advance(time.Minute)
	if err := ts.Transition(key, stDone.ID); err != nil {
		t.Fatal(err)
	}
	if is, _ := ts.Issue(key); !is.Resolved.Equal(ts.clock.Now()) {
		t.Errorf("resolved %v, want now", is.Resolved)
	}
	if _, items := lastItems(t, ts.Server, key); items["resolution"].ToString != "Done" {
		t.Errorf("no resolution item: %v", items)
	}
	if err := ts.Transition(key, stReopened.ID); err != nil {
		t.Fatal(err)
	}
	if is, _ := ts.Issue(key); !is.Resolved.IsZero() {
		t.Errorf("reopened issue still resolved")
	}
	if err := ts.Transition("PAY-9999", stDone.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown issue: got %v", err)
	}
	if err := ts.Transition(key, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown status: got %v", err)
	}
}

func TestLinksMutations(t *testing.T) {
	ts := newTestServer(t, Cloud)
	ts.clock.Advance(time.Hour)
	now := ts.clock.Now()
	id, err := ts.AddLink("Blocks", "WEB-2", "PAY-1")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"PAY-1", "WEB-2"} {
		is, _ := ts.Issue(k)
		if !is.Updated.Equal(now) {
			t.Errorf("%s updated %v, want %v", k, is.Updated, now)
		}
	}
	if _, items := lastItems(t, ts.Server, "PAY-1"); items["Link"].ToString != "This issue blocks WEB-2" {
		t.Errorf("PAY-1 link item: %+v", items["Link"])
	}
	if _, items := lastItems(t, ts.Server, "WEB-2"); items["Link"].ToString != "This issue is blocked by PAY-1" {
		t.Errorf("WEB-2 link item: %+v", items["Link"])
	}
	if !slices.Contains(ts.Links(), Link{ID: id, Type: "Blocks", Outward: "WEB-2", Inward: "PAY-1"}) {
		t.Errorf("link %s not in Links()", id)
	}
	if err := ts.RemoveLink(id); err != nil {
		t.Fatal(err)
	}
	for _, l := range ts.Links() {
		if l.ID == id {
			t.Errorf("link %s still there", id)
		}
	}
	if _, items := lastItems(t, ts.Server, "WEB-2"); items["Link"].FromString != "This issue is blocked by PAY-1" {
		t.Errorf("WEB-2 unlink item: %+v", items["Link"])
	}
	if err := ts.RemoveLink(id); !errors.Is(err, ErrNotFound) {
		t.Errorf("second removal: got %v", err)
	}
}

func TestAddMoveDeleteIssue(t *testing.T) {
	ts := newTestServer(t, Cloud)
	key, err := ts.AddIssue(Issue{Project: "OPS", Type: "Bug", Summary: "New one"})
	if err != nil {
		t.Fatal(err)
	}
	added, _ := ts.Issue(key)
	if key != "OPS-151" || added.Status != stTodo.ID && added.Status != stOpen.ID && added.Status != stVolNeed.ID || !added.Created.Equal(testNow) {
		t.Errorf("got %s %+v", key, added)
	}

	before, _ := ts.Issue("PAY-5")
	ts.clock.Advance(time.Minute)
	newKey, err := ts.MoveIssue("PAY-5", "WEB")
	if err != nil {
		t.Fatal(err)
	}
	moved, ok := ts.Issue("PAY-5") // the old key still resolves
	if !ok || moved.Key != newKey || moved.ID != before.ID || moved.Project != "WEB" || !moved.Updated.Equal(ts.clock.Now()) {
		t.Errorf("moved: got %+v (new key %s)", moved, newKey)
	}
	if _, items := lastItems(t, ts.Server, newKey); items["Key"].FromString != "PAY-5" || items["Key"].ToString != newKey {
		t.Errorf("Key item: %+v", items["Key"])
	}
	keysOf := func(jql string) []string {
		var p jqlPage
		ts.getJSON(t, "GET", "/rest/api/3/search/jql?fields=key&maxResults=5000&jql="+url.QueryEscape(jql), nil, &p)
		var out []string
		for _, is := range p.Issues {
			out = append(out, is.Key)
		}
		return out
	}
	if got := keysOf("project = PAY"); slices.Contains(got, "PAY-5") || len(got) != 149 {
		t.Errorf("PAY after the move: %d keys", len(got))
	}
	if got := keysOf("project = WEB AND id = " + before.ID); !slices.Equal(got, []string{newKey}) {
		t.Errorf("WEB by id: got %v", got)
	}

	if err := ts.DeleteIssue(newKey); err != nil {
		t.Fatal(err)
	}
	if _, ok := ts.Issue(newKey); ok {
		t.Error("deleted issue still found")
	}
	for _, l := range ts.Links() {
		if l.Inward == newKey || l.Outward == newKey {
			t.Errorf("link %v of a deleted issue remains", l)
		}
	}
	if got := keysOf("project = WEB"); len(got) != 150 {
		t.Errorf("WEB after delete: %d keys, want 150", len(got))
	}
}

func TestSetVersion(t *testing.T) {
	ts := newTestServer(t, Cloud)
	v := ts.Sc().Planted.AtRiskRelease
	v.ReleaseDate = "2026-04-01"
	if err := ts.SetVersion(v); err != nil {
		t.Fatal(err)
	}
	if err := ts.SetVersion(Version{Project: "PAY", Name: "3.0"}); err != nil {
		t.Fatal(err)
	}
	var vs []Version
	ts.getJSON(t, "GET", "/rest/api/2/project/PAY/versions", nil, &vs)
	var got []string
	for _, x := range vs {
		got = append(got, x.Name+"@"+x.ReleaseDate)
	}
	if !slices.Contains(got, "2.0@2026-04-01") || !slices.Contains(got, "3.0@") || len(vs) != 8 {
		t.Errorf("got versions %v", got)
	}
	if err := ts.SetVersion(Version{Project: "NOPE"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown project: got %v", err)
	}
}
