package analysis

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/radarhq/radar"
)

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
		ev := radar.OverloadedAssigneeFacts{
			Assignee: l.name, AssigneeEmail: l.email, WIP: len(l.wip), WIPLimit: limit, Held: len(l.held),
			InProgress: m.keysOf(l.wip), Blockers: m.keysOf(l.block), CriticalPathItems: nonNil(critical),
		}
		m.findings = append(m.findings, radar.Finding{
			ID: string(radar.KindOverloadedAssignee) + ":" + id, Kind: radar.KindOverloadedAssignee, Severity: sev,
			Project: project, Issue: name, Title: title, Detail: detail, Evidence: ev,
		})
	}
}
