package connector

import (
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/store"
)

func loadIssue(t *testing.T, name string) wireIssue {
	t.Helper()
	body, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var w wireIssue
	if err := unmarshalWire(body, &w); err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
	return w
}

func testMapper() *mapper {
	return &mapper{
		fields: fieldMap{StoryPoints: []string{"customfield_10002", "customfield_10016", "customfield_10035"},
			Sprint: "customfield_10020", Flagged: "customfield_10021", StartDate: "customfield_10015"},
		deps: map[string]dependencyRule{"blocks": {outwardBlocks: true}, "depends": {outwardBlocks: false}},
	}
}

func day(s string) time.Time { t, _ := time.Parse("2006-01-02", s); return t }

func TestMapCloudIssue(t *testing.T) {
	w := loadIssue(t, "cloud_issue.json")
	r, _, err := testMapper().issue(&w, "PAY")
	if err != nil {
		t.Fatal(err)
	}
	is := r.Issue
	five := 5.0
	want := radar.Issue{
		ID: "10042", Key: "PAY-42", Project: "PAY", Type: "Story",
		Summary: "Checkout fails for <!channel> & friends\r\nsecond line",
		Status:  "En cours", StatusID: "3", StatusCategory: radar.CategoryInProgress,
		AssigneeID: "5b10ac8d82e05b22cc7d4ef5", AssigneeName: "Ana Lima", AssigneeEmail: "ana@example.com",
		Created:     time.Date(2026, 10, 1, 7, 15, 0, 0, time.UTC),
		Updated:     time.Date(2026, 11, 20, 22, 45, 12, 345e6, time.UTC),
		Due:         day("2026-12-01"),
		StartDate:   day("2026-10-02"),
		StoryPoints: &five, OriginalEstimate: 8 * time.Hour, TimeSpent: 16 * time.Hour,
		EpicKey: "PAY-7", Labels: []string{"checkout", "q4"}, Components: []string{"API"},
		FixVersions: []string{"10200"}, SprintIDs: []int64{11, 12}, Flagged: true,
	}
	if !reflect.DeepEqual(is, want) {
		t.Errorf("issue:\n got %+v\nwant %+v", is, want)
	}
	wantLinks := []store.LinkRecord{
		{ID: "20001", Type: "Blocks", BlockerID: "10042", BlockerKey: "PAY-42", BlockedID: "10043", BlockedKey: "PAY-43"},
		{ID: "20002", Type: "Blocks", BlockerID: "90001", BlockerKey: "OPS-1", BlockedID: "10042", BlockedKey: "PAY-42"},
		{ID: "20003", Type: "Depends", BlockerID: "10050", BlockerKey: "PAY-50", BlockedID: "10042", BlockedKey: "PAY-42"},
		{ID: "20004", Type: "Depends", BlockerID: "10042", BlockerKey: "PAY-42", BlockedID: "10051", BlockedKey: "PAY-51"},
	}
	if !reflect.DeepEqual(r.Links, wantLinks) {
		t.Errorf("links:\n got %+v\nwant %+v", r.Links, wantLinks)
	}
	wantSprints := []radar.Sprint{
		{ID: 11, Name: "PAY Sprint 11", State: "closed", BoardID: 3, Start: time.Date(2026, 10, 5, 8, 0, 0, 0, time.UTC),
			End: time.Date(2026, 10, 19, 8, 0, 0, 0, time.UTC), Complete: time.Date(2026, 10, 19, 10, 0, 0, 0, time.UTC)},
		{ID: 12, Name: "PAY Sprint 12", State: "active", BoardID: 3, Goal: "ship, at last", Start: time.Date(2026, 10, 19, 8, 0, 0, 0, time.UTC),
			End: time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)},
	}
	if !reflect.DeepEqual(r.Sprints, wantSprints) {
		t.Errorf("sprints:\n got %+v\nwant %+v", r.Sprints, wantSprints)
	}
}

