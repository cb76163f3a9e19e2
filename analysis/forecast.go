package analysis

import (
	"cmp"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/radarhq/radar"
)

// maxForecastWeeks bounds a Monte Carlo trial: work not done in ten years is
// reported as finishing then.
const maxForecastWeeks = 520

type versionRisk struct {
	hasDate     bool
	probability float64
}

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

// forecastVersions forecasts every unreleased version: a Monte Carlo over
// the team's weekly throughput for the remaining items, bounded below by the
// version's critical path, and reports those whose release date the 85th
// percentile misses.
func (m *model) forecastVersions() {
	members := map[string][]int32{}
	for i, is := range m.iss {
		if !m.open[i] {
			continue
		}
		for _, id := range is.FixVersions {
			members[id] = append(members[id], int32(i))
		}
	}
	m.versionRisk = map[string]versionRisk{}
	finishes := make([]int64, m.opts.Trials)
	for _, v := range m.sortedVersions() {
		open := members[v.ID]
		if v.ReleaseDate.IsZero() && len(open) == 0 {
			continue
		}
		items, points := 0, 0.0
		bestComp := int32(-1)
		for _, i := range open {
			if m.countsAsItem(i) {
				items++
				if p := m.iss[i].StoryPoints; p != nil {
					points += *p
				}
			}
			if c := m.comp[i]; bestComp == -1 || m.longest[c] > m.longest[bestComp] {
				bestComp = c
			}
		}
		path, cpDays := []string{}, 0.0
		if bestComp >= 0 {
			path, cpDays = m.chainKeys(bestComp), m.longest[bestComp]
		}
		t := m.teams[v.Project]
		var weekly, spread []float64
		if t != nil {
			weekly, spread = t.weekly, t.spread
		}
		var steps []pathStep
		if bestComp >= 0 {
			steps = m.pathSteps(bestComp)
		}
		ok := simulate(finishes, weekly, spread, items, cpDays, steps, m.today, m.opts.Seed, v.ID)
		fc := radar.VersionForecast{
			Project: v.Project, Name: v.Name, CriticalPath: path,
			CriticalPathRemaining: time.Duration(cpDays * float64(24*time.Hour)),
		}
		release := int64(noDay)
		if !v.ReleaseDate.IsZero() {
			release = dayOf(v.ReleaseDate)
			fc.ReleaseDate = dateString(release)
		}
		if ok {
			sum := 0.0
			for _, f := range finishes {
				sum += float64(f)
			}
			fc.Trials = len(finishes)
			fc.MeanFinish = time.Unix(int64(sum/float64(len(finishes))*86400), 0).UTC()
			fc.P50 = dateString(percentileDay(finishes, 0.50))
			fc.P85 = dateString(percentileDay(finishes, 0.85))
			fc.P95 = dateString(percentileDay(finishes, 0.95))
			if release != noDay {
				onTime := 0
				for _, f := range finishes {
					if f <= release {
						onTime++
					}
				}
				fc.OnTimeProbability = round(float64(onTime)/float64(len(finishes)), 3)
			}
		}
		m.versionsOut = append(m.versionsOut, fc)
		m.versionRisk[v.ID] = versionRisk{hasDate: release != noDay, probability: fc.OnTimeProbability}
		if release == noDay || (ok && percentileDay(finishes, 0.85) <= release) {
			continue
		}
		m.addReleaseAtRisk(v, fc, ok, release, items, points, cpDays, weekly)
	}
}

