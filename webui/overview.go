package webui

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/radarhq/radar"
)

// topBlockers is how many blockers the overview lists.
const topBlockers = 10

type kindCount struct {
	Kind                    string
	Critical, Warning, Info int
	CriticalURL, WarningURL string
	InfoURL                 string
}

type releaseRow struct {
	Name, Path, ReleaseDate string
	P50, P85, P95, OnTime   string
	Late                    bool
	Track                   string
}

type blockerRow struct {
	Key, Path, Summary, Project, Severity string
	Blast                                 int
	Delays                                []string
}

type projectView struct {
	Key     string
	Open    int
	Shipped string // how past releases kept their dates
	// Forecasts is the forecasts' track record from the last backtest
	// ("P85 held in 81% of 64 past cases"); "" when none was run.
	Forecasts string
	Counts    []kindCount
	Releases  []releaseRow
	Blockers  []blockerRow
}

type overviewView struct {
	GeneratedAt string
	Health      string
	Findings    int
	Projects    []projectView
	TopBlockers []blockerRow
}

// serveOverview shows the overview built when the analysis arrived, with
// the health of this moment.
func (u *UI) serveOverview(w http.ResponseWriter, r *http.Request, ix *index) {
	v := ix.overview
	if u.opts.Health != nil {
		v.Health = u.opts.Health(r.Context())
	}
	u.render(w, r, http.StatusOK, "overview", page{Title: "Radar overview", View: v})
}

// buildOverview builds the overview's tables, the same for every request:
// once per analysis, in newIndex. Health is left to each request.
func (ix *index) buildOverview() overviewView {
	v := overviewView{GeneratedAt: ix.rep.GeneratedAt.UTC().Format(time.RFC3339), Findings: len(ix.rep.Findings)}
	counts := map[string]map[string]*kindCount{}
	open := map[string]int{}
	for i := range ix.rep.Findings {
		f := ix.finding(i)
		if counts[f.Project] == nil {
			counts[f.Project] = map[string]*kindCount{}
		}
		kc := counts[f.Project][string(f.Kind)]
		if kc == nil {
			kc = &kindCount{Kind: string(f.Kind)}
			counts[f.Project][string(f.Kind)] = kc
		}
		switch f.Severity {
		case radar.SeverityCritical:
			kc.Critical++
		case radar.SeverityWarning:
			kc.Warning++
		default:
			kc.Info++
		}
		open[f.Project]++
	}
	blockers := ix.blockers(func(*radar.Finding) bool { return true })
	for _, p := range ix.projects {
		pv := projectView{Key: p, Open: open[p]}
		for _, k := range radar.Kinds {
			if kc := counts[p][string(k)]; kc != nil {
				link := func(sev string) string {
					return "/findings?" + url.Values{"project": {p}, "kind": {string(k)}, "severity": {sev}}.Encode()
				}
				kc.CriticalURL, kc.WarningURL, kc.InfoURL = link("critical"), link("warning"), link("info")
				pv.Counts = append(pv.Counts, *kc)
			}
		}
		for i := range ix.rep.Versions {
			if fc := &ix.rep.Versions[i]; fc.Project == p {
				pv.Releases = append(pv.Releases, ix.releaseRow(fc))
			}
		}
		pv.Shipped = ix.shippedRecord(p)
		if len(pv.Releases) > 0 {
			pv.Forecasts = ix.forecastRecord()
		}
		for _, b := range blockers {
			if b.Project == p && len(pv.Blockers) < 3 {
				pv.Blockers = append(pv.Blockers, b)
			}
		}
		if pv.Open > 0 || len(pv.Releases) > 0 {
			v.Projects = append(v.Projects, pv)
		}
	}
	v.TopBlockers = blockers[:min(topBlockers, len(blockers))]
	return v
}

