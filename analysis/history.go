package analysis

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/radarhq/radar"
)

// history is what the changelog says about each issue.
type history struct {
	progressStart map[int32]time.Time // first move into an in-progress status
	reopens       map[int32]*reopenInfo
	slips         map[int32]*slipInfo
	flagSet       map[int32]time.Time // latest time the flag was set
	flagCleared   map[int32]time.Time // latest time the flag was cleared
	sprintAdded   map[memberOf]time.Time
	versionAdded  map[memberOf]time.Time
}

type reopenInfo struct {
	times int
	last  time.Time
}

type slipInfo struct {
	times     int
	totalDays int64
	firstDue  int64 // the earliest due date the changelog shows
	last      time.Time
}

// memberOf is an issue's membership of a sprint or version.
type memberOf struct {
	issue int32
	id    string
}

// readHistory walks the changelog once, then derives team statistics.
func (m *model) readHistory() {
	h := history{
		progressStart: map[int32]time.Time{},
		reopens:       map[int32]*reopenInfo{},
		slips:         map[int32]*slipInfo{},
		flagSet:       map[int32]time.Time{},
		flagCleared:   map[int32]time.Time{},
		sprintAdded:   map[memberOf]time.Time{},
		versionAdded:  map[memberOf]time.Time{},
	}
	for ci := range m.snap.Changes {
		c := &m.snap.Changes[ci]
		i, ok := m.idx[c.IssueKey]
		if !ok {
			continue
		}
		switch c.FieldName() {
		case "status":
			from, to := m.statuses.Of(c.From, c.FromString), m.statuses.Of(c.To, c.ToString)
			if to == radar.CategoryInProgress {
				if t, ok := h.progressStart[i]; !ok || c.Created.Before(t) {
					h.progressStart[i] = c.Created
				}
			}
			if from == radar.CategoryDone && to != "" && to != radar.CategoryDone {
				r := h.reopens[i]
				if r == nil {
					r = &reopenInfo{}
					h.reopens[i] = r
				}
				r.times++
				if c.Created.After(r.last) {
					r.last = c.Created
				}
			}
		case "duedate":
			from, okF := parseDate(c.From, c.FromString)
			to, okT := parseDate(c.To, c.ToString)
			if !okF || !okT {
				continue
			}
			s := h.slips[i]
			if s == nil {
				s = &slipInfo{firstDue: from}
				h.slips[i] = s
			}
			s.firstDue = min(s.firstDue, from)
			if to > from {
				s.times++
				s.totalDays += to - from
				if c.Created.After(s.last) {
					s.last = c.Created
				}
			}
		case "flagged":
			target := h.flagCleared
			if strings.TrimSpace(c.ToString+c.To) != "" {
				target = h.flagSet
			}
			if t, ok := target[i]; !ok || c.Created.After(t) {
				target[i] = c.Created
			}
		case "sprint":
			before := splitIDs(c.From)
			for _, id := range splitIDs(c.To) {
				if slices.Contains(before, id) {
					continue
				}
				sid, err := strconv.ParseInt(id, 10, 64)
				if sp := m.sprints[sid]; err != nil || sp == nil || sp.State != "active" {
					continue
				}
				k := memberOf{i, id}
				if t, ok := h.sprintAdded[k]; !ok || c.Created.After(t) {
					h.sprintAdded[k] = c.Created
				}
			}
		case "fix version":
			id := strings.TrimSpace(c.To)
			if id == "" {
				continue
			}
			if v := m.versions[id]; v == nil || v.Released || v.StartDate.IsZero() {
				continue
			}
			k := memberOf{i, id}
			if t, ok := h.versionAdded[k]; !ok || c.Created.After(t) {
				h.versionAdded[k] = c.Created
			}
		}
	}
	m.hist = h
	m.readTeams()
}

