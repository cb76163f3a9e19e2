package analysis

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/radarhq/radar"
)

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
	ev := radar.ScopeCreepFacts{Started: radar.DateOf(start), AddedItems: len(added), AddedKeys: added,
		AddedPoints: round(addedPts, 1), GrowthPct: round(growth, 1)}
	if what == "version" {
		ev.Version = name
	} else {
		ev.Sprint = name
	}
	m.findings = append(m.findings, radar.Finding{
		ID: string(radar.KindScopeCreep) + ":" + subjectID, Kind: radar.KindScopeCreep, Severity: sev, Project: project, Issue: name,
		Title: fmt.Sprintf("%s %s grew %g%% after it started", what, name, round(growth, 1)),
		Detail: fmt.Sprintf("%s joined %s %s after it started on %s (%g points, %g%% growth). Drop or swap work to protect the commitment, or reset expectations.",
			listKeys(added), what, name, start.UTC().Format(time.DateOnly), round(addedPts, 1), round(growth, 1)),
		Evidence: ev,
	})
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
		current := radar.DateOf(v.ReleaseDate)
		m.findings = append(m.findings, radar.Finding{
			ID: string(radar.KindDueDateSlipped) + ":version:" + v.Project + ":" + v.Name, Kind: radar.KindDueDateSlipped, Severity: sev,
			Project: v.Project, Issue: v.Name,
			Title: fmt.Sprintf("%s %s release date moved later %s (%s)", v.Project, v.Name, plural(times, "time", "times"), plural(int(total), "day", "days")),
			Detail: fmt.Sprintf("The release date of %s %s moved from %s to %s. Tell the people who depend on the release, and find what keeps pushing it.",
				v.Project, v.Name, dateString(first), cmp.Or(current.String(), "no date")),
			Evidence: radar.ReleaseSlippedFacts{Version: v.Name, TimesMoved: times, TotalDays: total, OriginalRelease: dateOf(first), ReleaseDate: current},
		})
	}
}
