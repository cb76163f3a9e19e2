package webui

import (
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/radarhq/radar/report"
)

type reportView struct {
	Project, Audience, Since string
	Projects                 []string
	Audiences                []string
	Subtitle                 string
	Body                     template.HTML
}

// parseReportQuery reads /report's query with report.ParseQuery, as radar
// report reads its flags, naming the parameter and its value when one is
// wrong.
func parseReportQuery(q url.Values, projects []string) (report.Request, reportView, error) {
	v := reportView{Project: strings.TrimSpace(q.Get("project")), Audience: strings.TrimSpace(q.Get("audience")),
		Since: strings.TrimSpace(q.Get("since")), Projects: projects, Audiences: []string{report.AudienceTeam, report.AudienceExec}}
	req, err := report.ParseQuery(report.Query{Project: v.Project, Audience: v.Audience, Since: v.Since}, paramValue)
	if err == nil {
		err = req.CheckProjects(projects, paramValue)
	}
	if v.Audience == "" {
		v.Audience = report.AudienceTeam
	}
	return req, v, err
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
