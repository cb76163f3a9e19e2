// Package report builds delivery status reports (radar.StatusReport) from
// an analysis, the synced snapshot, the findings' history and what the
// last report saw, and writes them as Markdown or HTML. It is pure: it
// does no I/O but writing to the io.Writer it is given, and it must not
// depend on the store, the connector or alerts. Untrusted text is cleaned
// and escaped as analysis cleans it.
package report

import (
	"cmp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/radarhq/radar"
)

// Audiences a report is written for.
const (
	AudienceTeam = "team" // names issues, owners and notes
	AudienceExec = "exec" // short and decision-oriented
)

// Input is what a report is built from.
type Input struct {
	Now      time.Time
	Window   time.Duration // how far back "what changed" looks when there is no earlier report
	Project  string        // a project key, several joined by commas ("PAY,WEB"), or "" for all
	Audience string
	// Analysis is the latest analysis, its findings' Ack attached.
	Analysis radar.Report
	Snapshot radar.Snapshot
	// Changes are the findings' net changes since the window's start
	// (store.FindingChangesSince).
	Changes []radar.FindingChange
	// Previous is what the last report of this scope saw; nil when none.
	Previous *Baseline
}

// Since returns where the "what changed" window starts: the last report's
// time, else Now minus Window.
func (in Input) Since() time.Time {
	if in.Previous != nil && !in.Previous.At.IsZero() {
		return in.Previous.At
	}
	return in.Now.Add(-in.Window)
}

// Baseline is what one report saw, kept for the next one.
type Baseline struct {
	At         time.Time                  `json:"at"`
	Throughput float64                    `json:"throughput"` // issues done per week over the last 4 weeks
	Blockers   []string                   `json:"blockers"`   // open blocker finding ids
	Releases   map[string]ReleaseBaseline `json:"releases"`   // by "PROJECT/name"
}

// ReleaseBaseline is what one report saw of a release.
type ReleaseBaseline struct {
	Scope   []string              `json:"scope"` // issue keys, sorted
	Done    []string              `json:"done"`  // done issue keys, sorted
	P85     radar.Date            `json:"p85"`
	History []radar.DatedForecast `json:"history"` // the P85 at earlier reports, oldest first
}

// Limits on a report's lists.
const (
	topRisksTeam = 8
	topRisksExec = 3
	topBlockers  = 5
	keptHistory  = 8
	// throughputWeeks is the window of the throughput a report compares.
	throughputWeeks = 4
	// throughputMove is the relative throughput change that counts as a
	// reason for a forecast move.
	throughputMove = 0.2
	// untouchedVersionHiddenAfter leaves out of a report a version none of
	// whose issues was touched for this long: old sites keep many such
	// versions. It is about activity, not dates; do not merge it with
	// analysis's forecastAloneDaysPastDate (26 weeks past a release date:
	// the version is forecast on its own).
	untouchedVersionHiddenAfter = 90 * 24 * time.Hour
)

