package jirasim

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// tinyScenario is a hand-made scenario whose JQL answers are known.
func tinyScenario() *Scenario {
	sp := func(f float64) *float64 { return &f }
	la, _ := time.LoadLocation("America/Los_Angeles")
	d := func(s string) time.Time { t, _ := time.ParseInLocation("2006-01-02 15:04", s, la); return t }
	return &Scenario{
		Projects:   []Project{{"10000", "AAA", "Alpha"}, {"10001", "BBB", "Beta"}},
		Users:      []User{{AccountID: "u1", Name: "ada", DisplayName: "Ada L", Email: "ada@example.com"}, {AccountID: "u2", Name: "bob", DisplayName: "Bob M"}},
		Statuses:   []Status{stTodo, stProgress, stDone, stReceived},
		Priorities: []Priority{{"1", "Critical"}, {"3", "Medium"}},
		IssueTypes: []IssueType{{"10000", "Epic", false, 1}, {"10001", "Bug", false, 0}, {"10006", "Sub-task", true, -1}},
		LinkTypes:  []LinkType{{"10000", "Blocks", "is blocked by", "blocks"}},
		Versions:   []Version{{ID: "100", Project: "AAA", Name: "1.0", Released: true, ReleaseDate: "2026-01-01"}, {ID: "101", Project: "AAA", Name: "2.0"}},
		Sprints:    []Sprint{{ID: 1, BoardID: 1, Name: "S1", State: SprintClosed}, {ID: 2, BoardID: 1, Name: "S2", State: SprintActive}},
		Issues: []Issue{
			{ID: "10000", Key: "AAA-1", Project: "AAA", Type: "Epic", Summary: "Big epic", Status: "10000", Created: d("2026-01-01 09:00"), Updated: d("2026-01-02 15:30")},
			{ID: "10001", Key: "AAA-2", Project: "AAA", Type: "Bug", Summary: "Crash on <save>", Status: "3", Priority: "1", Assignee: "u1", Parent: "AAA-1", Labels: []string{"backend"}, FixVersions: []string{"101"}, Sprints: []int{1, 2}, Created: d("2026-01-01 10:00"), Updated: d("2026-01-02 16:10"), DueDate: "2026-01-10", StoryPoints: sp(3)},
			{ID: "10002", Key: "AAA-3", Project: "AAA", Type: "Sub-task", Summary: "Write test", Status: "10005", Assignee: "u2", Parent: "AAA-2", Created: d("2026-01-01 11:00"), Updated: d("2026-01-01 12:00"), Resolved: d("2026-01-01 12:00"), FixVersions: []string{"100"}},
			{ID: "10005", Key: "BBB-1", Project: "BBB", Type: "Bug", Summary: "Slow page", Status: "10001", Priority: "3", Created: d("2026-01-02 08:00"), Updated: d("2026-01-03 08:00"), DueDate: "2026-01-20", Labels: []string{"perf", "ux"}},
			{ID: "10007", Key: "BBB-2", Project: "BBB", Type: "Bug", Summary: "Save fails", Status: "10005", Assignee: "u1", Created: d("2026-01-02 09:00"), Updated: d("2026-01-02 23:59").Add(30 * time.Second), Resolved: d("2026-01-02 23:59")},
		},
		Links: []Link{{ID: "1", Type: "Blocks", Inward: "AAA-2", Outward: "BBB-1"}},
	}
}

func tinyServer(t *testing.T) *Server {
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 3, 18, 0, 0, 0, time.UTC) // 10:00 in Los Angeles
	return New(tinyScenario(), Options{Email: "ada@example.com", Now: func() time.Time { return now }, UserTimeZone: la})
}

// searchKeys runs a JQL query against the server's state.
func searchKeys(s *Server, jql string) ([]string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	q, err := s.compileJQL(jql)
	if err != nil {
		return nil, err
	}
	var rs []*issueRec
	for _, r := range s.candidates(q) {
		if q.match(r) {
			rs = append(rs, r)
		}
	}
	s.sortIssues(rs, q.order)
	keys := []string{}
	for _, r := range rs {
		keys = append(keys, r.Key)
	}
	return keys, nil
}

