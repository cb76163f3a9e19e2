package webui

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/analysis"
)

// releaseKey names a version by project and name, as its page does.
type releaseKey struct{ project, name string }

// index is one snapshot and its report, looked up the ways the pages need.
// It is built once per analysis and read by every request.
type index struct {
	now  time.Time
	snap radar.Snapshot
	rep  radar.Report

	issues map[string]*radar.Issue
	links  *analysis.Links // dependencies and parent links, walked for an issue's picture

	findingsOf      map[string][]int // issue key → findings about it (cycles: every member)
	releaseFindings map[releaseKey][]int
	sorted          []int    // findings by severity, then impact
	rank            []int    // finding → its position in sorted
	searchText      []string // finding → the lower-case text free-text search looks in
	critical        map[string]bool
	criticalEdge    map[[2]string]bool // consecutive keys on a critical path, either way
	cycle           map[string]int     // the cycle finding (index + 1) an issue is in; cycles never share an issue
	blast           map[string]int

	versions     map[releaseKey]*radar.Version
	versionByID  map[string]*radar.Version
	forecast     map[releaseKey]*radar.VersionForecast
	members      map[string][]string // version id → keys of issues in it now
	moved        map[string][]string // version id → keys of issues the changelog shows joining or leaving it, once each
	versionDates map[string][]radar.VersionDate
	changes      map[string][]radar.Change // issue key → its changelog, oldest first
	statuses     radar.StatusCategories
	projects     []string

	overview overviewView // the overview page but for its health line: it depends on nothing else a request brings
}

func newIndex(snap radar.Snapshot, rep radar.Report, now time.Time) *index {
	ix := &index{now: rep.GeneratedAt, snap: snap, rep: rep,
		issues: make(map[string]*radar.Issue, len(snap.Issues)), links: analysis.NewLinks(snap), findingsOf: map[string][]int{},
		releaseFindings: map[releaseKey][]int{}, critical: map[string]bool{}, criticalEdge: map[[2]string]bool{},
		cycle: map[string]int{}, blast: map[string]int{}, versions: map[releaseKey]*radar.Version{},
		versionByID: map[string]*radar.Version{}, forecast: map[releaseKey]*radar.VersionForecast{},
		members: map[string][]string{}, moved: map[string][]string{}, versionDates: map[string][]radar.VersionDate{}, changes: make(map[string][]radar.Change, len(snap.Issues)),
		statuses: radar.NewStatusCategories(snap.Statuses)}
	if ix.now.IsZero() {
		ix.now = now
	}
	for i := range snap.Issues {
		is := &snap.Issues[i]
		ix.issues[is.Key] = is
		for _, id := range is.FixVersions {
			ix.members[id] = append(ix.members[id], is.Key)
		}
	}
	for i := range snap.Versions {
		v := &snap.Versions[i]
		ix.versions[releaseKey{v.Project, v.Name}] = v
		ix.versionByID[v.ID] = v
	}
	for _, vd := range snap.VersionDates {
		ix.versionDates[vd.VersionID] = append(ix.versionDates[vd.VersionID], vd)
	}
	ix.indexChanges()
	for i := range rep.Versions {
		fc := &rep.Versions[i]
		ix.forecast[releaseKey{fc.Project, fc.Name}] = fc
		ix.markCritical(fc.CriticalPath)
	}
	for _, e := range rep.Epics {
		ix.markCritical(e.CriticalPath)
	}
	ix.indexFindings()
	ix.projects = snap.ProjectKeys()
	ix.overview = ix.buildOverview()
	return ix
}

// indexChanges splits the changelog by issue, without copying it unless an
// issue's changes are out of order.
func (ix *index) indexChanges() {
	cs := ix.snap.Changes
	seen := map[[2]string]bool{} // version id, issue key
	for i := range cs {
		c := &cs[i]
		if c.FieldName() != "fix version" {
			continue
		}
		for _, id := range [2]string{c.To, c.From} {
			if k := [2]string{id, c.IssueKey}; id != "" && !seen[k] {
				seen[k] = true
				ix.moved[id] = append(ix.moved[id], c.IssueKey)
			}
		}
	}
	for start := 0; start < len(cs); {
		end := start + 1
		for end < len(cs) && cs[end].IssueKey == cs[start].IssueKey {
			end++
		}
		key := cs[start].IssueKey
		ch := cs[start:end:end]
		if prev, ok := ix.changes[key]; ok || !slices.IsSortedFunc(ch, byCreated) {
			ch = append(slices.Clone(prev), ch...)
			slices.SortStableFunc(ch, byCreated)
		}
		ix.changes[key] = ch
		start = end
	}
}

