package metrics

import (
	"github.com/radarhq/radar"
)

// FromReport derives the analysis snapshot from an analysis report and the
// synced issues it was computed from.
//
//   - Known projects are those of the issues, plus any project a finding or
//     version forecast names; each gets a full set of zero series.
//   - Issues are counted by project and status category.
//   - Findings are counted by project, kind and severity.
//   - Blocked issues and the largest blast radius are the analysis's own
//     counts in r.Projects (it sees the whole dependency graph); when
//     r.Projects carries a project, its issue counts replace those of the
//     issues list too.
//   - Versions come from r.Versions, which holds unreleased versions only.
//     Unknown dates are left zero (not exported).
func FromReport(r radar.Report, issues []radar.Issue) AnalysisSnapshot {
	projects := map[string]*ProjectStats{}
	var order []string
	project := func(key string) *ProjectStats {
		p, ok := projects[key]
		if !ok {
			p = &ProjectStats{Project: key, Issues: map[radar.StatusCategory]int{}, Findings: map[FindingClass]int{}}
			projects[key] = p
			order = append(order, key)
		}
		return p
	}

	for _, is := range issues {
		if is.Project == "" {
			continue
		}
		project(is.Project).Issues[is.StatusCategory]++
	}

	for _, f := range r.Findings {
		if f.Project == "" {
			continue
		}
		project(f.Project).Findings[FindingClass{Kind: f.Kind, Severity: f.Severity}]++
	}

	for _, ps := range r.Projects {
		if ps.Project == "" {
			continue
		}
		p := project(ps.Project)
		p.Issues = map[radar.StatusCategory]int{
			radar.CategoryNew:        ps.New,
			radar.CategoryInProgress: ps.InProgress,
			radar.CategoryDone:       ps.Done,
		}
		p.BlockedIssues = ps.Blocked
		p.MaxBlastRadius = ps.BlastRadiusMax
	}

	var s AnalysisSnapshot
	for _, v := range r.Versions {
		if v.Project == "" || v.Name == "" {
			continue
		}
		project(v.Project)
		s.Versions = append(s.Versions, VersionStats{
			Project:               v.Project,
			Name:                  v.Name,
			Due:                   v.ReleaseDate.Time(),
			P50:                   v.P50.Time(),
			P85:                   v.P85.Time(),
			P95:                   v.P95.Time(),
			OnTimeRatio:           v.OnTimeProbability,
			CriticalPathRemaining: v.CriticalPathRemaining,
			Trials:                v.Trials,
			Mean:                  v.MeanFinish,
		})
	}
	for _, key := range order {
		s.Projects = append(s.Projects, *projects[key])
	}
	return s
}