func TestJQL(t *testing.T) {
	s := tinyServer(t)
	for _, tc := range []struct {
		jql  string
		want string // keys, space separated, in order
	}{
		{"project = AAA", "AAA-1 AAA-2 AAA-3"},
		{"project = alpha", "AAA-1 AAA-2 AAA-3"},
		{"project in (AAA, BBB) AND id >= 10001 AND id < 10007", "AAA-2 AAA-3 BBB-1"},
		{"project = AAA AND id > 10000 ORDER BY id DESC", "AAA-3 AAA-2"},
		{"key = AAA-2", "AAA-2"},
		{"issuekey in (AAA-2, BBB-2)", "AAA-2 BBB-2"},
		{"id = 10005", "BBB-1"},
		{"key > AAA-1 AND project = AAA", "AAA-2 AAA-3"},
		{"issuetype = Bug", "AAA-2 BBB-1 BBB-2"},
		{"type in (Epic, Sub-task)", "AAA-1 AAA-3"},
		{"status = 'In Progress'", "AAA-2"},
		{"status = 10001", "BBB-1"},
		{"statusCategory = done", "AAA-3 BBB-2"},
		{"statusCategory != Done", "AAA-1 AAA-2 BBB-1"},
		{`statusCategory in ("To Do", "In Progress")`, "AAA-1 AAA-2 BBB-1"},
		{"assignee = ada", "AAA-2 BBB-2"},
		{"assignee = currentUser()", "AAA-2 BBB-2"},
		{"assignee is EMPTY", "AAA-1 BBB-1"},
		{"assignee is not null", "AAA-2 AAA-3 BBB-2"},
		{"assignee != ada", "AAA-3"},
		{"labels = perf", "BBB-1"},
		{"labels in (backend, ux)", "AAA-2 BBB-1"},
		{"labels is EMPTY", "AAA-1 AAA-3 BBB-2"},
		{"fixVersion = 2.0", "AAA-2"},
		{"fixVersion in releasedVersions()", "AAA-3"},
		{"fixVersion is EMPTY AND project = BBB", "BBB-1 BBB-2"},
		{"parent = AAA-1", "AAA-2"},
		{"parent in (AAA-1, AAA-2)", "AAA-2 AAA-3"},
		{"sprint in openSprints()", "AAA-2"},
		{"priority = Critical", "AAA-2"},
		{"duedate < 2026-01-15", "AAA-2"},
		{"duedate is not EMPTY ORDER BY duedate DESC", "BBB-1 AAA-2"},
		{"resolved is EMPTY", "AAA-1 AAA-2 BBB-1"},
		{"resolutiondate >= '2026-01-02'", "BBB-2"},
		{"created >= '2026-01-02' ORDER BY created DESC", "BBB-2 BBB-1"},
		{"summary ~ save", "AAA-2 BBB-2"},
		{"text ~ 'slow'", "BBB-1"},
		{"project = AAA AND (status = 'To Do' OR assignee = bob)", "AAA-1 AAA-3"},
		{"project = AAA AND NOT status = 'To Do'", "AAA-2 AAA-3"},
		{"project = AAA and not (assignee = ada or assignee = bob)", "AAA-1"},
		{"project = AAA ORDER BY key DESC", "AAA-3 AAA-2 AAA-1"},
		{"project in (AAA, BBB) ORDER BY updated DESC, key ASC", "BBB-1 BBB-2 AAA-2 AAA-1 AAA-3"},
		// Relative dates count from Now (2026-01-03 10:00 in Los Angeles).
		{"updated >= -1d", "AAA-1 AAA-2 BBB-1 BBB-2"},
		{`updated >= "-90m"`, "none"},
		{"updated >= -2w", "AAA-1 AAA-2 AAA-3 BBB-1 BBB-2"},
		{"updated > '-18h'", "AAA-2 BBB-1 BBB-2"},
		{"updated > '-1d 2h'", "AAA-1 AAA-2 BBB-1 BBB-2"},
	} {
		t.Run(tc.jql, func(t *testing.T) {
			got, err := searchKeys(s, tc.jql)
			if err != nil {
				t.Fatal(err)
			}
			want := strings.Fields(tc.want)
			if tc.want == "none" {
				want = []string{}
			}
			if !slices.Equal(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

// TestJQLTimeZone shows the pitfall Radar must avoid: absolute JQL dates
// are read in the user's profile zone with minute precision, so a UTC
// watermark formatted naively misses updates.
func TestJQLTimeZone(t *testing.T) {
	s := tinyServer(t)
	// BBB-2 was updated at 2026-01-02 23:59 Los Angeles = 2026-01-03 07:59 UTC.
	for _, tc := range []struct {
		jql  string
		want bool
	}{
		{`key = BBB-2 AND updated >= "2026-01-02 23:59"`, true},  // the user's zone: found
		{`key = BBB-2 AND updated >= "2026-01-03 07:59"`, false}, // the UTC instant, read as LA time: missed
		{`key = BBB-2 AND updated >= "2026/01/02 23:00"`, true},  // slash layout
		{`key = BBB-2 AND updated > "2026-01-02 23:59"`, true},   // 23:59:00.000 < the update time
		{`key = BBB-2 AND updated <= "2026-01-02"`, false},       // midnight at the start of the day
		{`key = BBB-2 AND updated >= "1767427140000"`, true},     // epoch ms (2026-01-03 07:59 UTC)
	} {
		got, err := searchKeys(s, tc.jql)
		if err != nil {
			t.Fatalf("%s: %v", tc.jql, err)
		}
		if (len(got) == 1) != tc.want {
			t.Errorf("%s: got %v, want found=%v", tc.jql, got, tc.want)
		}
	}
}

func TestJQLErrors(t *testing.T) {
	s := tinyServer(t)
	for _, tc := range []struct{ jql, want string }{
		{"project PAY", "Error in the JQL Query: Expecting operator but got 'PAY'. The valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'. (line 1, character 9)"},
		{"project = ", "Error in the JQL Query: Expecting either a value, list or function but got 'EOF'. You must surround 'EOF' in quotation marks to use it as a value. (line 1, character 11)"},
		{"(project = AAA", "Error in the JQL Query: Expecting ')' but got 'EOF'. (line 1, character 15)"},
		{"project = AAA AND", "Error in the JQL Query: Expecting a field name at the end of the query. (line 1, character 18)"},
		{"project = AAA BBB", "Error in the JQL Query: Expecting either 'OR' or 'AND' but got 'BBB'. (line 1, character 15)"},
		{`summary ~ "open`, "Error in the JQL Query: The quoted string '\"open' has not been completed. (line 1, character 11)"},
		{"project in AAA", "Error in the JQL Query: Expecting '(' but got 'AAA'. (line 1, character 12)"},
		{"assignee is ada", "Error in the JQL Query: The operator 'IS' only supports searching for EMPTY values. (line 1, character 1)"},
		{"foo = bar", "Field 'foo' does not exist or you do not have permission to view it."},
		{"project = NOPE", "The value 'NOPE' does not exist for the field 'project'."},
		{"status = Nope", "The value 'Nope' does not exist for the field 'status'."},
		{"key = AAA-99", "An issue with key 'AAA-99' does not exist for field 'key'."},
		{"updated > yesterday", "Date value 'yesterday' for field 'updated' is invalid."},
		{"project = AAA ORDER BY nonsense", "Field 'nonsense' does not exist or you do not have permission to view it."},
		{"labels > x", "The operator '>' is not supported by the 'labels' field."},
	} {
		t.Run(tc.jql, func(t *testing.T) {
			_, err := searchKeys(s, tc.jql)
			var je *jqlError
			if !errors.As(err, &je) {
				t.Fatalf("got %v, want a JQL error", err)
			}
			if !strings.HasPrefix(je.msg, tc.want) {
				t.Errorf("got  %q\nwant %q", je.msg, tc.want)
			}
		})
	}
}

func TestParsePeriod(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"-90m", -90 * time.Minute, true},
		{"-2h", -2 * time.Hour, true},
		{"-3d", -72 * time.Hour, true},
		{"-1w", -7 * 24 * time.Hour, true},
		{"4w 2d", 30 * 24 * time.Hour, true},
		{"+1d", 24 * time.Hour, true},
		{"2026-01-02", 0, false},
		{"-5x", 0, false},
	} {
		got, ok := parsePeriod(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("parsePeriod(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
