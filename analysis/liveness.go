package analysis

import (
	"time"

	"github.com/radarhq/radar"
)

// lastTouched is when the issue last changed: Jira's updated, else its
// creation.
func lastTouched(is *radar.Issue) time.Time {
	if is.Updated.IsZero() {
		return is.Created
	}
	return is.Updated
}

// untouchedFor is how long the issue has not changed as of the analysis
// clock; never negative (an issue changed after the clock was untouched for
// no time).
func (m *model) untouchedFor(is *radar.Issue) time.Duration {
	t := lastTouched(is)
	if t.IsZero() || t.After(m.now) {
		return 0
	}
	return m.now.Sub(t)
}

// live reports whether issue i changed within abandoned_after: work someone
// may still be doing.
func (m *model) live(i int32) bool { return m.untouchedFor(m.iss[i]) < m.opts.AbandonedAfter }

// abandoned reports whether issue i is open, in progress and untouched for
// abandoned_after: work nobody is doing whatever its status says.
func (m *model) abandoned(i int32) bool {
	return m.open[i] && m.iss[i].StatusCategory == radar.CategoryInProgress && !m.epic[i] && !m.live(i)
}

// idleText writes how long something has been untouched: in hours under two
// days (stale_after is kept to the hour), else in whole days.
func idleText(d time.Duration) string {
	if d < 48*time.Hour {
		return plural(int(d/time.Hour), "hour", "hours")
	}
	return plural(int(d/(24*time.Hour)), "day", "days")
}

// datedCriticalPaths marks the issues on the critical path of every
// unreleased version whose release date is today or later: the work a
// coming release waits on. Versions without a date, or whose date has
// passed, mark nothing (their paths are no one's deadline).
func (m *model) datedCriticalPaths() []bool {
	marked := make([]bool, len(m.iss))
	best := map[string]int32{} // version id → component with the longest path
	for i, is := range m.iss {
		if !m.open[i] {
			continue
		}
		for _, id := range is.FixVersions {
			v := m.versions[id]
			if v == nil || v.Released || v.Archived || v.ReleaseDate.IsZero() || dayOf(v.ReleaseDate) < m.today {
				continue
			}
			c := m.comp[i]
			if b, ok := best[id]; !ok || m.longest[c] > m.longest[b] {
				best[id] = c
			}
		}
	}
	for _, c := range best {
		for _, cc := range chain(m.pred, c) {
			for _, v := range m.members.neighbours(cc) {
				marked[v] = true
			}
		}
	}
	return marked
}
