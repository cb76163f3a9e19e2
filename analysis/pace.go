package analysis

import (
	"fmt"
	"slices"
	"time"
)

// Forecast guards: how much history a forecast needs, how far back it may
// look for it, and how far ahead it may reach.
const (
	// minPaceItems is the fewest resolved items a forecast stands on.
	minPaceItems = 8
	// maxPaceWeeks is the longest window searched for minPaceItems.
	maxPaceWeeks = 52
	// maxForecastWeeks bounds a Monte Carlo trial: work not done in five
	// years at the recent pace is no forecast at all.
	maxForecastWeeks = 260
	// cleanupFactor damps cleanup days: a day counts at most this many
	// times the project's typical (median) busy day, and never less than
	// cleanupFloor items.
	cleanupFactor = 3
	cleanupFloor  = 4
)

// pace is one project's recent delivery rate of versioned work.
type pace struct {
	weekly []float64 // items resolved per week, cleanup days damped, oldest first
	items  int       // items the weekly counts add up to
	reason string    // why there is no forecast; empty when there is one
}

// readPace measures each project's throughput over the last History
// weeks, widened to 26 and then 52 weeks while fewer than minPaceItems were
// resolved. It counts versioned items (items with a fix version: the work
// the version forecasts share) when there are enough of them, else all
// items. A day's resolutions count at most cleanupFactor times the typical
// busy day: bulk closures of years-old tickets are not pace. With fewer
// items still, the project has no pace and its versions get "not enough
// history to forecast".
func (m *model) readPace() map[string]*pace {
	versioned := map[string]map[int64]int{} // project → day → resolutions
	all := map[string]map[int64]int{}
	for i, is := range m.iss {
		if !is.Done() || is.Resolved.IsZero() || !is.Resolved.Before(m.now) || !m.countsAsItem(int32(i)) {
			continue
		}
		d := dayOf(is.Resolved)
		if d < m.today-maxPaceWeeks*7 {
			continue
		}
		countDay(all, is.Project, d)
		if len(is.FixVersions) > 0 {
			countDay(versioned, is.Project, d)
		}
	}
	first := map[string]int64{} // each project's first creation day
	for _, is := range m.iss {
		if d := dayOf(is.Created); !is.Created.IsZero() && (first[is.Project] == 0 || d < first[is.Project]) {
			first[is.Project] = d
		}
	}
	out := map[string]*pace{}
	for p, byDay := range all {
		// Weeks before the project's first issue say nothing of its pace.
		span := maxPaceWeeks
		if f, ok := first[p]; ok {
			span = max(1, min(span, int((m.today-f)/7)))
		}
		pc := m.paceOf(versioned[p], span)
		if pc.items < minPaceItems {
			pc = m.paceOf(byDay, span)
		}
		if pc.items < minPaceItems {
			pc.reason = fmt.Sprintf("not enough history to forecast: %s resolved in the last %d weeks (a forecast needs %d)",
				plural(pc.items, "item", "items"), len(pc.weekly), minPaceItems)
		}
		out[p] = pc
	}
	return out
}

func countDay(days map[string]map[int64]int, project string, d int64) {
	if days[project] == nil {
		days[project] = map[int64]int{}
	}
	days[project][d]++
}

// paceOf returns weekly counts of resolutions per day over the shortest of
// History, 26 or 52 weeks that holds minPaceItems, none longer than span.
func (m *model) paceOf(byDay map[int64]int, span int) *pace {
	base := int(m.opts.History / (7 * 24 * time.Hour))
	limit := dayCap(byDay)
	var pc *pace
	for _, weeks := range []int{base, max(base, 26), max(base, maxPaceWeeks)} {
		weeks = min(weeks, span)
		pc = &pace{weekly: make([]float64, weeks)}
		for d, n := range byDay {
			w := weeks - 1 - int((m.today-d)/7)
			if w < 0 || w >= weeks {
				continue
			}
			kept := min(n, limit)
			pc.weekly[w] += float64(kept)
			pc.items += kept
		}
		if pc.items >= minPaceItems {
			break
		}
	}
	return pc
}

// dayCap is the most resolutions one day may count: cleanupFactor times the
// median busy day, at least cleanupFloor.
func dayCap(byDay map[int64]int) int {
	counts := make([]float64, 0, len(byDay))
	for _, n := range byDay {
		counts = append(counts, float64(n))
	}
	slices.Sort(counts)
	return max(cleanupFloor, int(cleanupFactor*percentile(counts, 0.5)+0.5))
}

// cleanupDays returns the days of the history window on which a project
// resolved more than dayCap items: cycle times of those closures say how
// long tickets were forgotten, not how long work takes.
func (m *model) cleanupDays(start time.Time) map[string]map[int64]bool {
	days := map[string]map[int64]int{}
	for _, is := range m.iss {
		if !is.Done() || is.Resolved.IsZero() || is.Resolved.Before(start) || !is.Resolved.Before(m.now) {
			continue
		}
		countDay(days, is.Project, dayOf(is.Resolved))
	}
	out := map[string]map[int64]bool{}
	for p, byDay := range days {
		limit := dayCap(byDay)
		for d, n := range byDay {
			if n > limit {
				if out[p] == nil {
					out[p] = map[int64]bool{}
				}
				out[p][d] = true
			}
		}
	}
	return out
}
