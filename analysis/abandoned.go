package analysis

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/radarhq/radar"
)

// abandonedListed is how many abandoned issues a finding's text names; its
// evidence lists up to abandonedEvidence of them and counts them all.
const (
	abandonedListed   = 5
	abandonedEvidence = 100
)

// findAbandoned reports, once per project, the in-progress issues nobody has
// touched for abandoned_after: a clean-up list, most recently touched first.
// On long-lived sites most "in progress" issues are such zombies; listed
// one by one as stale they would drown the news. It is info, or warning when
// they outnumber the project's live work in progress (the board's "in
// progress" then says more about the past than the present).
func (m *model) findAbandoned() {
	byProject := map[string][]int32{}
	liveWIP := map[string]int{}
	for i := int32(0); i < int32(len(m.iss)); i++ {
		is := m.iss[i]
		switch {
		case m.abandoned(i):
			byProject[is.Project] = append(byProject[is.Project], i)
		case m.open[i] && is.StatusCategory == radar.CategoryInProgress && !m.epic[i]:
			liveWIP[is.Project]++
		}
	}
	projects := make([]string, 0, len(byProject))
	for p := range byProject {
		projects = append(projects, p)
	}
	slices.Sort(projects)
	after := int(m.opts.AbandonedAfter / (24 * time.Hour))
	for _, p := range projects {
		list := byProject[p]
		slices.SortFunc(list, func(a, b int32) int {
			if c := lastTouched(m.iss[b]).Compare(lastTouched(m.iss[a])); c != 0 {
				return c
			}
			return radar.CompareKeys(m.iss[a].Key, m.iss[b].Key)
		})
		n := len(list)
		kept := list[:min(n, abandonedEvidence)]
		keys := m.keysOf(kept)
		days := make([]int, len(kept))
		for k, i := range kept {
			days[k] = m.daysSinceUpdate(m.iss[i])
		}
		newest, oldest := m.daysSinceUpdate(m.iss[list[0]]), m.daysSinceUpdate(m.iss[list[n-1]])
		sev := radar.SeverityInfo
		if n > liveWIP[p] {
			sev = radar.SeverityWarning
		}
		shown := keys[:min(n, abandonedListed)]
		listing := strings.Join(shown, ", ")
		if n > len(shown) {
			listing += fmt.Sprintf(" and %d more", n-len(shown))
		}
		var detail string
		if n == 1 {
			detail = fmt.Sprintf("Nobody has changed %s for %d days", listing, newest)
		} else {
			detail = fmt.Sprintf("Nobody has changed these %d issues for %d to %d days (most recent first: %s)", n, newest, oldest, listing)
		}
		detail += fmt.Sprintf(", against %s in progress and touched within %d days.", plural(liveWIP[p], "issue", "issues"), after)
		them, they := "them", "they count"
		if n == 1 {
			them, they = "it", "it counts"
		}
		detail += fmt.Sprintf(" Close %s or move %s back to the backlog so the board shows the work really under way; until then %s neither as stale nor as anyone's load.", them, them, they)
		m.findings = append(m.findings, radar.Finding{
			ID: string(radar.KindAbandonedWork) + ":" + p, Kind: radar.KindAbandonedWork, Severity: sev, Project: p, Issue: p,
			Title:  fmt.Sprintf("%s has %s in progress but untouched for %d days or more", p, plural(n, "issue", "issues"), after),
			Detail: detail,
			Evidence: radar.AbandonedWorkFacts{
				Count: n, Issues: keys, DaysSinceUpdate: days, AbandonedAfterDays: after,
				MostRecentDays: newest, OldestDays: oldest, LiveInProgress: liveWIP[p], Listed: len(shown),
			},
		})
	}
}
