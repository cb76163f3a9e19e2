package metrics

import (
	"encoding/json"
	"math"
	"strconv"
	"time"

	"github.com/radarhq/radar"
)

// Evidence keys FromReport reads from blocker findings.
const (
	evidenceBlastRadius      = "blast_radius"
	evidenceDirectDependents = "direct_dependents"
)

// FromReport derives the analysis snapshot from an analysis report and the
// synced issues it was computed from.
//
//   - Known projects are those of the issues, plus any project a finding or
//     version forecast names; each gets a full set of zero series.
//   - Issues are counted by project and status category.
//   - Findings are counted by project, kind and severity.
//   - Blocked issues are the distinct issue keys that are the subject of a
//     blocked_in_progress finding or listed in the "direct_dependents"
//     evidence of a blocker finding. Each is counted once, in its own
//     project when the issues list knows it, else in the finding's project.
//   - The largest blast radius is the maximum "blast_radius" evidence of the
//     project's blocker findings (an int, a float64 or a json.Number, as
//     JSON decoding leaves it).
//   - When r.Projects carries the analysis's own counts for a project, they
//     replace the derived issue counts, blocked issues and largest blast
//     radius of that project: the analysis sees the whole dependency graph
//     (its Blocked counts open issues with at least one open blocker). The
//     derivation above is the fallback for reports without them.
//   - Versions come from r.Versions, which holds unreleased versions only.
//     Dates that are empty or not "2006-01-02" are left zero (not exported).
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

	projectOf := make(map[string]string, len(issues))
	for _, is := range issues {
		if is.Project == "" {
			continue
		}
		project(is.Project).Issues[is.StatusCategory]++
		projectOf[is.Key] = is.Project
	}

	blocked := map[string]string{} // issue key → project it is counted in
	markBlocked := func(key, findingProject string) {
		if key == "" {
			return
		}
		if _, seen := blocked[key]; seen {
			return
		}
		p, ok := projectOf[key]
		if !ok {
			p = findingProject
		}
		blocked[key] = p
	}
	for _, f := range r.Findings {
		if f.Project == "" {
			continue
		}
		p := project(f.Project)
		p.Findings[FindingClass{Kind: f.Kind, Severity: f.Severity}]++
		switch f.Kind {
		case radar.KindBlockedInProgress:
			markBlocked(f.Issue, f.Project)
		case radar.KindBlocker:
			if n, ok := evidenceInt(f.Evidence[evidenceBlastRadius]); ok && n > p.MaxBlastRadius {
				p.MaxBlastRadius = n
			}
			for _, key := range evidenceStrings(f.Evidence[evidenceDirectDependents]) {
				markBlocked(key, f.Project)
			}
		}
	}
	for _, p := range blocked {
		if p != "" {
			project(p).BlockedIssues++
		}
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
			Due:                   parseDate(v.ReleaseDate),
			P50:                   parseDate(v.P50),
			P85:                   parseDate(v.P85),
			P95:                   parseDate(v.P95),
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

// evidenceInt reads a count from finding evidence, which holds Go ints when
// built in process and float64 or json.Number after a JSON round trip.
func evidenceInt(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case int64:
		return int(n), true
	case int32:
		return int(n), true
	case uint:
		return int(n), true
	case float64:
		if math.IsNaN(n) || math.IsInf(n, 0) {
			return 0, false
		}
		return int(math.Round(n)), true
	case float32:
		return evidenceInt(float64(n))
	case json.Number:
		if i, err := n.Int64(); err == nil {
			return int(i), true
		}
		if f, err := n.Float64(); err == nil {
			return evidenceInt(f)
		}
	case string:
		if i, err := strconv.Atoi(n); err == nil {
			return i, true
		}
	}
	return 0, false
}

// evidenceStrings reads a list of issue keys from finding evidence: a
// []string in process, a []any of strings after a JSON round trip.
func evidenceStrings(v any) []string {
	switch l := v.(type) {
	case []string:
		return l
	case []any:
		out := make([]string, 0, len(l))
		for _, e := range l {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// parseDate reads a "2006-01-02" date as midnight UTC; zero when empty or bad.
func parseDate(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}
	}
	return t
}
