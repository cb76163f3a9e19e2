package connector

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/radarhq/radar/config"
)

// Seeds live in testdata/fuzz/<FuzzName>/ (the issue seeds are the fixtures
// in testdata/*.json and variations on them); crashers found there stay as
// regression cases that plain go test runs.

// checkStrings fails on any string in v, however deeply nested, that is not
// valid UTF-8.
func checkStrings(t *testing.T, what string, v reflect.Value) {
	t.Helper()
	switch v.Kind() {
	case reflect.String:
		if !utf8.ValidString(v.String()) {
			t.Fatalf("%s: invalid UTF-8 %q", what, v.String())
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				checkStrings(t, what+"."+v.Type().Field(i).Name, v.Field(i))
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			checkStrings(t, fmt.Sprintf("%s[%d]", what, i), v.Index(i))
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			checkStrings(t, what, v.Elem())
		}
	}
}

func checkKey(t *testing.T, what, k string, optional bool) {
	t.Helper()
	if (k != "" || !optional) && !issueKeyRE.MatchString(k) {
		t.Fatalf("%s %q does not look like an issue key", what, k)
	}
}

// FuzzMapIssue: the issue and changelog mappers never panic on any JSON; an
// issue they accept has valid UTF-8 text, an id of digits and keys that
// look like keys, and no negative estimates; a changelog they accept is
// oldest first.
func FuzzMapIssue(f *testing.F) {
	cloud := testMapper()
	dc := testMapper()
	dc.fields.Sprint, dc.fields.EpicLink, dc.fields.Flagged, dc.fields.StartDate = "customfield_10101", "customfield_10104", "customfield_10105", ""
	f.Fuzz(func(t *testing.T, data []byte) {
		var w wireIssue
		if unmarshalWire(data, &w) == nil {
			for _, m := range []*mapper{cloud, dc} {
				r, _, err := m.issue(&w, "SCOPE")
				if err != nil {
					continue
				}
				checkStrings(t, "record", reflect.ValueOf(r))
				if !issueIDRE.MatchString(r.Issue.ID) {
					t.Fatalf("id %q accepted", r.Issue.ID)
				}
				checkKey(t, "key", r.Issue.Key, false)
				checkKey(t, "parent", r.Issue.ParentKey, true)
				checkKey(t, "epic", r.Issue.EpicKey, true)
				if !config.ValidProjectKey(r.Issue.Project) {
					t.Fatalf("project %q of %s does not look like a project key", r.Issue.Project, r.Issue.Key)
				}
				for _, l := range r.Links {
					checkKey(t, "blocker", l.BlockerKey, false)
					checkKey(t, "blocked", l.BlockedKey, false)
					if l.BlockerKey != r.Issue.Key && l.BlockedKey != r.Issue.Key {
						t.Fatalf("link %+v does not involve %s", l, r.Issue.Key)
					}
				}
				for _, d := range []time.Duration{r.Issue.OriginalEstimate, r.Issue.RemainingEstimate, r.Issue.TimeSpent} {
					if d < 0 {
						t.Fatalf("negative estimate %v", d)
					}
				}
			}
			if w.Changelog != nil && w.Key != "" {
				checkChanges(t, w.Key, w.Changelog.Histories)
			}
		}
		var bulk wireBulkChangelog
		if unmarshalWire(data, &bulk) == nil {
			for _, l := range bulk.IssueChangeLogs {
				checkChanges(t, "PAY-"+l.IssueID, l.ChangeHistories)
			}
		}
		var v wireVersion
		if unmarshalWire(data, &v) == nil {
			if got, err := toVersion("PAY", v); err == nil {
				checkStrings(t, "version", reflect.ValueOf(got))
			}
		}
	})
}

func checkChanges(t *testing.T, key string, hs []wireHistory) {
	t.Helper()
	cs, err := changes(key, hs)
	if err != nil {
		return
	}
	checkStrings(t, "changes", reflect.ValueOf(cs))
	for i := 1; i < len(cs); i++ {
		if cs[i].Created.Before(cs[i-1].Created) {
			t.Fatalf("changes out of order: %v before %v", cs[i-1].Created, cs[i].Created)
		}
	}
}