func (m *model) addReleaseAtRisk(v *radar.Version, fc radar.VersionForecast, ok bool, release int64, items int, points, cpDays float64, weekly []float64) {
	sev := radar.SeverityWarning
	var detail string
	mean := 0.0
	for _, w := range weekly {
		mean += w
	}
	if len(weekly) > 0 {
		mean /= float64(len(weekly))
	}
	switch {
	case !ok:
		detail = fmt.Sprintf("%s %s is due %s with %s left, but the team resolved nothing in the last %d weeks, so no forecast is possible. Check the version is still planned and staffed.",
			v.Project, v.Name, fc.ReleaseDate, plural(items, "item", "items"), len(weekly))
	default:
		if fc.P50 > fc.ReleaseDate || release < m.today {
			sev = radar.SeverityCritical
		}
		detail = fmt.Sprintf("%s %s is due %s with %s (%g points) left; at the recent pace it is %d%% likely to make it (P50 %s, P85 %s).",
			v.Project, v.Name, fc.ReleaseDate, plural(items, "item", "items"), round(points, 1), int(fc.OnTimeProbability*100+0.5), fc.P50, fc.P85)
		if len(fc.CriticalPath) > 1 {
			detail += fmt.Sprintf(" The critical path %s alone needs %.0f days.", listKeys(fc.CriticalPath), cpDays)
		}
		detail += " Cut scope, add capacity, or move the date now."
	}
	m.findings = append(m.findings, radar.Finding{
		ID: radar.KindReleaseAtRisk + ":" + v.Project + ":" + v.Name, Kind: radar.KindReleaseAtRisk, Severity: sev,
		Project: v.Project, Issue: v.Name,
		Title:  fmt.Sprintf("%s %s will likely miss its %s release", v.Project, v.Name, fc.ReleaseDate),
		Detail: detail,
		Evidence: map[string]any{
			"p50": fc.P50, "p85": fc.P85, "p95": fc.P95, "release_date": fc.ReleaseDate,
			"on_time_probability": fc.OnTimeProbability, "remaining_items": items, "remaining_points": round(points, 1),
			"critical_path": fc.CriticalPath, "critical_path_days": round(cpDays, 1),
			"throughput_per_week": round(mean, 2), "trials": m.opts.Trials,
		},
	})
}

// pathStep is one issue on a critical path: its estimated days, and whether
// that estimate is statistical (a cycle time or points) rather than the
// issue's own remaining estimate.
type pathStep struct {
	days        float64
	statistical bool
}

// pathSteps lists the issues on the critical path ending with component c.
func (m *model) pathSteps(c int32) []pathStep {
	var out []pathStep
	for _, cc := range chain(m.pred, c) {
		for _, v := range m.members.neighbours(cc) {
			out = append(out, pathStep{days: m.dur[v], statistical: m.iss[v].RemainingEstimate <= 0})
		}
	}
	return out
}

// simulate fills finishes (sorted ascending) with the finish day of each
// Monte Carlo trial. A trial draws weeks at random from the weekly
// throughput history until the remaining items are done, and cannot finish
// before the critical path does. The critical path is drawn too: each of
// its issues with a statistical estimate takes that estimate times a random
// sample of how the team's cycle times vary around their median (spread),
// issue by issue, so a long chain's uncertainty averages as real work does;
// issues with their own remaining estimate keep it. It reports false when
// the history has no throughput at all.
func simulate(finishes []int64, weekly, spread []float64, items int, cpDays float64, steps []pathStep, today, seed int64, stream string) bool {
	total := 0.0
	for _, w := range weekly {
		total += w
	}
	if items > 0 && total == 0 {
		return false
	}
	h := fnv.New64a()
	h.Write([]byte(stream))
	rng := rand.New(rand.NewPCG(uint64(seed), h.Sum64()))
	base := 0.0
	for _, st := range steps {
		base += st.days
	}
	remaining := float64(items)
	for k := range finishes {
		path := cpDays
		if len(spread) > 0 && cpDays > 0 && base > 0 {
			drawn := 0.0
			for _, st := range steps {
				f := 1.0
				if st.statistical {
					f = spread[rng.IntN(len(spread))]
				}
				drawn += st.days * f
			}
			path = cpDays * drawn / base // keep the path's own scale
		}
		finish := today + ceilDays(path)
		if items > 0 {
			done, weeks := 0.0, 0.0
			for {
				x := weekly[rng.IntN(len(weekly))]
				if done+x >= remaining {
					weeks += (remaining - done) / x
					break
				}
				done += x
				weeks++
				if weeks >= maxForecastWeeks {
					break
				}
			}
			finish = max(finish, today+ceilDays(weeks*7))
		}
		finishes[k] = finish
	}
	slices.Sort(finishes)
	return true
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
			Finish: dateString(m.today + ceilDays(days)), CriticalPath: m.chainKeys(c),
		})
	}
}

