package jirasim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestCloudSearchRemovedAndDCJQLMissing(t *testing.T) {
	cloud, dc := newTestServer(t, Cloud), newTestServer(t, DataCenter)
	for _, tc := range []struct {
		name   string
		ts     *testServer
		method string
		path   string
		want   int
		msg    string
	}{
		{"cloud GET v2 search", cloud, "GET", "/rest/api/2/search?jql=project%3DPAY", http.StatusGone, "CHANGE-2046"},
		{"cloud POST v3 search", cloud, "POST", "/rest/api/3/search", http.StatusGone, "CHANGE-2046"},
		{"dc search/jql", dc, "GET", "/rest/api/2/search/jql?jql=project%3DPAY", http.StatusNotFound, ""},
		{"dc bulkfetch", dc, "POST", "/rest/api/3/changelog/bulkfetch", http.StatusNotFound, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, b, _ := tc.ts.do(t, tc.method, tc.path, map[string]string{"jql": "project = PAY"})
			if code != tc.want {
				t.Fatalf("got %d, want %d: %s", code, tc.want, b)
			}
			if msgs := errorMessages(t, b); tc.msg != "" && (len(msgs) == 0 || !strings.Contains(msgs[0], tc.msg)) {
				t.Errorf("got messages %q, want one mentioning %s", msgs, tc.msg)
			}
		})
	}
}

func TestCloudSearchErrors(t *testing.T) {
	ts := newTestServer(t, Cloud)
	var first jqlPage
	ts.getJSON(t, "GET", "/rest/api/3/search/jql?maxResults=5&jql="+url.QueryEscape("project = PAY ORDER BY id"), nil, &first)
	if first.NextPageToken == nil {
		t.Fatal("no nextPageToken on the first page")
	}
	for _, tc := range []struct {
		name string
		body map[string]any
		want string
	}{
		{"empty jql", map[string]any{"jql": ""}, msgUnbounded},
		{"only order by", map[string]any{"jql": "ORDER BY updated DESC"}, msgUnbounded},
		{"token of another query", map[string]any{"jql": "project = WEB ORDER BY id", "nextPageToken": *first.NextPageToken}, msgInvalidToken},
		{"garbage token", map[string]any{"jql": "project = PAY ORDER BY id", "nextPageToken": "!!"}, msgInvalidToken},
		{"unknown project", map[string]any{"jql": "project = NOPE"}, "The value 'NOPE' does not exist for the field 'project'."},
		{"syntax", map[string]any{"jql": "project PAY"}, "Error in the JQL Query: Expecting operator but got 'PAY'."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, b, _ := ts.do(t, "POST", "/rest/api/3/search/jql", tc.body)
			if code != http.StatusBadRequest {
				t.Fatalf("got %d, want 400: %s", code, b)
			}
			if msgs := errorMessages(t, b); len(msgs) != 1 || !strings.HasPrefix(msgs[0], tc.want) {
				t.Errorf("got %q, want %q", msgs, tc.want)
			}
		})
	}
}

func TestCloudSearchFieldsAndCaps(t *testing.T) {
	ts := newTestServer(t, Cloud)
	jql := url.QueryEscape("project in (PAY, WEB, OPS) ORDER BY id")
	t.Run("default is id only", func(t *testing.T) {
		code, b, _ := ts.do(t, "GET", "/rest/api/3/search/jql?maxResults=2&jql="+jql, nil)
		if code != 200 {
			t.Fatal(code, string(b))
		}
		var raw struct{ Issues []map[string]any }
		json.Unmarshal(b, &raw)
		if len(raw.Issues) != 2 || len(raw.Issues[0]) != 1 || raw.Issues[0]["id"] == nil {
			t.Errorf("got %s, want issues with only an id", b)
		}
	})
	for _, tc := range []struct {
		name, fields string
		ask, want    int
	}{
		{"ids up to 5000", "id", 5000, 450},
		{"keys up to 5000", "id,key", 1000, 450},
		{"fields cap 100", "summary,status", 1000, 100},
		{"default 50", "summary", 0, 50},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var p jqlPage
			ts.getJSON(t, "GET", "/rest/api/3/search/jql?jql="+jql+"&fields="+tc.fields+"&maxResults="+itoa(tc.ask), nil, &p)
			if len(p.Issues) != tc.want {
				t.Errorf("got %d issues, want %d", len(p.Issues), tc.want)
			}
			if strings.Contains(tc.fields, "key") && p.Issues[0].Key == "" {
				t.Errorf("asked for keys, got none")
			}
		})
	}
	t.Run("null fields present when asked", func(t *testing.T) {
		var p jqlPage
		ts.getJSON(t, "POST", "/rest/api/3/search/jql", map[string]any{"jql": "project = PAY AND assignee is EMPTY", "fields": []string{"assignee", "duedate", "priority", ts.FieldIDs().Flagged}, "maxResults": 1}, &p)
		if len(p.Issues) != 1 {
			t.Fatalf("got %d issues", len(p.Issues))
		}
		for _, f := range []string{"assignee", "duedate", "priority", ts.FieldIDs().Flagged} {
			if _, ok := p.Issues[0].Fields[f]; !ok {
				t.Errorf("field %s missing", f)
			}
		}
		if got := string(p.Issues[0].Fields["assignee"]); got != "null" {
			t.Errorf("assignee: got %s, want null", got)
		}
		if _, ok := p.Issues[0].Fields["summary"]; ok {
			t.Errorf("summary returned though not asked for")
		}
	})
}