// Build returns the status report and the baseline to keep for the next.
func Build(in Input) (radar.StatusReport, Baseline) {
	if in.Audience == "" {
		in.Audience = AudienceTeam
	}
	st := radar.StatusReport{GeneratedAt: in.Now.UTC(), Since: in.Since().UTC(), LastReport: in.Previous != nil,
		Project: in.Project, Audience: in.Audience, TrackRecord: in.Analysis.TrackRecord, Replay: in.Analysis.Replay}
	base := Baseline{At: st.GeneratedAt, Releases: map[string]ReleaseBaseline{}}
	prev := in.Previous
	if prev == nil {
		prev = &Baseline{}
	}

	projects := map[string]bool{}
	for _, p := range strings.Split(in.Project, ",") {
		if p = strings.ToUpper(strings.TrimSpace(p)); p != "" {
			projects[p] = true
		}
	}
	inScope := func(project string) bool { return len(projects) == 0 || projects[strings.ToUpper(project)] }
	var open []radar.Finding
	for _, f := range in.Analysis.Findings {
		if inScope(f.Project) {
			open = append(open, f)
		}
	}
	base.Throughput = throughput(in.Snapshot, inScope, in.Now)
	for _, f := range open {
		if f.Kind == radar.KindBlocker {
			base.Blockers = append(base.Blockers, f.ID)
		}
	}
	sort.Strings(base.Blockers)

	// Releases: scope and progress from the snapshot, forecasts from the analysis.
	versions := map[string]radar.Version{}
	for _, v := range in.Snapshot.Versions {
		versions[v.ID] = v
	}
	scope := map[string][]*radar.Issue{}
	for i := range in.Snapshot.Issues {
		is := &in.Snapshot.Issues[i]
		if is.Subtask {
			continue
		}
		for _, id := range is.FixVersions {
			if v, ok := versions[id]; ok {
				scope[v.Project+"/"+v.Name] = append(scope[v.Project+"/"+v.Name], is)
			}
		}
	}
	for _, vf := range in.Analysis.Versions {
		if !inScope(vf.Project) {
			continue
		}
		key := vf.Project + "/" + vf.Name
		rs := radar.ReleaseStatus{Project: vf.Project, Name: vf.Name, ReleaseDate: vf.ReleaseDate, P50: vf.P50, P85: vf.P85,
			OnTimeProbability: vf.OnTimeProbability}
		rb := ReleaseBaseline{P85: vf.P85}
		var touched time.Time
		for _, is := range scope[key] {
			rs.Total++
			rb.Scope = append(rb.Scope, is.Key)
			if is.Done() {
				rs.Done++
				rb.Done = append(rb.Done, is.Key)
			}
			if is.Updated.After(touched) {
				touched = is.Updated
			}
		}
		switch {
		case rs.Total > 0 && rs.Done == rs.Total:
			st.DoneNotReleased++
			continue
		case in.Now.Sub(touched) > untouchedVersionHiddenAfter:
			st.Dormant++
			continue
		}
		sort.Strings(rb.Scope)
		sort.Strings(rb.Done)
		p, had := prev.Releases[key]
		rb.History = append(append([]radar.DatedForecast(nil), p.History...), radar.DatedForecast{At: st.GeneratedAt, P85: vf.P85})
		if len(rb.History) > keptHistory {
			rb.History = rb.History[len(rb.History)-keptHistory:]
		}
		rs.History = rb.History
		if had {
			rs.PrevP85 = p.P85
			rs.MovedDays = daysBetween(p.P85, vf.P85)
			rs.Added, rs.Removed = diff(rb.Scope, p.Scope), diff(p.Scope, rb.Scope)
			rs.Reasons = reasons(rs, p, prev, base, open, scope[key])
		}
		base.Releases[key] = rb
		st.Releases = append(st.Releases, rs)
	}
	slices.SortFunc(st.Releases, func(a, b radar.ReleaseStatus) int {
		undated := func(r radar.ReleaseStatus) int {
			if r.ReleaseDate.IsZero() {
				return 1
			}
			return 0
		}
		return cmp.Or(cmp.Compare(undated(a), undated(b)), a.ReleaseDate.Compare(b.ReleaseDate),
			cmp.Compare(a.Project, b.Project), cmp.Compare(a.Name, b.Name))
	})

	// Risks, blockers, owners.
	risks := append([]radar.Finding(nil), open...)
	// Most severe first; within a severity, the kinds that hold up delivery
	// (blockers, cycles, overdue work, releases at risk) before stale work,
	// which on old sites is mostly abandoned.
	slices.SortStableFunc(risks, func(a, b radar.Finding) int {
		return cmp.Or(cmp.Compare(b.Severity.Rank(), a.Severity.Rank()), cmp.Compare(a.Kind.Order(), b.Kind.Order()),
			cmp.Compare(b.BlastRadius(), a.BlastRadius()), cmp.Compare(a.ID, b.ID))
	})
	n := topRisksTeam
	if in.Audience == AudienceExec {
		n = topRisksExec
	}
	for _, f := range risks {
		if f.Ack != nil && f.Ack.State == radar.AckDismissed {
			continue // not a risk, said its owner
		}
		if f.Severity.Rank() >= radar.SeverityWarning.Rank() && (f.Ack == nil || !f.Ack.Owned()) {
			st.Unowned++
		}
		if len(st.Risks) < n && f.Severity.Rank() >= radar.SeverityWarning.Rank() {
			st.Risks = append(st.Risks, f)
		}
		if f.Ack != nil && f.Ack.Note != "" {
			st.NextSteps = append(st.NextSteps, radar.NextStep{Finding: f, Owner: f.Ack.By, Note: f.Ack.Note})
		}
	}
	// The blockers holding up the most work, chosen and shown by how many
	// issues wait on them; one its owner called not a risk is left out.
	for _, f := range risks {
		if f.Kind == radar.KindBlocker && (f.Ack == nil || f.Ack.State != radar.AckDismissed) {
			st.Blockers = append(st.Blockers, f)
		}
	}
	slices.SortStableFunc(st.Blockers, func(a, b radar.Finding) int { return cmp.Compare(b.BlastRadius(), a.BlastRadius()) })
	st.Blockers = st.Blockers[:min(len(st.Blockers), topBlockers)]

	// What changed in the window.
	for _, c := range in.Changes {
		if !inScope(c.Finding.Project) || c.Finding.Severity.Rank() < radar.SeverityWarning.Rank() {
			continue
		}
		switch c.Transition {
		case radar.TransitionNew, radar.TransitionReopened:
			st.New = append(st.New, c.Finding)
		case radar.TransitionEscalated:
			st.Escalated = append(st.Escalated, c.Finding)
		case radar.TransitionResolved:
			st.Resolved = append(st.Resolved, c.Finding)
		}
	}
	return st, base
}