// findScopeCreep reports work added to an active sprint after it started,
// and to an unreleased version after its start date.
func (m *model) findScopeCreep() {
	sprintMembers := map[int64][]int32{}
	versionMembers := map[string][]int32{}
	for i, is := range m.iss {
		for _, id := range is.SprintIDs {
			if sp := m.sprints[id]; sp != nil && sp.State == "active" {
				sprintMembers[id] = append(sprintMembers[id], int32(i))
			}
		}
		for _, id := range is.FixVersions {
			versionMembers[id] = append(versionMembers[id], int32(i))
		}
	}
	ids := make([]int64, 0, len(sprintMembers))
	for id := range sprintMembers {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		sp := m.sprints[id]
		if sp.Start.IsZero() || sp.Start.After(m.now) {
			continue
		}
		m.scopeCreep(sprintMembers[id], fmt.Sprint(id), sp.Start, "sprint", "", sp.Name)
	}
	for _, v := range m.sortedVersions() {
		if v.StartDate.IsZero() || v.StartDate.After(m.now) || len(versionMembers[v.ID]) == 0 {
			continue
		}
		m.scopeCreep(versionMembers[v.ID], v.ID, v.StartDate, "version", v.Project, v.Name)
	}
}

func (m *model) scopeCreep(members []int32, id string, start time.Time, what, project, name string) {
	var added []string
	addedPts, basePts := 0.0, 0.0
	baseItems := 0
	projects := map[string]int{}
	for _, i := range members {
		is := m.iss[i]
		projects[is.Project]++
		k := memberOf{i, id}
		at, ok := m.hist.sprintAdded[k], false
		if what == "version" {
			at = m.hist.versionAdded[k]
		}
		if !at.IsZero() {
			ok = at.After(start)
		} else {
			ok = is.Created.After(start)
		}
		pts := 0.0
		if is.StoryPoints != nil {
			pts = *is.StoryPoints
		}
		if ok {
			added = append(added, is.Key)
			addedPts += pts
		} else {
			baseItems++
			basePts += pts
		}
	}
	if len(added) == 0 {
		return
	}
	var growth float64
	switch {
	case basePts > 0:
		growth = addedPts / basePts * 100
	case baseItems > 0:
		growth = float64(len(added)) / float64(baseItems) * 100
	default:
		growth = 100
	}
	if project == "" {
		best := 0
		for p, c := range projects {
			if c > best || (c == best && p < project) {
				project, best = p, c
			}
		}
	}
	sev := radar.SeverityInfo
	switch {
	case growth >= 50:
		sev = radar.SeverityCritical
	case growth >= 20:
		sev = radar.SeverityWarning
	}
	subjectID := what + ":" + id
	if what == "version" {
		subjectID = what + ":" + project + ":" + name
	}
	m.findings = append(m.findings, radar.Finding{
		ID: radar.KindScopeCreep + ":" + subjectID, Kind: radar.KindScopeCreep, Severity: sev, Project: project, Issue: name,
		Title: fmt.Sprintf("%s %s grew %g%% after it started", what, name, round(growth, 1)),
		Detail: fmt.Sprintf("%s joined %s %s after it started on %s (%g points, %g%% growth). Drop or swap work to protect the commitment, or reset expectations.",
			listKeys(added), what, name, start.UTC().Format(time.DateOnly), round(addedPts, 1), round(growth, 1)),
		Evidence: map[string]any{
			what: name, "started": start.UTC().Format(time.DateOnly), "added_items": len(added), "added_keys": added,
			"added_points": round(addedPts, 1), "growth_pct": round(growth, 1),
		},
	})
}