// versionMembers lists the issues ever in version id: those in it now, and
// those whose changelog shows them joining or leaving it.
func (ix *index) versionMembers(id string) []string {
	keys := slices.Clone(ix.members[id])
	seen := make(map[string]bool, len(keys))
	for _, k := range keys {
		seen[k] = true
	}
	for _, k := range ix.moved[id] {
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	return keys
}

func byCreated(a, b radar.Change) int { return a.Created.Compare(b.Created) }

func (ix *index) markCritical(path []string) {
	for i, k := range path {
		ix.critical[k] = true
		if i > 0 {
			ix.criticalEdge[[2]string{path[i-1], k}] = true
			ix.criticalEdge[[2]string{k, path[i-1]}] = true
		}
	}
}

// indexFindings files each finding under its issue or release and sorts
// them by severity, then impact.
func (ix *index) indexFindings() {
	fs := ix.rep.Findings
	for i := range fs {
		f := &fs[i]
		switch {
		case f.Kind == radar.KindDependencyCycle:
			for _, k := range memberKeys(*f) {
				ix.cycle[k] = i + 1
				ix.findingsOf[k] = append(ix.findingsOf[k], i)
			}
		case f.Kind == radar.KindAbandonedWork:
			// About a project's untouched work: each issue's page shows it.
			for _, k := range memberKeys(*f) {
				ix.findingsOf[k] = append(ix.findingsOf[k], i)
			}
		case releaseOf(*f) != releaseKey{}:
			ix.releaseFindings[releaseOf(*f)] = append(ix.releaseFindings[releaseOf(*f)], i)
		case radar.IsIssueKey(f.Issue):
			ix.findingsOf[f.Issue] = append(ix.findingsOf[f.Issue], i)
		}
		if f.Kind == radar.KindBlocker {
			ix.blast[f.Issue] = f.BlastRadius()
		}
	}
	ix.sorted = make([]int, len(fs))
	for i := range ix.sorted {
		ix.sorted[i] = i
	}
	slices.SortStableFunc(ix.sorted, func(a, b int) int {
		if c := cmp.Compare(fs[b].Severity.Rank(), fs[a].Severity.Rank()); c != 0 {
			return c
		}
		return cmp.Compare(impact(fs[b]), impact(fs[a]))
	})
	ix.searchText = make([]string, len(fs))
	for i := range fs {
		f := &fs[i]
		assignee, _ := f.Assignee()
		ix.searchText[i] = strings.ToLower(strings.Join([]string{f.Issue, f.Title, f.Detail, ix.summaryOf(f), assignee}, "\x00"))
	}
	ix.rank = make([]int, len(fs))
	for pos, i := range ix.sorted {
		ix.rank[i] = pos
	}
}

// releaseOf names the release a finding is about (radar.Finding.Release);
// zero when none.
func releaseOf(f radar.Finding) releaseKey {
	p, v, _ := f.Release()
	return releaseKey{p, v}
}

// memberKeys are the issues a finding about several issues names: a
// cycle's members, a project's abandoned work, an assignee's work in
// progress; nil for other findings.
func memberKeys(f radar.Finding) []string {
	switch f.Kind {
	case radar.KindDependencyCycle:
		e, _ := f.Evidence.(radar.DependencyCycleFacts)
		return e.Members
	case radar.KindAbandonedWork:
		e, _ := f.Evidence.(radar.AbandonedWorkFacts)
		return e.Issues
	case radar.KindOverloadedAssignee:
		e, _ := f.Evidence.(radar.OverloadedAssigneeFacts)
		return e.InProgress
	}
	return nil
}

// impact is how much a finding reaches: the issues waiting on it, the
// items left in a release, the size of a cycle, and so on; 0 when unknown.
func impact(f radar.Finding) float64 {
	if n := f.BlastRadius(); n > 0 {
		return float64(n)
	}
	switch e := f.Evidence.(type) {
	case radar.StaleFacts:
		return float64(e.DaysSinceUpdate)
	case radar.ReleaseAtRiskFacts:
		return float64(e.RemainingItems)
	case radar.ReleaseOverdueFacts:
		return float64(e.RemainingItems)
	case radar.DependencyCycleFacts:
		return float64(e.Size)
	case radar.ScopeCreepFacts:
		return float64(e.AddedItems)
	case radar.ReopenedFacts:
		return float64(e.TimesReopened)
	case radar.DueDateSlippedFacts:
		return float64(e.TimesMoved)
	case radar.ReleaseSlippedFacts:
		return float64(e.TimesMoved)
	case radar.OverloadedAssigneeFacts:
		return float64(e.WIP)
	}
	return 0
}

func (ix *index) finding(i int) *radar.Finding { return &ix.rep.Findings[i] }