// parseDate reads a due date from a changelog value ("2024-05-01") or its
// display string ("2024-05-01 00:00:00.0").
func parseDate(value, display string) (int64, bool) {
	for _, s := range []string{value, display} {
		s = strings.TrimSpace(s)
		if len(s) < 10 {
			continue
		}
		if t, err := time.Parse(time.DateOnly, s[:10]); err == nil {
			return dayOf(t), true
		}
	}
	return 0, false
}

// splitIDs splits a changelog list value such as "12, 13".
func splitIDs(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// team is one project's recent delivery history.
type team struct {
	spread   []float64             // each cycle time over its type's median, bounded and sorted: how much work varies
	byPoints map[float64][]float64 // cycle times (days) by story points, sorted
	cycles   map[string][]float64  // cycle times (days) by issue type, sorted
	all      []float64             // all cycle times, sorted
	pace     *pace                 // throughput of versioned items; nil when none resolved
}

// Bounds of one critical-path draw relative to its estimate: a heavy tail
// of cycle times widens the forecast, but one forgotten ticket does not
// push it out by years.
const (
	minSpread = 0.25
	maxSpread = 3.0
)

// minTypeSamples is the fewest cycle times of an issue type that speak for
// it; types with fewer use the project's median.
const minTypeSamples = 5

// countsAsItem says whether an issue counts as a unit of throughput: epics
// are containers and sub-tasks are parts of other items.
func (m *model) countsAsItem(i int32) bool { return !m.epic[i] && !m.iss[i].Subtask }

// cycleSample is one resolved issue's cycle time.
type cycleSample struct {
	project, typ string
	days         float64
	versioned    bool    // the issue had a fix version
	points       float64 // its story points; 0 when none
}

// minVersionedSamples is the fewest cycle times of issues with a fix version
// that stand for a project's work on its own.
const minVersionedSamples = 20

// readTeams derives each project's cycle times from the issues resolved
// within the history window (leaving out cleanup-day closures), and its
// throughput from readPace.
func (m *model) readTeams() {
	m.teams = map[string]*team{}
	weeks := int(m.opts.History / (7 * 24 * time.Hour))
	start := m.now.Add(-time.Duration(weeks) * 7 * 24 * time.Hour)
	cleanup := m.cleanupDays(start)
	var samples []cycleSample
	versioned := map[string]int{}
	for i, is := range m.iss {
		t := m.teams[is.Project]
		if t == nil {
			t = &team{cycles: map[string][]float64{}}
			m.teams[is.Project] = t
		}
		if !is.Done() || is.Resolved.IsZero() || is.Resolved.Before(start) || !is.Resolved.Before(m.now) || cleanup[is.Project][dayOf(is.Resolved)] {
			continue
		}
		begin := is.Created
		if ps, ok := m.hist.progressStart[int32(i)]; ok {
			begin = ps
		}
		cycle := is.Resolved.Sub(begin).Hours() / 24
		if cycle <= 0 || begin.IsZero() || m.epic[i] {
			continue
		}
		pts := 0.0
		if is.StoryPoints != nil && *is.StoryPoints > 0 {
			pts = *is.StoryPoints
		}
		samples = append(samples, cycleSample{is.Project, is.Type, cycle, len(is.FixVersions) > 0, pts})
		if len(is.FixVersions) > 0 {
			versioned[is.Project]++
		}
	}
	// Versions hold versioned work: where there are enough samples of it,
	// its cycle times speak for it, not those of tickets closed unplanned.
	for _, c := range samples {
		if c.versioned || versioned[c.project] < minVersionedSamples {
			t := m.teams[c.project]
			t.cycles[c.typ] = append(t.cycles[c.typ], c.days)
			t.all = append(t.all, c.days)
			if c.points > 0 {
				if t.byPoints == nil {
					t.byPoints = map[float64][]float64{}
				}
				t.byPoints[c.points] = append(t.byPoints[c.points], c.days)
			}
		}
	}
	paces := m.readPace()
	for p, t := range m.teams {
		t.pace = paces[p]
		slices.Sort(t.all)
		med := percentile(t.all, 0.5)
		for _, c := range t.cycles {
			slices.Sort(c)
			// Each sample over the median it will scale: its type's
			// when the type has enough samples, else the project's.
			base := med
			if len(c) >= minTypeSamples {
				base = percentile(c, 0.5)
			}
			if base <= 0 {
				continue
			}
			for _, x := range c {
				t.spread = append(t.spread, min(maxSpread, max(minSpread, x/base)))
			}
		}
		slices.Sort(t.spread)
		for _, c := range t.byPoints {
			slices.Sort(c)
		}
	}
}

// pointsSamples are the cycle times of the resolved issues whose story
// points are nearest pts (by ratio, at most twice or half pts) among the
// values with at least minTypeSamples of them; nil when none has (the
// issue then takes its type's median, as one without points does). Cycle
// times are read per point value, never as a linear days per point: on
// real sites points and cycle time are only loosely related, and a linear
// rate made one 8-point issue in review take two months (on the demo
// site's history it put P85 past the finish in every case and the median
// error at 0.63; per point value, 0.95 and 0.45).
func (t *team) pointsSamples(pts float64) []float64 {
	var best []float64
	bestDist, bestV := math.Inf(1), 0.0
	for v, c := range t.byPoints {
		if len(c) < minTypeSamples {
			continue
		}
		// Equally near on both sides: the larger value, the safer guess.
		if d := math.Abs(math.Log(v / pts)); d <= math.Ln2 && d < bestDist || d == bestDist && v > bestV {
			best, bestDist, bestV = c, d, v
		}
	}
	return best
}

// percentile returns the p-quantile (0..1) of sorted xs, nearest rank.
func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	k := int(p*float64(len(xs))+0.999999999) - 1
	return xs[max(0, min(k, len(xs)-1))]
}