// serverSprintString writes a sprint the way Jira Server's toString does.
func serverSprintString(id, board int64, state, name, goal string) string {
	or := func(s string) string {
		if s == "" {
			return "<null>"
		}
		return s
	}
	return fmt.Sprintf("com.atlassian.greenhopper.service.sprint.Sprint@%x[id=%d,rapidViewId=%d,state=%s,name=%s,startDate=2025-01-06T09:00:00.000Z,endDate=<null>,completeDate=<null>,activatedDate=<null>,sequence=%d,goal=%s,autoStartStop=false,synced=false]",
		id*7919, id, board, state, or(name), id, or(goal))
}

// representable says whether Jira's sprint string can carry s unambiguously:
// it has no ",key=" of a key the string uses and is not "<null>".
func representable(s string) bool {
	if s == "<null>" {
		return false
	}
	for _, k := range sprintStringKeys {
		if strings.Contains(s, ","+k+"=") {
			return false
		}
	}
	return true
}

// FuzzServerSprint: parseServerSprint never panics, and a sprint written in
// Jira Server's string form reads back as written whenever its name and
// goal can be told from the keys around them (commas, '=' and brackets in
// them included: "name=A, B=C" is the name "A, B=C").
func FuzzServerSprint(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw, name, goal string, id int64, active bool) {
		if sp, err := parseServerSprint(raw); err == nil {
			checkStrings(t, "sprint", reflect.ValueOf(sp))
		}
		if b, err := json.Marshal([]string{raw}); err == nil {
			_, _ = parseSprints(b) // the property: no panic
		}
		if id < 0 {
			id = -id
		}
		if id < 0 || !representable(name) || !representable(goal) || !utf8.ValidString(name) || !utf8.ValidString(goal) {
			return
		}
		state := "CLOSED"
		if active {
			state = "ACTIVE"
		}
		s := serverSprintString(id, 3, state, name, goal)
		sp, err := parseServerSprint(s)
		if err != nil {
			t.Fatalf("parseServerSprint(%q): %v", s, err)
		}
		if sp.ID != id || sp.BoardID != 3 || sp.State != strings.ToLower(state) || sp.Name != name || sp.Goal != goal ||
			!sp.Start.Equal(time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)) || !sp.End.IsZero() {
			t.Fatalf("parseServerSprint(%q) = %+v; want id %d, name %q, goal %q", s, sp, id, name, goal)
		}
	})
}

func TestServerSprintNameWithCommasAndEquals(t *testing.T) {
	for _, name := range []string{"A, B=C", "Sprint 5, the long one", "x=y", "a,b,c", "[1] ]", "=,=", "Q3, state=ish"} {
		s := serverSprintString(12, 3, "ACTIVE", name, "ship it, then=rest")
		sp, err := parseServerSprint(s)
		if err != nil {
			t.Fatal(err)
		}
		if sp.Name != name || sp.Goal != "ship it, then=rest" || sp.State != "active" {
			t.Errorf("name %q: got name %q goal %q state %q", name, sp.Name, sp.Goal, sp.State)
		}
	}
}

// jqlKinds is the kinds of a tokenized query.
func jqlKinds(toks []config.JQLToken) []config.JQLTokenKind {
	out := make([]config.JQLTokenKind, len(toks))
	for i, t := range toks {
		out[i] = t.Kind
	}
	return out
}