func itoa(n int) string { return strconvItoa(n) }

func TestChangelogTruncatedOnCloudSearchFullInBulkfetch(t *testing.T) {
	ts := newTestServer(t, Cloud)
	var key string
	for _, is := range ts.Issues() {
		if len(ts.Changelog(is.Key)) > 25 {
			key = is.Key
			break
		}
	}
	if key == "" {
		t.Fatal("scenario has no issue with more than 25 histories")
	}
	want := ts.Changelog(key)

	var p jqlPage
	ts.getJSON(t, "POST", "/rest/api/3/search/jql", map[string]any{"jql": "key = " + key, "fields": []string{"summary"}, "expand": "changelog"}, &p)
	cl := p.Issues[0].Changelog
	if cl == nil || len(cl.Histories) != truncatedHistories || cl.Total != len(want) {
		t.Fatalf("search changelog: got %+v, want the last %d of %d", cl, truncatedHistories, len(want))
	}
	var last struct{ ID string }
	json.Unmarshal(cl.Histories[len(cl.Histories)-1], &last)
	if last.ID != want[len(want)-1].ID {
		t.Errorf("search changelog ends at %s, want the latest %s", last.ID, want[len(want)-1].ID)
	}

	// Bulkfetch pages through all of it, oldest first, created in ms.
	type bulkPage struct {
		IssueChangeLogs []struct {
			IssueID         string `json:"issueId"`
			ChangeHistories []struct {
				ID      string `json:"id"`
				Created int64  `json:"created"`
				Items   []struct {
					Field, FieldID string
				} `json:"items"`
			} `json:"changeHistories"`
		} `json:"issueChangeLogs"`
		NextPageToken string `json:"nextPageToken"`
	}
	is, _ := ts.Issue(key)
	var ids []string
	var created []int64
	body := map[string]any{"issueIdsOrKeys": []string{key, "PAY-1"}, "maxResults": 7}
	for pages := 0; ; pages++ {
		var bp bulkPage
		ts.getJSON(t, "POST", "/rest/api/3/changelog/bulkfetch", body, &bp)
		for _, icl := range bp.IssueChangeLogs {
			if icl.IssueID != is.ID {
				continue
			}
			for _, h := range icl.ChangeHistories {
				ids = append(ids, h.ID)
				created = append(created, h.Created)
			}
		}
		if bp.NextPageToken == "" {
			break
		}
		body["nextPageToken"] = bp.NextPageToken
		if pages > 100 {
			t.Fatal("bulkfetch never ends")
		}
	}
	var wantIDs []string
	for _, h := range want {
		wantIDs = append(wantIDs, h.ID)
	}
	if !slices.Equal(ids, wantIDs) {
		t.Errorf("bulkfetch histories: got %v, want %v", ids, wantIDs)
	}
	if created[0] != want[0].Created.UnixMilli() || !slices.IsSorted(created) {
		t.Errorf("bulkfetch created: got %v, want ascending ms from %d", created[:3], want[0].Created.UnixMilli())
	}

	t.Run("fieldIds filter", func(t *testing.T) {
		var bp bulkPage
		ts.getJSON(t, "POST", "/rest/api/3/changelog/bulkfetch", map[string]any{"issueIdsOrKeys": []string{key}, "fieldIds": []string{"status"}}, &bp)
		for _, icl := range bp.IssueChangeLogs {
			for _, h := range icl.ChangeHistories {
				for _, it := range h.Items {
					if it.FieldID != "status" {
						t.Errorf("got item %+v, want status items only", it)
					}
				}
			}
		}
	})

	t.Run("issue changelog endpoint", func(t *testing.T) {
		var page struct {
			StartAt, MaxResults, Total int
			IsLast                     bool
			Values                     []struct {
				ID      string
				Created string
			}
		}
		ts.getJSON(t, "GET", "/rest/api/3/issue/"+key+"/changelog?startAt=5&maxResults=10", nil, &page)
		if page.Total != len(want) || len(page.Values) != 10 || page.Values[0].ID != want[5].ID || page.IsLast {
			t.Errorf("got total %d, %d values from %s, isLast %v", page.Total, len(page.Values), page.Values[0].ID, page.IsLast)
		}
		if !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d{4}$`).MatchString(page.Values[0].Created) {
			t.Errorf("created %q is not Jira's datetime", page.Values[0].Created)
		}
	})

	t.Run("bulkfetch limits", func(t *testing.T) {
		many := make([]string, 1001)
		for i := range many {
			many[i] = "PAY-1"
		}
		for _, b := range []map[string]any{
			{"issueIdsOrKeys": many},
			{"issueIdsOrKeys": []string{}},
			{"issueIdsOrKeys": []string{key}, "fieldIds": []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"}},
			{"issueIdsOrKeys": []string{key}, "maxResults": 10001},
		} {
			if code, body, _ := ts.do(t, "POST", "/rest/api/3/changelog/bulkfetch", b); code != 400 {
				t.Errorf("got %d, want 400: %s", code, body)
			}
		}
	})
}

func TestSprintFieldForms(t *testing.T) {
	var key string
	for _, is := range demoScenario().Issues {
		if len(is.Sprints) >= 2 {
			key = is.Key
			break
		}
	}
	cloud, dc := newTestServer(t, Cloud), newTestServer(t, DataCenter)

	var p jqlPage
	cloud.getJSON(t, "POST", "/rest/api/3/search/jql", map[string]any{"jql": "key = " + key, "fields": []string{cloud.FieldIDs().Sprint}}, &p)
	var sprints []struct {
		ID      int    `json:"id"`
		Name    string `json:"name"`
		State   string `json:"state"`
		BoardID int    `json:"boardId"`
	}
	if err := json.Unmarshal(p.Issues[0].Fields[cloud.FieldIDs().Sprint], &sprints); err != nil {
		t.Fatalf("cloud sprint field: %v", err)
	}
	is, _ := cloud.Issue(key)
	if len(sprints) != len(is.Sprints) || sprints[0].ID != is.Sprints[0] || sprints[0].BoardID == 0 || sprints[0].State == "" {
		t.Errorf("cloud sprints: got %+v, want ids %v", sprints, is.Sprints)
	}

	var dp struct{ Issues []wireIssue }
	dc.getJSON(t, "GET", "/rest/api/2/search?jql=key%3D"+key+"&fields="+dc.FieldIDs().Sprint, nil, &dp)
	var strs []string
	if err := json.Unmarshal(dp.Issues[0].Fields[dc.FieldIDs().Sprint], &strs); err != nil {
		t.Fatalf("dc sprint field: %v", err)
	}
	re := regexp.MustCompile(`^com\.atlassian\.greenhopper\.service\.sprint\.Sprint@[0-9a-f]+\[id=(\d+),rapidViewId=\d+,state=(CLOSED|ACTIVE|FUTURE),name=[^,]+,startDate=[^,]+,endDate=[^,]+,completeDate=[^,]+,`)
	if len(strs) != len(is.Sprints) {
		t.Fatalf("dc sprints: got %d, want %d", len(strs), len(is.Sprints))
	}
	for i, s := range strs {
		m := re.FindStringSubmatch(s)
		if m == nil || m[1] != itoa(is.Sprints[i]) {
			t.Errorf("dc sprint %d: got %q", i, s)
		}
	}
}

func TestIssueLinksAndHierarchyOnTheWire(t *testing.T) {
	sc := demoScenario()
	l := sc.Links[0] // a planted Blocks or Depends link
	for _, flavor := range []Flavor{Cloud, DataCenter} {
		t.Run(string(flavor), func(t *testing.T) {
			ts := newTestServer(t, flavor)
			get := func(key string) map[string]json.RawMessage {
				var w wireIssue
				ts.getJSON(t, "GET", "/rest/api/2/issue/"+key, nil, &w)
				return w.Fields
			}
			type wireLink struct {
				ID                        string
				Type                      struct{ Name, Inward, Outward string }
				InwardIssue, OutwardIssue *struct {
					Key    string
					Fields struct {
						Status struct{ StatusCategory struct{ Key string } }
					}
				}
			}
			find := func(key string) wireLink {
				var ls []wireLink
				json.Unmarshal(get(key)["issuelinks"], &ls)
				for _, x := range ls {
					if x.ID == l.ID {
						return x
					}
				}
				t.Fatalf("%s: link %s missing", key, l.ID)
				return wireLink{}
			}
			in, out := find(l.Inward), find(l.Outward)
			if in.OutwardIssue == nil || in.OutwardIssue.Key != l.Outward || in.InwardIssue != nil {
				t.Errorf("on %s: got %+v, want outwardIssue %s", l.Inward, in, l.Outward)
			}
			if out.InwardIssue == nil || out.InwardIssue.Key != l.Inward || out.InwardIssue.Fields.Status.StatusCategory.Key == "" {
				t.Errorf("on %s: got %+v, want inwardIssue %s with status", l.Outward, out, l.Inward)
			}

			// An issue under an epic: Cloud shows parent, DC the Epic Link.
			var child Issue
			for _, is := range sc.Issues {
				if is.Parent != "" && is.Type != "Sub-task" {
					child = is
					break
				}
			}
			f := get(child.Key)
			var parent struct{ Key string }
			json.Unmarshal(f["parent"], &parent)
			if flavor == Cloud && parent.Key != child.Parent {
				t.Errorf("cloud parent: got %q, want %s", parent.Key, child.Parent)
			}
			if flavor == DataCenter {
				if _, ok := f["parent"]; ok {
					t.Errorf("dc: epic child has parent field")
				}
				if got := string(f[ts.FieldIDs().EpicLink]); got != `"`+child.Parent+`"` {
					t.Errorf("dc epic link: got %s, want %q", got, child.Parent)
				}
			}
		})
	}
}

func TestVersionsBoardsAndMetadata(t *testing.T) {
	ts := newTestServer(t, Cloud)
	var vs []map[string]any
	ts.getJSON(t, "GET", "/rest/api/2/project/PAY/versions", nil, &vs)
	if len(vs) != 7 {
		t.Fatalf("got %d versions, want 7", len(vs))
	}
	undated := 0
	for _, v := range vs {
		if _, ok := v["releaseDate"]; !ok {
			undated++
		}
	}
	if undated != 1 {
		t.Errorf("got %d versions without releaseDate, want 1", undated)
	}
	if code, b, _ := ts.do(t, "GET", "/rest/api/2/project/NOPE/versions", nil); code != 404 || len(errorMessages(t, b)) != 1 {
		t.Errorf("unknown project: got %d %s", code, b)
	}

	var boards struct {
		IsLast bool
		Values []struct{ ID int }
	}
	ts.getJSON(t, "GET", "/rest/agile/1.0/board", nil, &boards)
	if len(boards.Values) != 3 || !boards.IsLast {
		t.Fatalf("got boards %+v", boards)
	}
	var sprints struct {
		StartAt int
		IsLast  bool
		Values  []struct {
			ID    int
			State string
		}
	}
	ts.getJSON(t, "GET", "/rest/agile/1.0/board/1/sprint?maxResults=4&startAt=8", nil, &sprints)
	if len(sprints.Values) != 2 || !sprints.IsLast || sprints.Values[0].State != "active" || sprints.Values[1].State != "future" {
		t.Errorf("got sprints %+v", sprints)
	}

	var statuses []struct {
		ID             string
		Name           string
		StatusCategory struct {
			Key string
			ID  int
		}
	}
	ts.getJSON(t, "GET", "/rest/api/2/status", nil, &statuses)
	names := map[string]string{}
	for _, s := range statuses {
		names[s.Name] = s.StatusCategory.Key
	}
	for name, cat := range map[string]string{"Received": "new", "Volunteer Needed": "new", "En cours": "indeterminate", "Terminé": "done", "Reopened": "new"} {
		if names[name] != cat {
			t.Errorf("status %q: got category %q, want %q", name, names[name], cat)
		}
	}

	var info map[string]any
	ts.getJSON(t, "GET", "/rest/api/3/serverInfo", nil, &info)
	if info["deploymentType"] != "Cloud" {
		t.Errorf("got deploymentType %v", info["deploymentType"])
	}
}

func TestDescriptionFormatPerAPIVersion(t *testing.T) {
	ts := newTestServer(t, Cloud)
	var key, desc string
	for _, is := range ts.Issues() {
		if strings.Contains(is.Description, "\r\n") {
			key, desc = is.Key, is.Description
			break
		}
	}
	var v2 wireIssue
	ts.getJSON(t, "GET", "/rest/api/2/issue/"+key+"?fields=description", nil, &v2)
	var s string
	if err := json.Unmarshal(v2.Fields["description"], &s); err != nil || s != desc {
		t.Errorf("v2 description: got %s, want the text with CRLF", v2.Fields["description"])
	}
	var v3 wireIssue
	ts.getJSON(t, "GET", "/rest/api/3/issue/"+key+"?fields=description", nil, &v3)
	var doc struct {
		Type    string
		Content []struct {
			Type    string
			Content []struct{ Text string }
		}
	}
	if err := json.Unmarshal(v3.Fields["description"], &doc); err != nil || doc.Type != "doc" || len(doc.Content) != strings.Count(desc, "\r\n")+1 {
		t.Errorf("v3 description: got %s, want an ADF doc", v3.Fields["description"])
	}
	if first := strings.Split(desc, "\r\n")[0]; doc.Content[0].Content[0].Text != first {
		t.Errorf("v3 first paragraph %+v, want %q", doc.Content[0], first)
	}
}