// Fallback duration of an issue when nothing at all is known: one day.
const defaultIssueDays = 1.0

// hoursPerCalendarDay converts estimate hours to calendar days: Jira's 8-hour work day,
// 5 work days in 7 calendar days.
const hoursPerCalendarDay = 8.0 * 5 / 7

// computeDurations estimates each open issue's remaining calendar days:
// the remaining estimate, else the median cycle time of issues with about
// its story points, else the median cycle time of its type. An issue whose work is its open
// children (an epic, a parent of sub-tasks) takes none itself.
func (m *model) computeDurations() {
	var global []float64
	for _, t := range m.teams {
		global = append(global, t.all...)
	}
	slices.Sort(global)
	globalMedian := percentile(global, 0.5)
	m.dur = make([]float64, len(m.iss))
	for i, is := range m.iss {
		if !m.open[i] || m.hasOpenChild[i] {
			continue
		}
		d := m.estimateDays(is, globalMedian)
		// Work under way has used part of a statistical estimate: count
		// only what is left, but never less than a quarter of it (aging
		// work is flagged as stale, not assumed nearly done).
		if is.RemainingEstimate <= 0 {
			if ps, ok := m.hist.progressStart[int32(i)]; ok && is.StatusCategory == radar.CategoryInProgress {
				elapsed := m.now.Sub(ps).Hours() / 24
				d = max(d-elapsed, d/4)
			}
		}
		m.dur[i] = d
	}
}

func (m *model) estimateDays(is *radar.Issue, globalMedian float64) float64 {
	if is.RemainingEstimate > 0 {
		return is.RemainingEstimate.Hours() / hoursPerCalendarDay
	}
	t := m.teams[is.Project]
	if is.StoryPoints != nil && *is.StoryPoints > 0 {
		if c := t.pointsSamples(*is.StoryPoints); c != nil {
			return percentile(c, 0.5)
		}
	}
	if c := t.cycles[is.Type]; len(c) >= minTypeSamples {
		return percentile(c, 0.5)
	}
	if len(t.all) > 0 {
		return percentile(t.all, 0.5)
	}
	if globalMedian > 0 {
		return globalMedian
	}
	return defaultIssueDays
}
