package jirasim

import (
	"context"
	"slices"
	"strings"
	"testing"

	jira "github.com/andygrunwald/go-jira"
)

// These tests talk to the simulator through go-jira v1.17.0, unmodified,
// as the connector does.

func TestGoJiraDataCenter(t *testing.T) {
	ts := newTestServer(t, DataCenter)
	tp := jira.BearerAuthTransport{Token: testToken}
	c, err := jira.NewClient(tp.Client(), ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	t.Run("serverInfo", func(t *testing.T) {
		req, err := c.NewRequestWithContext(ctx, "GET", "rest/api/2/serverInfo", nil)
		if err != nil {
			t.Fatal(err)
		}
		var info struct {
			BaseURL        string `json:"baseUrl"`
			DeploymentType string `json:"deploymentType"`
			VersionNumbers []int  `json:"versionNumbers"`
		}
		if _, err := c.Do(req, &info); err != nil {
			t.Fatal(err)
		}
		if info.DeploymentType != "Server" || info.VersionNumbers[0] != 9 || info.BaseURL != ts.URL {
			t.Errorf("got %+v, want a Jira 9 Server at %s", info, ts.URL)
		}
	})

	t.Run("search with full changelog", func(t *testing.T) {
		var got []jira.Issue
		for start := 0; ; {
			page, resp, err := c.Issue.SearchWithContext(ctx, "project = PAY ORDER BY id ASC", &jira.SearchOptions{
				StartAt: start, MaxResults: 40, Expand: "changelog",
				Fields: []string{"summary", "status", "issuetype", "assignee", "updated", "created", "duedate", "issuelinks", "parent", "fixVersions", ts.FieldIDs().Sprint, ts.FieldIDs().EpicLink},
			})
			if err != nil {
				t.Fatal(err)
			}
			if resp.Total != 150 {
				t.Fatalf("got total %d, want 150", resp.Total)
			}
			got = append(got, page...)
			start += len(page)
			if len(page) == 0 || start >= resp.Total {
				break
			}
		}
		if len(got) != 150 {
			t.Fatalf("got %d issues, want 150", len(got))
		}
		for i, is := range got {
			want, _ := ts.Issue(is.Key)
			if is.ID != want.ID || is.Fields.Summary != want.Summary || is.Fields.Status.ID != want.Status {
				t.Errorf("issue %d: got %s %q status %s, want %s %q status %s", i, is.ID, is.Fields.Summary, is.Fields.Status.ID, want.ID, want.Summary, want.Status)
			}
			if i > 0 && atoi64(got[i-1].ID) >= atoi64(is.ID) {
				t.Errorf("issue %d: ids not ascending: %s then %s", i, got[i-1].ID, is.ID)
			}
			if hs := ts.Changelog(is.Key); is.Changelog == nil && len(hs) > 0 || is.Changelog != nil && len(is.Changelog.Histories) != len(hs) {
				t.Errorf("%s: changelog not full: want %d histories", is.Key, len(hs))
			}
			if !time0(is.Fields.Created).Equal(want.Created) {
				t.Errorf("%s: created %v, want %v", is.Key, time0(is.Fields.Created), want.Created)
			}
		}
	})

	t.Run("link types", func(t *testing.T) {
		// Jira wraps the list in {"issueLinkTypes": [...]}; go-jira v1.17.0
		// expects a bare array and fails on the real wire
		// (andygrunwald/go-jira#740), so clients decode it themselves.
		if _, _, err := c.IssueLinkType.GetListWithContext(ctx); err == nil {
			t.Errorf("go-jira's IssueLinkType.GetList decoded the wrapped list; the simulator must serve Jira's real shape")
		}
		req, err := c.NewRequestWithContext(ctx, "GET", "rest/api/2/issueLinkType", nil)
		if err != nil {
			t.Fatal(err)
		}
		var body struct {
			IssueLinkTypes []jira.IssueLinkType `json:"issueLinkTypes"`
		}
		if _, err := c.Do(req, &body); err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, lt := range body.IssueLinkTypes {
			names = append(names, lt.Name+":"+lt.Outward)
		}
		if !slices.Contains(names, "Depends:depends on") || !slices.Contains(names, "Blocks:blocks") {
			t.Errorf("got link types %v", names)
		}
	})

	t.Run("fields", func(t *testing.T) {
		fs, _, err := c.Field.GetListWithContext(ctx)
		if err != nil {
			t.Fatal(err)
		}
		found := map[string]string{}
		for _, f := range fs {
			if f.Custom {
				found[f.Schema.Custom] = f.ID
			}
		}
		if found["com.pyxis.greenhopper.jira:gh-epic-link"] != ts.FieldIDs().EpicLink || found["com.pyxis.greenhopper.jira:gh-sprint"] != ts.FieldIDs().Sprint {
			t.Errorf("got custom fields %v", found)
		}
	})

	t.Run("project", func(t *testing.T) {
		p, _, err := c.Project.GetWithContext(ctx, "PAY")
		if err != nil {
			t.Fatal(err)
		}
		if p.Key != "PAY" || p.Name != "Payments" {
			t.Errorf("got project %s %q", p.Key, p.Name)
		}
		_, resp, err := c.Project.GetWithContext(ctx, "NOPE")
		if err == nil || resp.StatusCode != 404 || !strings.Contains(err.Error(), "No project could be found") {
			t.Errorf("unknown project: got %v", err)
		}
	})
}

func time0(t jira.Time) timeT { return timeT(t) }

func TestGoJiraCloudPaging(t *testing.T) {
	ts := newTestServer(t, Cloud)
	tp := jira.BasicAuthTransport{Username: testEmail, Password: testToken}
	c, err := jira.NewClient(tp.Client(), ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	type body struct {
		JQL           string   `json:"jql"`
		Fields        []string `json:"fields"`
		MaxResults    int      `json:"maxResults"`
		NextPageToken string   `json:"nextPageToken,omitempty"`
	}
	var keys []string
	b := body{JQL: "project = PAY AND id >= 10000 ORDER BY id ASC", Fields: []string{"summary", "status", "updated"}, MaxResults: 100}
	pages := 0
	for {
		req, err := c.NewRequestWithContext(ctx, "POST", "rest/api/3/search/jql", b)
		if err != nil {
			t.Fatal(err)
		}
		var page jqlPage
		if _, err := c.Do(req, &page); err != nil {
			t.Fatal(err)
		}
		pages++
		if page.Total != nil {
			t.Errorf("Cloud search/jql must not have total")
		}
		for _, is := range page.Issues {
			keys = append(keys, is.Key)
		}
		if page.NextPageToken == nil {
			if !page.IsLast {
				t.Errorf("no nextPageToken but isLast false")
			}
			break
		}
		b.NextPageToken = *page.NextPageToken
	}
	var want []string
	for _, is := range ts.Issues() {
		if is.Project == "PAY" {
			want = append(want, is.Key)
		}
	}
	if !slices.Equal(keys, want) || pages != 2 {
		t.Errorf("got %d keys in %d pages, want %d in 2", len(keys), pages, len(want))
	}

	// go-jira's own v2 JQL search gets the first page.
	issues, _, err := c.Issue.SearchV2JQLWithContext(ctx, "project = WEB ORDER BY key DESC", &jira.SearchOptionsV2{MaxResults: 10, Fields: []string{"summary", "status"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(issues) != 10 || issues[0].Key != "WEB-150" || issues[0].Fields.Summary == "" {
		t.Errorf("SearchV2JQL: got %d issues, first %+v", len(issues), issues[0])
	}

	// The removed search answers 410 through go-jira's error handling.
	_, resp, err := c.Issue.SearchWithContext(ctx, "project = PAY", nil)
	if err == nil || resp == nil || resp.StatusCode != 410 {
		t.Errorf("old search on Cloud: got %v, want 410", err)
	}
}