// reasons says why a release's forecast moved since the last report.
func reasons(rs radar.ReleaseStatus, p ReleaseBaseline, prev *Baseline, now Baseline, open []radar.Finding, scope []*radar.Issue) []radar.ForecastReason {
	var out []radar.ForecastReason
	if len(rs.Added) > 0 {
		out = append(out, radar.ForecastReason{Kind: radar.ReasonScopeAdded, Detail: plural(len(rs.Added), "issue") + " added to the release", Issues: rs.Added})
	}
	if len(rs.Removed) > 0 {
		out = append(out, radar.ForecastReason{Kind: radar.ReasonScopeRemoved, Detail: plural(len(rs.Removed), "issue") + " taken out of the release", Issues: rs.Removed})
	}
	keys, done := map[string]bool{}, map[string]bool{} // the release's issues now, and the done ones
	for _, is := range scope {
		keys[is.Key] = true
		done[is.Key] = is.Done()
	}
	var reopened []string
	for _, k := range p.Done { // done at the last report (a subset of its scope)
		if keys[k] && !done[k] {
			reopened = append(reopened, k)
		}
	}
	if len(reopened) > 0 {
		out = append(out, radar.ForecastReason{Kind: radar.ReasonReopened, Detail: plural(len(reopened), "done issue") + " reopened", Issues: reopened})
	}
	if prev.Throughput > 0 {
		if ch := (now.Throughput - prev.Throughput) / prev.Throughput; ch <= -throughputMove || ch >= throughputMove {
			dir := "fell"
			if ch > 0 {
				dir = "rose"
			}
			out = append(out, radar.ForecastReason{Kind: radar.ReasonThroughput,
				Detail: "throughput " + dir + " from " + perWeek(prev.Throughput) + " to " + perWeek(now.Throughput) + " issues a week"})
		}
	}
	var opened, aged []string
	for _, f := range open {
		if f.Kind != radar.KindBlocker || !touches(f, keys) {
			continue
		}
		if slices.Contains(prev.Blockers, f.ID) {
			aged = append(aged, f.Issue)
		} else {
			opened = append(opened, f.Issue)
		}
	}
	if len(opened) > 0 {
		out = append(out, radar.ForecastReason{Kind: radar.ReasonBlockerOpened, Detail: plural(len(opened), "new blocker") + " in its way", Issues: opened})
	}
	if len(aged) > 0 && rs.MovedDays > 0 {
		out = append(out, radar.ForecastReason{Kind: radar.ReasonBlockerAged, Detail: plural(len(aged), "blocker") + " still open since the last report", Issues: aged})
	}
	if len(out) == 0 && rs.MovedDays != 0 {
		out = append(out, radar.ForecastReason{Kind: radar.ReasonNoSingleCause, Detail: "no single cause: progress and forecast noise"})
	}
	return out
}

// touches reports whether a blocker finding is about, or holds up, one of keys.
func touches(f radar.Finding, keys map[string]bool) bool {
	if keys[f.Issue] {
		return true
	}
	if b, ok := f.Evidence.(radar.BlockerFacts); ok {
		for _, k := range b.DirectDependents {
			if keys[k] {
				return true
			}
		}
	}
	return false
}

// throughput is the median of the weekly counts of issues (not
// sub-tasks) of the projects in scope resolved in the throughputWeeks before now: a
// median, as real sites close hundreds of old tickets on a cleanup day,
// which would make a mean swing wildly.
func throughput(s radar.Snapshot, inScope func(project string) bool, now time.Time) float64 {
	week := 7 * 24 * time.Hour
	counts := make([]float64, throughputWeeks)
	for _, is := range s.Issues {
		if is.Subtask || !is.Done() || !inScope(is.Project) || is.Resolved.After(now) {
			continue
		}
		if w := int(now.Sub(is.Resolved) / week); w >= 0 && w < throughputWeeks {
			counts[w]++
		}
	}
	slices.Sort(counts)
	return (counts[throughputWeeks/2-1] + counts[throughputWeeks/2]) / 2
}

// diff returns the keys of a not in b; both sorted.
func diff(a, b []string) []string {
	var out []string
	for _, k := range a {
		if _, found := slices.BinarySearch(b, k); !found {
			out = append(out, k)
		}
	}
	return out
}

// daysBetween is the days from date a to date b, 0 when either is unknown.
func daysBetween(a, b radar.Date) int {
	if a.IsZero() || b.IsZero() {
		return 0
	}
	return int(b.Time().Sub(a.Time()).Hours() / 24)
}
