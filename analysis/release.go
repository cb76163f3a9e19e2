package analysis

import (
	"fmt"
	"strings"

	"github.com/radarhq/radar"
)

// lateDependency is an off-track dependency whose deadline is a release
// date already passed: it is folded into that version's release_overdue.
type lateDependency struct {
	blocker, blocked string
}

// foldLateDependency records that blocker b holds up x, whose deadline is
// the release date day of one of its versions, already passed. It reports
// false when no such version is found (the caller reports it alone).
func (m *model) foldLateDependency(b, x int32, day int64) bool {
	for _, id := range m.iss[x].FixVersions {
		if v := m.versions[id]; v != nil && !v.Released && !v.ReleaseDate.IsZero() && dayOf(v.ReleaseDate) == day {
			if m.lateDeps == nil {
				m.lateDeps = map[string][]lateDependency{}
			}
			m.lateDeps[id] = append(m.lateDeps[id], lateDependency{m.iss[b].Key, m.iss[x].Key})
			return true
		}
	}
	return false
}

// overdueSeverity grows with how late a release is and how much is open:
// lateness scores 0 (a week or less), 1 (a month or less) or 2; open work
// 0 (two items or fewer), 1 (under ten) or 2. A total of 0 is info, 1–2 a
// warning, 3–4 critical.
func overdueSeverity(daysLate int64, open int) radar.Severity {
	score := 0
	switch {
	case daysLate > 30:
		score += 2
	case daysLate > 7:
		score++
	}
	switch {
	case open >= 10:
		score += 2
	case open > 2:
		score++
	}
	switch {
	case score >= 3:
		return radar.SeverityCritical
	case score >= 1:
		return radar.SeverityWarning
	}
	return radar.SeverityInfo
}

// addReleaseOverdue reports a version past its release date, unreleased,
// with open work, with the off-track dependencies that wait on that date.
func (m *model) addReleaseOverdue(pl *versionPlan, fc radar.VersionForecast) {
	v := pl.v
	late := m.today - pl.release
	sev := overdueSeverity(late, pl.open)
	deps := m.lateDeps[v.ID]
	var pairs []string
	for _, d := range deps {
		pairs = append(pairs, d.blocked+" waits on "+d.blocker)
	}
	detail := fmt.Sprintf("%s %s was due %s and is not released: %s late with %s open (%s).",
		v.Project, v.Name, fc.ReleaseDate, plural(int(late), "day", "days"), plural(pl.open, "issue", "issues"), plural(pl.items, "item", "items"))
	if !fc.P50.IsZero() {
		detail += fmt.Sprintf(" At the recent pace the rest is done by %s (P50) to %s (P85).", fc.P50, fc.P85)
	} else if fc.Note != "" {
		detail += " " + upperFirst(fc.Note) + "."
	}
	if len(deps) > 0 {
		detail += fmt.Sprintf(" %s on work that finishes after the date: %s.", plural(len(deps), "dependency waits", "dependencies wait"), listKeys(pairs))
	}
	detail += " Release what is done and move the rest to a later version, or set a new date."
	m.addReleaseFinding(sev, v, fc,
		fmt.Sprintf("%s %s is %s past its %s release with %s open", v.Project, v.Name, plural(int(late), "day", "days"), fc.ReleaseDate, plural(pl.open, "issue", "issues")),
		detail, radar.ReleaseOverdueFacts{
			ReleaseDate: fc.ReleaseDate, DaysLate: late, OpenIssues: pl.open, RemainingItems: pl.items,
			RemainingPoints: round(pl.points, 1), P50: fc.P50, P85: fc.P85, P95: fc.P95,
			LateDependencies: nonNil(pairs), CriticalPath: fc.CriticalPath, ForecastNote: fc.Note, TrackRecord: fc.TrackRecord,
		})
}

// addReleaseFinding adds a release finding about version v, of the kind
// of its evidence, with the track record at the end of its detail.
func (m *model) addReleaseFinding(sev radar.Severity, v *radar.Version, fc radar.VersionForecast, title, detail string, ev radar.Evidence) {
	if fc.TrackRecord != "" {
		detail += " Forecast track record: " + fc.TrackRecord + "."
	}
	kind := ev.Kind()
	m.findings = append(m.findings, radar.Finding{
		ID: string(kind) + ":" + v.Project + ":" + v.Name, Kind: kind, Severity: sev,
		Project: v.Project, Issue: v.Name, Title: title, Detail: detail, Evidence: ev,
	})
}

// addReleaseAtRisk reports a version whose future release date its P85
// misses, or which has open work and no forecast.
func (m *model) addReleaseAtRisk(pl *versionPlan, fc radar.VersionForecast) {
	v := pl.v
	sev := radar.SeverityWarning
	var detail, title string
	mean := 0.0
	var weeks int
	if t := m.teams[v.Project]; t != nil && t.pace != nil {
		for _, w := range t.pace.weekly {
			mean += w
		}
		weeks = len(t.pace.weekly)
		if weeks > 0 {
			mean /= float64(weeks)
		}
	}
	if fc.P50.IsZero() {
		title = fmt.Sprintf("%s %s has no forecast for its %s release", v.Project, v.Name, fc.ReleaseDate)
		detail = fmt.Sprintf("%s %s is due %s with %s left, but there is no forecast: %s. Check the version is still planned and staffed.",
			v.Project, v.Name, fc.ReleaseDate, plural(pl.items, "item", "items"), fc.Note)
	} else {
		title = fmt.Sprintf("%s %s will likely miss its %s release", v.Project, v.Name, fc.ReleaseDate)
		if fc.P50.After(fc.ReleaseDate) {
			sev = radar.SeverityCritical
		}
		detail = fmt.Sprintf("%s %s is due %s with %s (%g points) left; at the recent pace (%g items a week, shared with the versions ahead of it) it is %d%% likely to make it (P50 %s, P85 %s).",
			v.Project, v.Name, fc.ReleaseDate, plural(pl.items, "item", "items"), round(pl.points, 1), round(mean, 1), int(fc.OnTimeProbability*100+0.5), fc.P50, fc.P85)
		if len(fc.CriticalPath) > 1 {
			detail += fmt.Sprintf(" The critical path %s alone needs %g days.", listKeys(fc.CriticalPath), round(pl.cpDays, 0))
		}
		detail += " Cut scope, add capacity, or move the date now."
	}
	m.addReleaseFinding(sev, v, fc, title, detail, radar.ReleaseAtRiskFacts{
		P50: fc.P50, P85: fc.P85, P95: fc.P95, ReleaseDate: fc.ReleaseDate,
		OnTimeProbability: fc.OnTimeProbability, RemainingItems: pl.items, RemainingPoints: round(pl.points, 1),
		CriticalPath: fc.CriticalPath, CriticalPathDays: round(pl.cpDays, 0),
		ThroughputPerWeek: round(mean, 1), ThroughputWeeks: weeks, Trials: m.opts.Trials,
		ForecastNote: fc.Note, TrackRecord: fc.TrackRecord,
	})
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
