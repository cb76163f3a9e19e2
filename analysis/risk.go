package analysis

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/radarhq/radar"
)

// Weights of a finding's severity in an issue's risk score.
var severityWeight = map[radar.Severity]int{
	radar.SeverityCritical: 35,
	radar.SeverityWarning:  15,
	radar.SeverityInfo:     5,
}

// scoreRisks scores every open issue, version and project 0–100 (done
// issues carry no risk, so they lift no project's):
//   - an issue: the severity weights of the findings about it (critical 35,
//     warning 15, info 5) plus twice its blast radius (at most 30). A
//     dependency cycle is about every member, so it lifts each open member
//     once; it stands for the members holding each other up, so a member's
//     blast radius counts only the open issues it holds up outside its cycle;
//   - a version: 100 × the probability of missing its release date, plus 10
//     per critical and 5 per warning finding on its open issues (a finding
//     counts once per version, however many of its issues are in it);
//   - a project: the larger of its riskiest version and the mean of its five
//     riskiest issues.
//
// Only non-zero scores are listed. It also fills the per-project stats.
func (m *model) scoreRisks() ([]radar.RiskScore, []radar.ProjectStats) {
	issueScore := map[int32]int{}
	issueSignals := map[int32][]string{}
	versionCrit, versionWarn := map[string]int{}, map[string]int{}
	inVersion := map[string]bool{}
	for _, f := range m.findings {
		if !scoresIssue(f) {
			continue
		}
		clear(inVersion)
		for _, i := range m.scoredIssues(f) {
			issueScore[i] += severityWeight[f.Severity]
			issueSignals[i] = append(issueSignals[i], string(f.Kind)+"("+string(f.Severity)+")")
			for _, id := range m.iss[i].FixVersions {
				inVersion[id] = true
			}
		}
		for id := range inVersion {
			switch f.Severity {
			case radar.SeverityCritical:
				versionCrit[id]++
			case radar.SeverityWarning:
				versionWarn[id]++
			}
		}
	}
	for i, b := range m.blast {
		if b <= 0 {
			continue
		}
		sig := "blast_radius"
		if m.inCycle(int32(i)) {
			// The cycle's weight already stands for its other members.
			b -= int32(len(m.members.neighbours(m.comp[i])) - 1)
			sig = "blast_radius_outside_cycle"
		}
		if b > 0 {
			issueScore[int32(i)] += min(30, 2*int(b))
			issueSignals[int32(i)] = append(issueSignals[int32(i)], fmt.Sprintf("%s=%d", sig, b))
		}
	}
	var risks []radar.RiskScore
	perProject := map[string][]int{}
	for i, s := range issueScore {
		s = min(100, s)
		issueScore[i] = s
		is := m.iss[i]
		sig := issueSignals[i]
		slices.Sort(sig)
		risks = append(risks, radar.RiskScore{Kind: radar.RiskIssue, Subject: is.Key, Project: is.Project, Score: s, Signals: sig})
		perProject[is.Project] = append(perProject[is.Project], s)
	}

	bestVersion := map[string]radar.RiskScore{}
	for _, v := range m.sortedVersions() {
		vr, ok := m.versionRisk[v.ID]
		if !ok {
			continue
		}
		score := 0
		var sig []string
		if vr.hasDate {
			score = int(100*(1-vr.probability) + 0.5)
			sig = append(sig, fmt.Sprintf("on_time_probability=%.3g", vr.probability))
		}
		crit, warn := versionCrit[v.ID], versionWarn[v.ID]
		if crit > 0 {
			sig = append(sig, fmt.Sprintf("critical_findings=%d", crit))
		}
		if warn > 0 {
			sig = append(sig, fmt.Sprintf("warning_findings=%d", warn))
		}
		score = min(100, score+10*crit+5*warn)
		if score == 0 {
			continue
		}
		r := radar.RiskScore{Kind: radar.RiskVersion, Subject: v.Name, Project: v.Project, Score: score, Signals: sig}
		risks = append(risks, r)
		if b, ok := bestVersion[v.Project]; !ok || score > b.Score {
			bestVersion[v.Project] = r
		}
	}

	stats := map[string]*radar.ProjectStats{}
	for i, is := range m.iss {
		ps := stats[is.Project]
		if ps == nil {
			ps = &radar.ProjectStats{Project: is.Project}
			stats[is.Project] = ps
		}
		switch is.StatusCategory {
		case radar.CategoryDone:
			ps.Done++
		case radar.CategoryInProgress:
			ps.InProgress++
		default:
			ps.New++
		}
		if m.open[i] && len(m.depUp.neighbours(int32(i))) > 0 {
			ps.Blocked++
		}
		if b := m.blast[i]; b >= 0 {
			ps.Blockers++
			ps.BlastRadiusMax = max(ps.BlastRadiusMax, int(b))
		}
	}
	projects := make([]radar.ProjectStats, 0, len(stats))
	for p, ps := range stats {
		scores := perProject[p]
		slices.SortFunc(scores, func(a, b int) int { return cmp.Compare(b, a) })
		top := scores[:min(5, len(scores))]
		mean := 0
		for _, s := range top {
			mean += s
		}
		if len(top) > 0 {
			mean = (mean + len(top)/2) / len(top)
		}
		var sig []string
		score := mean
		if mean > 0 {
			sig = append(sig, fmt.Sprintf("top_issue_mean=%d", mean))
		}
		if bv, ok := bestVersion[p]; ok {
			sig = append(sig, fmt.Sprintf("version %s=%d", bv.Subject, bv.Score))
			score = max(score, bv.Score)
		}
		ps.Risk = score
		projects = append(projects, *ps)
		if score > 0 {
			risks = append(risks, radar.RiskScore{Kind: radar.RiskProject, Subject: p, Project: p, Score: score, Signals: sig})
		}
	}
	slices.SortFunc(projects, func(a, b radar.ProjectStats) int { return strings.Compare(a.Project, b.Project) })
	slices.SortFunc(risks, func(a, b radar.RiskScore) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		if c := strings.Compare(a.Kind, b.Kind); c != 0 {
			return c
		}
		if c := strings.Compare(a.Project, b.Project); c != 0 {
			return c
		}
		return radar.CompareKeys(a.Subject, b.Subject)
	})
	if risks == nil {
		risks = []radar.RiskScore{}
	}
	return risks, projects
}

// scoresIssue reports whether finding f is a signal of the issues it is
// about: a finding about one issue (it carries the issue's facts), or a
// dependency cycle, which is about all its members. Findings about
// versions, sprints, people and projects are not, even when a version's
// name looks like an issue key.
func scoresIssue(f radar.Finding) bool {
	if _, ok := f.IssueFacts(); ok {
		return true
	}
	_, cycle := f.Evidence.(radar.DependencyCycleFacts)
	return cycle
}

// scoredIssues returns the open issues whose risk finding f lifts: every
// member of a dependency cycle (each once, though the finding names only
// the first), else the issue it names.
func (m *model) scoredIssues(f radar.Finding) []int32 {
	keys := []string{f.Issue}
	if c, ok := f.Evidence.(radar.DependencyCycleFacts); ok {
		keys = c.Members
	}
	var out []int32
	for _, k := range keys {
		if i, ok := m.idx[k]; ok && m.open[i] && !slices.Contains(out, i) {
			out = append(out, i)
		}
	}
	return out
}
