package analysis

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/radarhq/radar"
)

// findBlockers reports every open issue blocking at least one open issue,
// with its blast radius: the distinct open issues downstream of it through
// dependency and parent links, found by a breadth-first walk.
func (m *model) findBlockers() {
	n := len(m.iss)
	m.blast = make([]int32, n)
	for i := range m.blast {
		m.blast[i] = -1
	}
	dl := make([]int64, n)
	for i := range dl {
		dl[i] = noDay
		if m.open[i] {
			if d, _, ok := m.deadline(int32(i)); ok {
				dl[i] = d
			}
		}
	}
	walker := newBFS(n)
	versions := map[string]bool{}
	for b := int32(0); b < int32(n); b++ {
		direct := m.dep.neighbours(b)
		if !m.open[b] || len(direct) == 0 {
			continue
		}
		is := m.iss[b]
		points, earliest := 0.0, int64(noDay)
		clear(versions)
		crossProject := false
		radius := walker.walk(&m.down, b, func(v int32) {
			d := m.iss[v]
			if d.StoryPoints != nil {
				points += *d.StoryPoints
			}
			earliest = min(earliest, dl[v])
			for _, id := range d.FixVersions {
				if ver := m.versions[id]; ver != nil && !ver.Released {
					versions[ver.Name] = true
				}
			}
		})
		m.blast[b] = int32(radius)
		for _, x := range direct {
			if m.iss[x].Project != is.Project {
				crossProject = true
			}
		}
		names := make([]string, 0, len(versions))
		for v := range versions {
			names = append(names, v)
		}
		slices.Sort(names)
		since := m.daysSinceUpdate(is)
		idle := m.untouchedFor(is)

		score := 0
		var reasons []string
		switch {
		case radius >= 10:
			score += 2
		case radius >= 3:
			score++
		}
		due := ""
		var dueDate radar.Date
		if earliest != noDay {
			due, dueDate = dateString(earliest), dateOf(earliest)
			switch left := earliest - m.today; {
			case left <= 7:
				score += 2
				reasons = append(reasons, "work due by "+due+" waits on it")
			case left <= 30:
				score++
				reasons = append(reasons, "work due by "+due+" waits on it")
			}
		}
		if idle >= m.opts.StaleAfter {
			score++
			reasons = append(reasons, "untouched for "+idleText(idle))
		}
		if is.AssigneeID == "" {
			score++
			reasons = append(reasons, "nobody is assigned")
		}
		if crossProject {
			score++
			reasons = append(reasons, "it blocks another project")
		}
		depKeys := m.keysOf(direct)
		title := fmt.Sprintf("%s blocks %s (blast radius %d)", is.Key, plural(len(direct), "open issue", "open issues"), radius)
		detail := fmt.Sprintf("%s (%s, %s) holds up %s directly and %s downstream",
			is.Key, is.Status, assigneeText(is), listKeys(depKeys), plural(radius, "open issue", "open issues"))
		if points > 0 {
			detail += fmt.Sprintf(" (%g points)", round(points, 1))
		}
		if len(names) > 0 {
			detail += ", affecting " + joinAnd(names)
		}
		detail += "."
		if len(reasons) > 0 {
			detail += " " + strings.ToUpper(reasons[0][:1]) + reasons[0][1:]
			if len(reasons) > 1 {
				detail += "; " + strings.Join(reasons[1:], "; ")
			}
			detail += "."
		}
		detail += " Finish it first, or break the dependency."
		if names == nil {
			names = []string{}
		}
		m.add(severityOf(score, 2, 4), b, "", title, detail, radar.BlockerFacts{
			IssueFacts:            m.issueFacts(b),
			DirectDependents:      depKeys,
			BlastRadius:           radius,
			DownstreamPoints:      round(points, 1),
			EarliestDownstreamDue: dueDate,
			VersionsAffected:      names,
			DaysSinceUpdate:       since,
			HoursSinceUpdate:      int(idle / time.Hour),
			CrossProject:          crossProject,
		})
	}
}

// findCycles reports each dependency cycle (a strongly connected component
// of more than one issue) once, with its members.
func (m *model) findCycles() {
	for c := int32(0); c < m.ncomp; c++ {
		mem := m.members.neighbours(c)
		if len(mem) < 2 {
			continue
		}
		keys := m.keysOf(mem)
		projects := map[string]bool{}
		sev := radar.SeverityWarning
		for _, v := range mem {
			projects[m.iss[v].Project] = true
			if m.iss[v].StatusCategory == radar.CategoryInProgress {
				sev = radar.SeverityCritical
			}
		}
		ps := make([]string, 0, len(projects))
		for p := range projects {
			ps = append(ps, p)
		}
		slices.Sort(ps)
		first := m.iss[mem[0]]
		m.findings = append(m.findings, radar.Finding{
			ID: string(radar.KindDependencyCycle) + ":" + strings.Join(keys, ","), Kind: radar.KindDependencyCycle, Severity: sev,
			Project: first.Project, Issue: first.Key,
			Title:    fmt.Sprintf("Dependency cycle among %s", listKeys(keys)),
			Detail:   fmt.Sprintf("%s wait on each other through dependency or parent links, so none of them can finish. Remove or re-point one of the links.", joinAnd(keys)),
			Evidence: radar.DependencyCycleFacts{Members: keys, Size: len(keys), Projects: ps},
		})
	}
}

// findOffTrack reports dependencies whose blocker is forecast to finish
// after the blocked issue's deadline.
func (m *model) findOffTrack() {
	for b := int32(0); b < int32(len(m.iss)); b++ {
		for _, x := range m.dep.neighbours(b) {
			if m.comp[b] == m.comp[x] {
				continue // a cycle: reported as such
			}
			dl, dlSource, ok := m.deadline(x)
			if !ok {
				continue
			}
			finish, source := m.finishDay(b)
			if finish <= dl {
				continue
			}
			if dlSource == "release" && dl < m.today && m.foldLateDependency(b, x, dl) {
				continue // one release_overdue tells it, not one finding per issue
			}
			late := finish - dl
			sev := radar.SeverityWarning
			if late > 7 || dl-m.today <= 7 {
				sev = radar.SeverityCritical
			}
			bi, xi := m.iss[b], m.iss[x]
			how := "is due"
			if source == "forecast" {
				how = "is forecast to finish"
			}
			m.add(sev, x, bi.Key+":"+xi.Key,
				fmt.Sprintf("%s waits on %s, which finishes %s after %s is needed", xi.Key, bi.Key, plural(int(late), "day", "days"), xi.Key),
				fmt.Sprintf("%s %s %s but %s must be done by %s (%s). Pull %s forward, move the date, or drop the dependency.",
					bi.Key, how, dateString(finish), xi.Key, dateString(dl), deadlineWord(dlSource), bi.Key),
				radar.OffTrackDependencyFacts{
					IssueFacts: m.issueFacts(x), Blocker: bi.Key, Blocked: xi.Key, BlockerFinish: dateOf(finish), BlockerFinishSource: source,
					BlockedDeadline: dateOf(dl), DeadlineSource: dlSource, DaysLate: late, BlockerAssignee: bi.AssigneeName,
				})
		}
	}
}

func deadlineWord(source string) string {
	switch source {
	case "sprint":
		return "its sprint ends"
	case "release":
		return "its release date"
	}
	return "its due date"
}