func TestMapDataCenterIssue(t *testing.T) {
	w := loadIssue(t, "dc_issue.json")
	m := testMapper()
	m.fields.Sprint, m.fields.EpicLink, m.fields.Flagged, m.fields.StartDate = "customfield_10101", "customfield_10104", "customfield_10105", ""
	r, _, err := m.issue(&w, "WEB")
	if err != nil {
		t.Fatal(err)
	}
	pts := 3.5
	want := radar.Issue{
		ID: "30077", Key: "WEB-77", Project: "WEB", Type: "Sub-task", Subtask: true, Summary: "Sub-task with an old sprint",
		Status: "Received", StatusID: "10500", StatusCategory: radar.CategoryNew, Priority: "Major",
		AssigneeID: "bob", AssigneeName: "Bob Stone", AssigneeEmail: "bob@example.com",
		Created: time.Date(2025, 1, 17, 12, 34, 0, 0, time.UTC), Updated: time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC),
		StoryPoints: &pts, ParentKey: "WEB-70", EpicKey: "WEB-1", Labels: []string{}, SprintIDs: []int64{5, 6},
	}
	if !reflect.DeepEqual(r.Issue, want) {
		t.Errorf("issue:\n got %+v\nwant %+v", r.Issue, want)
	}
	wantSprints := []radar.Sprint{
		{ID: 5, Name: "Sprint 5, the long one", State: "closed", BoardID: 1, Start: time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC),
			End: time.Date(2025, 1, 20, 9, 0, 0, 0, time.UTC), Complete: time.Date(2025, 1, 20, 10, 0, 0, 0, time.UTC)},
		{ID: 6, Name: "Sprint 6", State: "active", BoardID: 1, Goal: "finish, then rest", Start: time.Date(2025, 1, 20, 9, 0, 0, 0, time.UTC),
			End: time.Date(2025, 2, 3, 9, 0, 0, 0, time.UTC)},
	}
	if !reflect.DeepEqual(r.Sprints, wantSprints) {
		t.Errorf("sprints:\n got %+v\nwant %+v", r.Sprints, wantSprints)
	}
	cs, err := changes(w.Key, w.Changelog.Histories)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 3 || cs[0].Field != "status" || cs[0].From != "10500" || cs[0].To != "3" || cs[1].Field != "duedate" ||
		cs[1].From != "" || cs[2].Field != "Sprint" || cs[2].Author != "" || cs[0].Author != "Bob Stone" {
		t.Errorf("changes = %+v", cs)
	}
}