// FuzzScopeJQL: a project key is always one JQL string; and for every
// project key and jira.jql config validation accepts, the query Radar sends
// keeps the project clause whole, the user's JQL inside its own
// parentheses, and the partition, updated and paging clauses at top level.
func FuzzScopeJQL(f *testing.F) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, project, userJQL string) {
		toks, err := config.TokenizeJQL(quoteJQL(project))
		if err != nil || len(toks) != 1 || toks[0].Kind != config.JQLString || toks[0].Text != project {
			t.Fatalf("quoteJQL(%q) = %s tokenizes as %+v, %v; want one string", project, quoteJQL(project), toks, err)
		}

		cfg := config.Default()
		cfg.Jira.URL, cfg.Jira.Token, cfg.Jira.Projects, cfg.Jira.JQL = "https://example.atlassian.net", "tok", []string{project}, userJQL
		if err := cfg.Validate(); err != nil {
			return // validation says what is wrong; Radar never builds this query
		}
		c := &Connector{cfg: SettingsFrom(cfg.Jira), now: func() time.Time { return now }}
		q := query{base: c.scopeJQL(project) + " AND id >= 10100 AND id < 10200", since: now.Add(-time.Hour)}
		sent := c.jql(q) + " AND id > 10150 ORDER BY id ASC" // as a Data Center page after the first
		got, err := config.TokenizeJQL(sent)
		if err != nil {
			t.Fatalf("query %q does not tokenize: %v", sent, err)
		}
		W, O, S, L, R := config.JQLWord, config.JQLOperator, config.JQLString, config.JQLLParen, config.JQLRParen
		want := []config.JQLTokenKind{W, O, S}
		var user []config.JQLToken
		if strings.TrimSpace(userJQL) != "" {
			// scopeJQL trims the configured clause (strings.TrimSpace,
			// which also trims \v and U+00A0 the tokenizer keeps in words).
			if user, err = config.TokenizeJQL(strings.TrimSpace(userJQL)); err != nil {
				t.Fatalf("validated JQL %q does not tokenize: %v", userJQL, err)
			}
			want = append([]config.JQLTokenKind{L}, want...)
			want = append(want, R, W, L)
			want = append(want, jqlKinds(user)...)
			want = append(want, R)
		}
		want = append(want, W, W, O, W, W, W, O, W, W, W, O, S, W, W, O, W, W, W, W, W)
		if !slices.Equal(jqlKinds(got), want) {
			t.Fatalf("query %q tokenizes as %v, want %v", sent, jqlKinds(got), want)
		}
		off := 0
		if user != nil {
			off = 1
		}
		if got[off].Text != "project" || got[off+2].Text != project {
			t.Fatalf("query %q: the project clause is not project = %q", sent, project)
		}
		for i, tk := range user {
			if g := got[off+6+i]; g.Text != tk.Text {
				t.Fatalf("query %q: user token %d is %q, want %q", sent, i, g.Text, tk.Text)
			}
		}
		tail := got[len(got)-20:]
		var words []string
		for _, tk := range tail {
			words = append(words, tk.Text)
		}
		if w := "AND id >= 10100 AND id < 10200 AND updated >= -61m AND id > 10150 ORDER BY id ASC"; strings.Join(words, " ") != w {
			t.Fatalf("query %q ends %q, want %q", sent, strings.Join(words, " "), w)
		}
	})
}

// TestScopeJQLRejectedBreakouts pins the user JQL that would leave its
// clause: config validation refuses each, so Radar never sends them.
func TestScopeJQLRejectedBreakouts(t *testing.T) {
	ok := config.Default()
	ok.Jira.URL, ok.Jira.Token, ok.Jira.Projects, ok.Jira.JQL = "https://example.atlassian.net", "tok", []string{"PAY"}, `(labels = "a) OR (b") AND x = 1`
	if err := ok.Validate(); err != nil {
		t.Fatalf("a valid config fails: %v", err)
	}
	for _, jql := range []string{"x = 1) OR (y = 2", "labels = a ORDER BY rank", `summary ~ "abc`, `labels = a\`, "(a = 1", ") OR project in (SECRET"} {
		cfg := config.Default()
		cfg.Jira.URL, cfg.Jira.Token, cfg.Jira.Projects, cfg.Jira.JQL = "https://example.atlassian.net", "tok", []string{"PAY"}, jql
		err := cfg.Validate()
		if err == nil || !strings.Contains(err.Error(), "jira.jql: ") {
			t.Errorf("jira.jql %q: Validate() = %v, want a jira.jql problem", jql, err)
		}
	}
}