// blockers lists the blocker findings keep accepts, by blast radius.
func (ix *index) blockers(keep func(*radar.Finding) bool) []blockerRow {
	var rows []blockerRow
	for i := range ix.rep.Findings {
		f := ix.finding(i)
		if f.Kind != radar.KindBlocker || !keep(f) {
			continue
		}
		rows = append(rows, blockerRow{Key: f.Issue, Path: f.PagePath(), Summary: ix.summaryOf(f), Project: f.Project,
			Severity: string(f.Severity), Blast: ix.blast[f.Issue], Delays: blockerFacts(f).VersionsAffected})
	}
	slices.SortStableFunc(rows, func(a, b blockerRow) int { return cmp.Compare(b.Blast, a.Blast) })
	return rows
}

// blockerFacts are a blocker finding's facts; zero for other findings.
func blockerFacts(f *radar.Finding) radar.BlockerFacts {
	b, _ := f.Evidence.(radar.BlockerFacts)
	return b
}

func (ix *index) releaseRow(fc *radar.VersionForecast) releaseRow {
	row := releaseRow{Name: fc.Name, Path: radar.ReleasePath(fc.Project, fc.Name), ReleaseDate: orDash(fc.ReleaseDate.String()),
		P50: orDash(fc.P50.String()), P85: orDash(fc.P85.String()), P95: orDash(fc.P95.String()), OnTime: "—"}
	if !fc.P50.IsZero() && !fc.ReleaseDate.IsZero() { // no date: nothing to be on time for
		row.OnTime = fmt.Sprintf("%.0f%%", fc.OnTimeProbability*100)
		row.Late = fc.P85.After(fc.ReleaseDate)
	}
	if v := ix.versions[releaseKey{fc.Project, fc.Name}]; v != nil {
		row.Track = ix.trackRecord(v)
	}
	return row
}

// forecastRecord says how the forecasts did on the site's own history, as
// the last backtest found: "P85 held in 81% of 64 past cases"; "" when no
// backtest was run.
func (ix *index) forecastRecord() string {
	switch tr := ix.rep.TrackRecord; {
	case tr == nil:
		return ""
	case tr.Cases == 0:
		return "none yet: no finished release to check the forecasts against"
	default:
		return tr.Text()
	}
}

// trackRecord says how often a version's release date moved while Radar
// watched it.
func (ix *index) trackRecord(v *radar.Version) string {
	ds := ix.versionDates[v.ID]
	if len(ds) == 0 {
		return "no date history yet"
	}
	moves := 0
	for i := 1; i < len(ds); i++ {
		if !ds[i].ReleaseDate.Equal(ds[i-1].ReleaseDate) {
			moves++
		}
	}
	first := "none"
	if !ds[0].ReleaseDate.IsZero() {
		first = ds[0].ReleaseDate.Format(time.DateOnly)
	}
	switch moves {
	case 0:
		return "date held since " + ds[0].ObservedAt.Format(time.DateOnly)
	case 1:
		return "date moved once; first seen " + first
	}
	return fmt.Sprintf("date moved %d times; first seen %s", moves, first)
}

// recentReleases is how many past releases a project's track record
// looks back on.
const recentReleases = 10

// shippedRecord says how many of a project's recent releases shipped on
// the date Radar first saw for them; "" when Radar saw none planned.
func (ix *index) shippedRecord(project string) string {
	var past []*radar.Version
	for i := range ix.snap.Versions {
		v := &ix.snap.Versions[i]
		if v.Project == project && v.Released && !v.ReleaseDate.IsZero() && len(ix.versionDates[v.ID]) > 0 {
			past = append(past, v)
		}
	}
	if len(past) == 0 {
		return ""
	}
	slices.SortFunc(past, func(a, b *radar.Version) int { return b.ReleaseDate.Compare(a.ReleaseDate) })
	past = past[:min(recentReleases, len(past))]
	kept := 0
	for _, v := range past {
		if first := ix.versionDates[v.ID][0].ReleaseDate; first.IsZero() || !v.ReleaseDate.After(first) {
			kept++
		}
	}
	return fmt.Sprintf("%d of the last %d releases shipped by the date first planned", kept, len(past))
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
