package webui

import (
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"time"

	"github.com/radarhq/radar"
)

// maxReleaseFindings caps the findings about a release's issues on its page.
const maxReleaseFindings = 100

type releaseView struct {
	Project, Name, ReleaseDate, State string
	P50, P85, P95, OnTime             string
	HasForecast                       bool
	Fan, Scope                        template.HTML
	Total, Done, Added                int
	Start                             string
	CriticalPath                      []link
	Blockers                          []blockerRow
	Findings                          []findingDetail
	IssueFindings                     []findingRow
	MoreFindings                      int
	Track                             string // how often its date moved
	Forecasts                         string // the forecasts' backtest track record
	JiraURL                           string
}

func (u *UI) serveRelease(w http.ResponseWriter, r *http.Request, ix *index) {
	rk := releaseKey{r.PathValue("project"), r.PathValue("version")}
	ver := ix.versions[rk]
	if ver == nil {
		u.render(w, r, http.StatusNotFound, "message", page{Title: "Release " + rk.project + " " + rk.name + " not found",
			Message: fmt.Sprintf("Project %s has no version named %q in the synced data. Check the name, or pick a release from the overview.", rk.project, rk.name)})
		return
	}
	fc := ix.forecast[rk]
	sc := ix.versionScope(ver)
	v := releaseView{Project: ver.Project, Name: ver.Name, ReleaseDate: "no release date", State: "unreleased",
		Scope: scopeSVG(ver, sc), Fan: fanSVG(ver, fc, sc, ix.now), Added: sc.added, Track: ix.trackRecord(ver), Forecasts: ix.forecastRecord(),
		JiraURL: u.jiraVersionLink(ver)}
	if !ver.ReleaseDate.IsZero() {
		v.ReleaseDate = ver.ReleaseDate.Format(time.DateOnly)
	}
	switch {
	case ver.Released:
		v.State = "released"
	case ver.Archived:
		v.State = "archived"
	}
	if !sc.start.IsZero() {
		v.Start = sc.start.Format(time.DateOnly)
	}
	if n := len(sc.points); n > 0 {
		v.Total, v.Done = sc.points[n-1].total, sc.points[n-1].done
	}
	if fc != nil {
		v.P50, v.P85, v.P95 = fc.P50.String(), fc.P85.String(), fc.P95.String()
		v.HasForecast = !fc.P50.IsZero() || !fc.P85.IsZero() || !fc.P95.IsZero()
		if !fc.ReleaseDate.IsZero() { // no date: nothing to be on time for
			v.OnTime = fmt.Sprintf("%.0f%%", fc.OnTimeProbability*100)
		}
		for _, k := range fc.CriticalPath {
			v.CriticalPath = append(v.CriticalPath, link{k, radar.IssuePath(k)})
		}
	}
	members := ix.members[ver.ID]
	v.Blockers = ix.blockers(func(f *radar.Finding) bool {
		b := blockerFacts(f)
		return slices.Contains(b.VersionsAffected, ver.Name) &&
			(f.Project == ver.Project || slices.ContainsFunc(b.DirectDependents, func(k string) bool {
				return slices.Contains(members, k)
			}))
	})
	acks, msg := u.acks(r)
	now := u.now()
	for _, i := range ix.releaseFindings[rk] {
		v.Findings = append(v.Findings, detail(ix.finding(i), acks, now))
	}
	var rows []int
	for _, k := range members {
		if is := ix.issues[k]; is != nil && slices.Contains(is.FixVersions, ver.ID) {
			rows = append(rows, ix.findingsOf[k]...)
		}
	}
	slices.SortFunc(rows, func(a, b int) int { return ix.rank[a] - ix.rank[b] })
	rows = slices.Compact(rows)
	for i, f := range rows {
		if i == maxReleaseFindings {
			v.MoreFindings = len(rows) - i
			break
		}
		v.IssueFindings = append(v.IssueFindings, ix.row(ix.finding(f), acks, now))
	}
	u.render(w, r, http.StatusOK, "release", page{Title: "Release " + ver.Project + " " + ver.Name, Message: msg, View: v})
}
