package webui

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/radarhq/radar"
)

// findingsPerPage is how many findings one page of the list shows.
const findingsPerPage = 200

type findingRow struct {
	Severity string
	Kind     string
	Project  string
	Subject  string
	Path     string
	Summary  string // the issue's summary, next to its key
	Title    string
	Issues   []link // for findings about a project's issues: the first few
	Ack      ackView
}

type findingsView struct {
	Project, Kind, Severity, Query string
	State                          string
	Projects, Kinds                []string
	Severities, States             []string
	Rows                           []findingRow
	Matched, Total                 int
	Page, Pages                    int
	PrevURL, NextURL               string
}

// filter is the findings list's query: the findings filter every front
// end shares, and the page's free text in lower case.
type filter struct {
	radar.FindingFilter
	text string
}

// parseFilter reads the query with radar.ParseFindingFilter, naming the
// parameter and its value when one is wrong.
func parseFilter(q url.Values) (filter, error) {
	f, err := radar.ParseFindingFilter(radar.FilterQuery(q), paramValue)
	return filter{FindingFilter: f, text: strings.ToLower(strings.TrimSpace(q.Get("q")))}, err
}

// paramValue names a bad value as the query parameter that set it, for
// the shared parsers' errors: `kind "blockr"`.
func paramValue(field, value string) string { return fmt.Sprintf("%s %q", field, value) }

// listed is a list parameter as the page's form shows it back: its
// values, comma-separated.
func listed(values []string) string {
	return strings.Join(radar.SplitList(values), ",")
}

func (ix *index) summaryOf(f *radar.Finding) string {
	if s := f.Summary(); s != "" {
		return s
	}
	if is := ix.issues[f.Issue]; is != nil {
		return is.Summary
	}
	return ""
}

// match reports whether finding i passes the filter; acks are who owns
// which finding at now: the state filter and the free text (an owner's
// name, a note) look at them.
func (f filter) match(ix *index, i int, acks map[string]radar.Ack, now time.Time) bool {
	x := ix.finding(i)
	if !f.Keeps(*x, ackOf(acks, x), now) {
		return false
	}
	if f.text == "" || strings.Contains(ix.searchText[i], f.text) {
		return true
	}
	a := ackOf(acks, x)
	return a != nil && (strings.Contains(strings.ToLower(a.By), f.text) || strings.Contains(strings.ToLower(a.Note), f.text))
}

// rowIssues is how many of a project-wide finding's issues its row links.
const rowIssues = 5

// row is finding f as a list shows it, with its owner and state from acks
// at now.
func (ix *index) row(f *radar.Finding, acks map[string]radar.Ack, now time.Time) findingRow {
	subject := f.Issue
	project, version, release := f.Release()
	if release {
		subject = project + " " + version
	}
	row := findingRow{Severity: string(f.Severity), Kind: string(f.Kind), Project: f.Project, Subject: subject,
		Path: f.PagePath(), Summary: ix.summaryOf(f), Title: f.Title, Ack: describeAck(ackOf(acks, f), now)}
	if !radar.IsIssueKey(f.Issue) && !release {
		// A finding about a project's or a person's issues (abandoned work,
		// an overloaded assignee) links the first few.
		for _, k := range memberKeys(*f) {
			if len(row.Issues) == rowIssues {
				row.Issues = append(row.Issues, link{"…", f.PagePath()})
				break
			}
			row.Issues = append(row.Issues, link{k, radar.IssuePath(k)})
		}
	}
	return row
}

func (u *UI) serveFindings(w http.ResponseWriter, r *http.Request, ix *index) {
	q := r.URL.Query()
	flt, err := parseFilter(q)
	v := findingsView{Project: listed(q["project"]), Kind: listed(q["kind"]), Severity: string(flt.MinSeverity), Query: strings.TrimSpace(q.Get("q")),
		State: strings.ToLower(listed(q["state"])), Projects: ix.projects, Kinds: radar.KindNames(), Severities: []string{"info", "warning", "critical"},
		States: radar.AckStates, Total: len(ix.rep.Findings)}
	if err != nil {
		u.render(w, r, http.StatusBadRequest, "findings", page{Title: "Findings", Message: err.Error(), View: v})
		return
	}
	pg, _ := strconv.Atoi(q.Get("page"))
	pg = max(pg, 1)
	acks, msg := u.acks(r)
	now := u.now()
	var matched []int
	for _, i := range ix.sorted {
		if flt.match(ix, i, acks, now) {
			matched = append(matched, i)
		}
	}
	v.Matched = len(matched)
	v.Pages = max(1, (len(matched)+findingsPerPage-1)/findingsPerPage)
	v.Page = min(pg, v.Pages)
	lo := (v.Page - 1) * findingsPerPage
	for _, i := range matched[lo:min(lo+findingsPerPage, len(matched))] {
		v.Rows = append(v.Rows, ix.row(ix.finding(i), acks, now))
	}
	pageURL := func(n int) string {
		qq := url.Values{}
		for k, vs := range q {
			for _, x := range vs {
				if k != "page" && x != "" {
					qq.Add(k, x)
				}
			}
		}
		qq.Set("page", strconv.Itoa(n))
		return "/findings?" + qq.Encode()
	}
	if v.Page > 1 {
		v.PrevURL = pageURL(v.Page - 1)
	}
	if v.Page < v.Pages {
		v.NextURL = pageURL(v.Page + 1)
	}
	title := "Findings"
	if !flt.IsZero() || flt.text != "" {
		title = fmt.Sprintf("Findings: %d of %d", v.Matched, v.Total)
	}
	u.render(w, r, http.StatusOK, "findings", page{Title: title, Message: msg, View: v})
}
