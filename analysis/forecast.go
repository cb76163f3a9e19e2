package analysis

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/radarhq/radar"
)

type versionRisk struct {
	hasDate     bool
	probability float64
}

// forecastAloneDaysPastDate is how many days past its release date an
// unreleased version is dormant whatever happens to it: it is forecast on
// its own, not queued ahead of newer work. A version past its date with
// none of its issues resolved within the history window is dormant too.
// It is about the release date, not activity; do not merge it with the
// report package's untouchedVersionHiddenAfter (90 days with no issue
// touched: the version is left out of the status report).
const forecastAloneDaysPastDate = 26 * 7

// sortedVersions returns the unreleased, unarchived versions by project,
// release date (undated last) and name.
func (m *model) sortedVersions() []*radar.Version {
	var vs []*radar.Version
	for i := range m.snap.Versions {
		v := &m.snap.Versions[i]
		if !v.Released && !v.Archived {
			vs = append(vs, v)
		}
	}
	slices.SortFunc(vs, func(a, b *radar.Version) int {
		if c := strings.Compare(a.Project, b.Project); c != 0 {
			return c
		}
		if a.ReleaseDate.IsZero() != b.ReleaseDate.IsZero() {
			if a.ReleaseDate.IsZero() {
				return 1
			}
			return -1
		}
		if c := a.ReleaseDate.Compare(b.ReleaseDate); c != 0 {
			return c
		}
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return vs
}

// versionPlan is one unreleased version's open work, as the forecast sees it.
type versionPlan struct {
	v       *radar.Version
	release int64   // release day; noDay when undated
	open    int     // open issues of any kind
	members []int32 // the open issues, in key order
	items   int     // open items (not epics or sub-tasks)
	queued  int     // open items first counted in this version of the queue
	points  float64
	path    []string
	cpDays  float64
	steps   []pathStep
	dormant bool
	fin     []int64 // trial finish days, sorted; nil when no forecast
	capped  bool    // the median trial ran into maxForecastWeeks
}

// forecastVersions forecasts every unreleased version. A project's versions
// share one throughput: they are queued in release-date order (undated
// last) and each trial draws weeks of the project's recent pace until the
// open items of each version and of all versions ahead of it are done, so a
// later version never finishes before the work ahead of it. Dormant versions
// (over half a year past their date) are forecast on their own. Each
// version's finish is bounded below by its critical path. Versions whose
// P85 misses a future release date are at risk; versions past their date
// are overdue.
func (m *model) forecastVersions() {
	members := map[string][]int32{}
	active := map[string]bool{} // versions with an issue resolved within the history window
	since := m.now.Add(-m.opts.History)
	for i, is := range m.iss {
		if !m.open[i] {
			if !is.Resolved.Before(since) && is.Resolved.Before(m.now) {
				for _, id := range is.FixVersions {
					active[id] = true
				}
			}
			continue
		}
		for _, id := range is.FixVersions {
			members[id] = append(members[id], int32(i))
		}
	}
	m.versionRisk = map[string]versionRisk{}
	var plans []*versionPlan
	for _, v := range m.sortedVersions() {
		open := members[v.ID]
		if v.ReleaseDate.IsZero() && len(open) == 0 {
			continue
		}
		pl := &versionPlan{v: v, release: noDay, open: len(open), members: open, path: []string{}}
		if !v.ReleaseDate.IsZero() {
			pl.release = dayOf(v.ReleaseDate)
			pl.dormant = pl.release < m.today-forecastAloneDaysPastDate || (pl.release < m.today && !active[v.ID])
		}
		bestComp := int32(-1)
		for _, i := range open {
			if m.countsAsItem(i) {
				pl.items++
				if p := m.iss[i].StoryPoints; p != nil {
					pl.points += *p
				}
			}
			if c := m.comp[i]; bestComp == -1 || m.longest[c] > m.longest[bestComp] {
				bestComp = c
			}
		}
		if bestComp >= 0 {
			pl.path, pl.cpDays, pl.steps = m.chainKeys(bestComp), m.longest[bestComp], m.pathSteps(bestComp)
		}
		plans = append(plans, pl)
	}
	for lo := 0; lo < len(plans); {
		hi := lo
		for hi < len(plans) && plans[hi].v.Project == plans[lo].v.Project {
			hi++
		}
		m.forecastProject(plans[lo:hi])
		lo = hi
	}
	for _, pl := range plans {
		m.reportVersion(pl)
	}
}

// forecastProject runs the Monte Carlo for one project's versions: the
// queue of live versions together, each dormant version alone.
func (m *model) forecastProject(plans []*versionPlan) {
	t := m.teams[plans[0].v.Project]
	var weekly, spread []float64
	if t != nil {
		spread = t.spread
		if t.pace != nil && t.pace.reason == "" {
			weekly = t.pace.weekly
		}
	}
	var queue []*versionPlan
	counted := map[int32]bool{}
	for _, pl := range plans {
		if pl.open == 0 {
			continue
		}
		if pl.dormant {
			pl.queued = pl.items
			m.simulate([]*versionPlan{pl}, weekly, spread)
			continue
		}
		for _, i := range pl.members {
			if m.countsAsItem(i) && !counted[i] {
				counted[i] = true
				pl.queued++
			}
		}
		queue = append(queue, pl)
	}
	if len(queue) > 0 {
		m.simulate(queue, weekly, spread)
	}
}

// reportVersion adds one version's forecast to the report, and its
// release_at_risk or release_overdue finding.
func (m *model) reportVersion(pl *versionPlan) {
	v := pl.v
	fc := radar.VersionForecast{
		Project: v.Project, Name: v.Name, CriticalPath: pl.path, OpenItems: pl.items,
		CriticalPathRemaining: time.Duration(pl.cpDays * float64(24*time.Hour)),
	}
	if pl.release != noDay {
		fc.ReleaseDate = dateOf(pl.release)
	}
	if m.opts.TrackRecord != nil {
		fc.TrackRecord = m.opts.TrackRecord.Text()
	}
	t := m.teams[v.Project]
	switch {
	case pl.open == 0:
		fc.Note = "all work done; not released yet"
	case pl.fin == nil && t != nil && t.pace != nil && t.pace.reason != "":
		fc.Note = t.pace.reason
	case pl.fin == nil:
		fc.Note = fmt.Sprintf("not enough history to forecast: no item resolved in the last %d weeks (a forecast needs %d)", maxPaceWeeks, minPaceItems)
	case pl.capped:
		fc.Note = fmt.Sprintf("no forecast: at the recent pace the open work would take more than %d years", maxForecastWeeks/52)
	default:
		sum := 0.0
		for _, f := range pl.fin {
			sum += float64(f)
		}
		fc.Trials = len(pl.fin)
		fc.MeanFinish = time.Unix(int64(sum/float64(len(pl.fin))*86400), 0).UTC()
		fc.P50 = dateOf(percentileDay(pl.fin, 0.50))
		fc.P85 = dateOf(percentileDay(pl.fin, 0.85))
		fc.P95 = dateOf(percentileDay(pl.fin, 0.95))
		if pl.release != noDay {
			onTime := 0
			for _, f := range pl.fin {
				if f <= pl.release {
					onTime++
				}
			}
			fc.OnTimeProbability = round(float64(onTime)/float64(len(pl.fin)), 3)
		}
	}
	m.versionsOut = append(m.versionsOut, fc)
	if pl.open == 0 {
		return // nothing left to do: never at risk
	}
	// Without a forecast the on-time probability is unknown, not zero.
	m.versionRisk[v.ID] = versionRisk{hasDate: pl.release != noDay && !fc.P50.IsZero(), probability: fc.OnTimeProbability}
	switch {
	case pl.release == noDay:
	case pl.release < m.today:
		m.addReleaseOverdue(pl, fc)
	case fc.P85.IsZero() || fc.P85.After(fc.ReleaseDate):
		m.addReleaseAtRisk(pl, fc)
	}
}

// percentileDay returns the p-quantile of sorted days (nearest rank).
func percentileDay(days []int64, p float64) int64 {
	if len(days) == 0 {
		return 0
	}
	k := int(p*float64(len(days))+0.999999999) - 1
	return days[max(0, min(k, len(days)-1))]
}

// forecastEpics reports the critical path of every open epic.
func (m *model) forecastEpics() {
	for i := int32(0); i < int32(len(m.iss)); i++ {
		if !m.open[i] || !m.epic[i] {
			continue
		}
		c := m.comp[i]
		days := m.longest[c]
		m.epicsOut = append(m.epicsOut, radar.EpicForecast{
			Project: m.iss[i].Project, Key: m.iss[i].Key, RemainingDays: round(days, 1),
			Finish: dateOf(m.today + ceilDays(days)), CriticalPath: m.chainKeys(c),
		})
	}
}