// findOverloaded reports assignees with more live work in progress than
// the WIP limit, or holding several blockers or critical-path items at
// once. Only live work counts: open issues touched within abandoned_after,
// and critical-path items only of versions with a release date still ahead.
func (m *model) findOverloaded() {
	type load struct {
		name, email      string
		wip, held, block []int32
		projects         map[string]int
	}
	dated := m.datedCriticalPaths()
	loads := map[string]*load{}
	for i := int32(0); i < int32(len(m.iss)); i++ {
		is := m.iss[i]
		if !m.open[i] || is.AssigneeID == "" || m.epic[i] || !m.live(i) {
			continue
		}
		inProgress := is.StatusCategory == radar.CategoryInProgress
		blocker := m.blast[i] >= 0
		if !inProgress && !blocker && !dated[i] {
			continue
		}
		l := loads[is.AssigneeID]
		if l == nil {
			l = &load{name: is.AssigneeName, email: is.AssigneeEmail, projects: map[string]int{}}
			loads[is.AssigneeID] = l
		}
		l.projects[is.Project]++
		if inProgress {
			l.wip = append(l.wip, i)
		}
		if blocker {
			l.block = append(l.block, i)
		}
		if blocker || dated[i] {
			l.held = append(l.held, i)
		}
	}
	ids := make([]string, 0, len(loads))
	for id := range loads {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	limit := m.opts.WIPLimit
	for _, id := range ids {
		l := loads[id]
		overWIP, holdsMany := len(l.wip) > limit, len(l.held) >= 3
		if !overWIP && !holdsMany {
			continue
		}
		var critical []string
		for _, i := range l.held {
			if dated[i] {
				critical = append(critical, m.iss[i].Key)
			}
		}
		project, best := "", 0
		for p, c := range l.projects {
			if c > best || (c == best && p < project) {
				project, best = p, c
			}
		}
		sev := radar.SeverityWarning
		if len(l.wip) >= 2*limit || len(l.block) >= 3 {
			sev = radar.SeverityCritical
		}
		name := cmp.Or(l.name, id)
		held := plural(len(l.held), "blocker or critical-path item", "blockers or critical-path items")
		var title, detail string
		if overWIP {
			title = fmt.Sprintf("%s has %s in progress (limit %d)", name, plural(len(l.wip), "issue", "issues"), limit)
			detail = fmt.Sprintf("%s is working on %s at once (limit %d)", name, plural(len(l.wip), "issue", "issues"), limit)
			if len(l.held) > 0 {
				detail += " and holds " + held
			}
			detail += ". Finish some before starting more"
			if holdsMany {
				detail += ", and hand blockers to someone with room"
			}
			detail += "."
		} else {
			title = fmt.Sprintf("%s holds %s", name, held)
			detail = fmt.Sprintf("%s holds %s (%s, %s on the critical path of a coming release) with %s in progress. Hand some to someone with room, so one absence cannot stall them all.",
				name, held, plural(len(l.block), "blocker", "blockers"), plural(len(critical), "item", "items"), plural(len(l.wip), "issue", "issues"))
		}
		ev := map[string]any{
			"assignee": l.name, "wip": len(l.wip), "wip_limit": limit, "held": len(l.held),
			"in_progress": m.keysOf(l.wip), "blockers": m.keysOf(l.block), "critical_path_items": nonNil(critical),
		}
		if l.email != "" {
			ev["assignee_email"] = l.email
		}
		m.findings = append(m.findings, radar.Finding{
			ID: radar.KindOverloadedAssignee + ":" + id, Kind: radar.KindOverloadedAssignee, Severity: sev,
			Project: project, Issue: name, Title: title, Detail: detail, Evidence: ev,
		})
	}
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

// findVersionSlips reports unreleased versions whose release date moved
// later between syncs (Jira keeps no such history; the store records it).
func (m *model) findVersionSlips() {
	byVersion := map[string][]radar.VersionDate{}
	for _, d := range m.snap.VersionDates {
		byVersion[d.VersionID] = append(byVersion[d.VersionID], d)
	}
	for _, v := range m.sortedVersions() {
		ds := byVersion[v.ID]
		slices.SortStableFunc(ds, func(a, b radar.VersionDate) int { return a.ObservedAt.Compare(b.ObservedAt) })
		times, total := 0, int64(0)
		var prev, first int64 = noDay, noDay
		for _, d := range ds {
			if d.ReleaseDate.IsZero() {
				continue
			}
			day := dayOf(d.ReleaseDate)
			if first == noDay {
				first = day
			}
			if prev != noDay && day > prev {
				times++
				total += day - prev
			}
			prev = day
		}
		if times == 0 {
			continue
		}
		sev := radar.SeverityWarning
		switch {
		case times >= 3 || total >= 30:
			sev = radar.SeverityCritical
		case times == 1 && total < 7:
			sev = radar.SeverityInfo
		}
		current := ""
		if !v.ReleaseDate.IsZero() {
			current = dateString(dayOf(v.ReleaseDate))
		}
		m.findings = append(m.findings, radar.Finding{
			ID: radar.KindDueDateSlipped + ":version:" + v.Project + ":" + v.Name, Kind: radar.KindDueDateSlipped, Severity: sev,
			Project: v.Project, Issue: v.Name,
			Title: fmt.Sprintf("%s %s release date moved later %s (%s)", v.Project, v.Name, plural(times, "time", "times"), plural(int(total), "day", "days")),
			Detail: fmt.Sprintf("The release date of %s %s moved from %s to %s. Tell the people who depend on the release, and find what keeps pushing it.",
				v.Project, v.Name, dateString(first), cmp.Or(current, "no date")),
			Evidence: map[string]any{"version": v.Name, "times_moved": times, "total_days": total, "original_release": dateString(first), "release_date": current},
		})
	}
}