func TestBulkChangelogTimes(t *testing.T) {
	body, err := os.ReadFile("testdata/bulk_changelog.json")
	if err != nil {
		t.Fatal(err)
	}
	var b wireBulkChangelog
	if err := unmarshalWire(body, &b); err != nil {
		t.Fatal(err)
	}
	cs, err := changes("PAY-42", b.IssueChangeLogs[0].ChangeHistories)
	if err != nil {
		t.Fatal(err)
	}
	// Sorted oldest first whatever the order on the wire; epoch ms and
	// Jira datetime strings both read.
	if len(cs) != 2 || cs[0].HistoryID != "5000" || !cs[0].Created.Equal(time.Date(2026, 10, 1, 7, 15, 0, 0, time.UTC)) ||
		!cs[1].Created.Equal(time.UnixMilli(1793523600000)) {
		t.Errorf("changes = %+v", cs)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"5", 5 * time.Second, true},
		{"0", 0, true},
		{"1.5", 1500 * time.Millisecond, true},
		{"Fri, 27 Nov 2026 10:00:30 GMT", 30 * time.Second, true},
		{"Fri, 27 Nov 2026 09:00:00 GMT", 0, true},
		{"", 0, false},
		{"soon", 0, false},
	}
	for _, tt := range tests {
		got, ok := retryAfter(tt.in, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("retryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestRangeCutter(t *testing.T) {
	listing := func(n int) []listed {
		var l []listed
		for i := int64(0); i < int64(n); i++ {
			l = append(l, listed{id: strconv.FormatInt(100+i*3, 10), num: 100 + i*3})
		}
		return l
	}
	tests := []struct {
		name     string
		n        int   // listed ids 100, 103, 106, ...
		pages    []int // how the listing arrives
		perGroup int
		want     [][]string // groups of range clauses
	}{
		{"empty listing searches once", 0, nil, 2, [][]string{{""}}},
		{"one short range", 3, []int{3}, 2, [][]string{{""}}},
		{"exactly one range", 4, []int{4}, 2, [][]string{{""}}},
		{"ranges of four, groups of two", 10, []int{10}, 2,
			[][]string{{" AND id < 112", " AND id >= 112 AND id < 124"}, {" AND id >= 124"}}},
		{"a page boundary inside a range", 10, []int{3, 3, 4}, 2,
			[][]string{{" AND id < 112", " AND id >= 112 AND id < 124"}, {" AND id >= 124"}}},
		{"groups of one", 9, []int{9}, 1,
			[][]string{{" AND id < 112"}, {" AND id >= 112 AND id < 124"}, {" AND id >= 124"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got [][]string
			ids := 0
			rc := &rangeCutter{size: 4, perGroup: tt.perGroup, emit: func(g []idRange) error {
				var cs []string
				for _, r := range g {
					cs = append(cs, r.clause())
					ids += len(r.ids)
				}
				got = append(got, cs)
				return nil
			}}
			l := listing(tt.n)
			for _, n := range tt.pages {
				if err := rc.add(l[:n]); err != nil {
					t.Fatal(err)
				}
				l = l[n:]
			}
			if err := rc.finish(); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("groups = %q, want %q", got, tt.want)
			}
			if ids != tt.n {
				t.Errorf("ranges hold %d ids, want %d", ids, tt.n)
			}
		})
	}
	t.Run("out of order", func(t *testing.T) {
		rc := &rangeCutter{size: 4, perGroup: 1, emit: func([]idRange) error { return nil }}
		err := rc.add([]listed{{id: "5", num: 5}, {id: "3", num: 3}})
		if err == nil || !strings.Contains(err.Error(), "out of the id order") {
			t.Errorf("add = %v, want an out-of-order error", err)
		}
	})
}

func TestRateLimitReset(t *testing.T) {
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"2026-11-27T10:00:30Z", 30 * time.Second, true},
		{"2026-11-27T10:01Z", time.Minute, true},
		{"2026-11-27T11:02+01:00", 2 * time.Minute, true},
		{"2026-11-27T09:00:00Z", 0, true},
		{"", 0, false},
		{"tomorrow", 0, false},
	}
	for _, tt := range tests {
		got, ok := rateLimitReset(tt.in, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("rateLimitReset(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestServerSprintWithMultiLineGoal(t *testing.T) {
	sp, err := parseServerSprint("com.atlassian.greenhopper.service.sprint.Sprint@9f[id=8,rapidViewId=2,state=FUTURE,name=S8,goal=first line\nsecond, line,startDate=<null>,endDate=<null>,completeDate=<null>,sequence=8]")
	if err != nil {
		t.Fatal(err)
	}
	if sp.ID != 8 || sp.State != "future" || sp.Goal != "first line\nsecond, line" || !sp.Start.IsZero() {
		t.Errorf("sprint = %+v", sp)
	}
}

func TestOddFieldIsSkippedNotFatal(t *testing.T) {
	body, err := os.ReadFile("testdata/cloud_issue.json")
	if err != nil {
		t.Fatal(err)
	}
	// The same issue with fields in shapes Radar cannot read: a system
	// field of the wrong type (the whole value is skipped, the members after
	// it still read), a date it cannot parse and a custom field.
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	fields := doc["fields"].(map[string]any)
	fields["duedate"] = "next tuesday"
	fields["customfield_10020"] = map[string]any{"not": "a list"}
	fields["status"] = []any{map[string]any{"name": "Done"}, 7}
	fields["labels"] = map[string]any{"a": []any{1, 2}}
	body, _ = json.Marshal(doc)
	var w wireIssue
	if err := unmarshalWire(body, &w); err != nil {
		t.Fatalf("an odd field failed the page: %v", err)
	}
	r, warnings, err := testMapper().issue(&w, "PAY")
	if err != nil {
		t.Fatalf("an odd field failed the issue: %v", err)
	}
	if len(warnings) != 4 || !r.Issue.Due.IsZero() || r.Issue.Summary == "" || len(r.Links) != 4 ||
		r.Issue.Status != "" || r.Issue.Labels != nil || r.Issue.Created.IsZero() {
		t.Errorf("warnings %q, due %v, summary %q, %d links, status %q, labels %q, created %v",
			warnings, r.Issue.Due, r.Issue.Summary, len(r.Links), r.Issue.Status, r.Issue.Labels, r.Issue.Created)
	}
	for _, name := range []string{"duedate", "customfield_10020", "status", "labels"} {
		if !slices.ContainsFunc(warnings, func(w string) bool { return strings.HasPrefix(w, "field "+name+": ") }) {
			t.Errorf("no warning names field %s: %q", name, warnings)
		}
	}
}

// One issue with an odd field on a page costs that field only: the page's
// other issues and its paging decode whole.
func TestOddFieldOnAPage(t *testing.T) {
	page := `{"issues":[
		{"id":"1","key":"PAY-1","fields":{"summary":"one","status":{"id":"3","name":"In Progress"}}},
		{"id":"2","key":"PAY-2","fields":{"summary":"two","status":["In Progress"],"labels":["a"]}},
		{"id":"3","key":"PAY-3","fields":{"summary":"three","status":{"id":"5","name":"Done"},"customfield_1":7}}
	],"nextPageToken":"tok","isLast":false}`
	var p wireCloudPage
	if err := unmarshalWire([]byte(page), &p); err != nil {
		t.Fatalf("a page with one odd field failed: %v", err)
	}
	if len(p.Issues) != 3 || p.NextPageToken != "tok" || p.IsLast == nil || *p.IsLast {
		t.Fatalf("page = %d issues, token %q, isLast %v", len(p.Issues), p.NextPageToken, p.IsLast)
	}
	for i, want := range []struct{ summary, status, odd string }{{"one", "3", ""}, {"two", "", "status"}, {"three", "5", ""}} {
		f := p.Issues[i].Fields
		var odd []string
		for _, o := range f.Odd {
			odd = append(odd, o.Name)
		}
		if f.Summary != want.summary || f.Status.ID != want.status || strings.Join(odd, ",") != want.odd {
			t.Errorf("issue %d: summary %q, status %q, odd %q; want %+v", i, f.Summary, f.Status.ID, odd, want)
		}
	}
	if got := string(p.Issues[2].Fields.Custom["customfield_1"]); got != "7" {
		t.Errorf("custom field = %q, want 7", got)
	}
	if len(p.Issues[1].Fields.Labels) != 1 {
		t.Errorf("labels after the odd status: %q", p.Issues[1].Fields.Labels)
	}
}
