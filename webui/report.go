package webui

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/radarhq/radar/config"
	"github.com/radarhq/radar/report"
)

// ReportQuery is the status report GET /report asks for: the same choices
// as `radar report`.
type ReportQuery struct {
	Project  string        // a project, several joined by commas, or "" for every project
	Audience string        // report.AudienceTeam or report.AudienceExec
	Window   time.Duration // "what changed" look-back when there was no earlier report
}

// Bounds of the report page's since= parameter.
const (
	defaultReportWindow = 7 * 24 * time.Hour
	maxReportWindow     = 365 * 24 * time.Hour
)

type reportView struct {
	Project, Audience, Since string
	Projects                 []string
	Audiences                []string
	Subtitle                 string
	Body                     template.HTML
}

// parseReportQuery reads /report's query, naming the parameter and what
// to write when one is wrong.
func parseReportQuery(q url.Values, projects []string) (ReportQuery, reportView, error) {
	v := reportView{Project: strings.TrimSpace(q.Get("project")), Audience: strings.TrimSpace(q.Get("audience")),
		Since: strings.TrimSpace(q.Get("since")), Projects: projects, Audiences: []string{report.AudienceTeam, report.AudienceExec}}
	rq := ReportQuery{Project: v.Project, Audience: v.Audience, Window: defaultReportWindow}
	if rq.Audience == "" {
		rq.Audience, v.Audience = report.AudienceTeam, report.AudienceTeam
	}
	if !slices.Contains(v.Audiences, rq.Audience) {
		return rq, v, fmt.Errorf("audience %q is not one of team, exec; choose one of those or leave it empty", rq.Audience)
	}
	for _, p := range strings.Split(rq.Project, ",") {
		if p = strings.TrimSpace(p); p != "" && !slices.ContainsFunc(projects, func(x string) bool { return strings.EqualFold(x, p) }) {
			return rq, v, fmt.Errorf("project %q has no synced issues or versions; use one of %s, or leave it empty for all", p, strings.Join(projects, ", "))
		}
	}
	if v.Since != "" {
		d, err := config.ParseDuration(v.Since)
		if err != nil || d < time.Hour || d > maxReportWindow {
			return rq, v, fmt.Errorf("since %q is not a duration from 1h to 365d; use e.g. 7d, 2w or 48h", v.Since)
		}
		rq.Window = d
	}
	return rq, v, nil
}

// serveReport shows the status report `radar report --format html` writes,
// inside the UI's layout and styles (the standalone page's inline style is
// not allowed by the UI's Content-Security-Policy). Reading it records
// nothing: "what changed" runs from the last recorded report, or since=.
func (u *UI) serveReport(w http.ResponseWriter, r *http.Request, ix *index) {
	if u.opts.StatusReport == nil {
		u.render(w, r, http.StatusNotFound, "message", page{Title: "No status report here",
			Message: "This Radar does not build status reports; run radar report instead."})
		return
	}
	rq, v, err := parseReportQuery(r.URL.Query(), ix.projects)
	if err != nil {
		u.render(w, r, http.StatusBadRequest, "report", page{Title: "Status report", Message: err.Error(), View: v})
		return
	}
	sr, err := u.opts.StatusReport(r.Context(), ix.rep, ix.snap, rq)
	if err != nil {
		u.log.Error("status report", "component", "webui", "err", err)
		u.render(w, r, http.StatusServiceUnavailable, "report", page{Title: "Status report",
			Message: "The status report could not be built (see the server log); try again in a minute.", View: v})
		return
	}
	d := report.Plain(report.Lay(sr))
	if v.Body, err = report.HTMLSections(d); err != nil {
		u.log.Error("status report", "component", "webui", "err", err)
		http.Error(w, "the page could not be drawn; see the server log", http.StatusInternalServerError)
		return
	}
	v.Subtitle = d.Subtitle
	u.render(w, r, http.StatusOK, "report", page{Title: d.Title, View: v})
}
