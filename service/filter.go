package service

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/radarhq/radar"
)

// Filter narrows a report to what a reader asked for. The zero Filter keeps
// everything. The HTTP API builds one from ?project=, ?kind= and
// ?severity=, radar analyze from --project, --kind, --min-severity and
// --limit, so both mean the same.
type Filter struct {
	Projects    []string       // project keys, any case; empty keeps every project
	Kinds       []string       // finding kinds; empty keeps every kind
	MinSeverity radar.Severity // findings at least this severe; empty keeps all
	Limit       int            // at most this many findings (the first, most urgent); 0 keeps all
}

// SplitList reads a list given as repeated values, comma-separated values or
// both ("PAY,WEB", "PAY" "WEB"): it trims spaces and drops empty items.
func SplitList(values []string) []string {
	var out []string
	for _, v := range values {
		for _, item := range strings.Split(v, ",") {
			if item = strings.TrimSpace(item); item != "" {
				out = append(out, item)
			}
		}
	}
	return out
}

// NewFilter checks and builds a filter. severities may hold several values:
// the least severe is the minimum. name says what a bad value of field is
// called where the user set it (`--kind "blockr"`, or just `?kind=` where
// the value should not be echoed).
func NewFilter(projects, kinds, severities []string, limit int, name func(field, value string) string) (Filter, error) {
	f := Filter{Projects: SplitList(projects), Kinds: SplitList(kinds), Limit: limit}
	for _, k := range f.Kinds {
		if !slices.Contains(radar.Kinds, radar.Kind(k)) {
			return Filter{}, fmt.Errorf("%s: not a finding kind; use one or more of %s", name("kind", k), strings.Join(radar.KindNames(), ", "))
		}
	}
	for _, s := range SplitList(severities) {
		sev := radar.Severity(strings.ToLower(s))
		if sev.Rank() == 0 {
			return Filter{}, fmt.Errorf("%s: not a severity; use info, warning or critical", name("severity", s))
		}
		if f.MinSeverity == "" || sev.Rank() < f.MinSeverity.Rank() {
			f.MinSeverity = sev
		}
	}
	if limit < 0 {
		return Filter{}, fmt.Errorf("%s: use a positive number, or 0 for no limit", name("limit", fmt.Sprint(limit)))
	}
	return f, nil
}

// FilterFromQuery builds a filter from an API query string: project, kind
// and severity, each repeated or comma-separated. Its errors do not echo
// the value (it might be anything a client sent).
func FilterFromQuery(q url.Values) (Filter, error) {
	return NewFilter(q["project"], q["kind"], q["severity"], 0, func(field, _ string) string { return "?" + field + "=" })
}

func (f Filter) project(p string) bool {
	if len(f.Projects) == 0 {
		return true
	}
	for _, want := range f.Projects {
		if strings.EqualFold(want, p) {
			return true
		}
	}
	return false
}

func (f Filter) finding(x radar.Finding) bool {
	return f.project(x.Project) && (len(f.Kinds) == 0 || slices.Contains(f.Kinds, string(x.Kind))) &&
		(f.MinSeverity == "" || x.Severity.Rank() >= f.MinSeverity.Rank())
}

// Apply returns r narrowed to the filter: findings by project, kind and
// severity (then cut to the limit), and versions, epics, projects and risks
// by project. r itself is not changed.
func (f Filter) Apply(r radar.Report) radar.Report {
	if len(f.Projects) == 0 && len(f.Kinds) == 0 && f.MinSeverity == "" && f.Limit == 0 {
		return r
	}
	r.Findings = keep(r.Findings, f.finding)
	if f.Limit > 0 && len(r.Findings) > f.Limit {
		r.Findings = r.Findings[:f.Limit]
	}
	r.Versions = keep(r.Versions, func(v radar.VersionForecast) bool { return f.project(v.Project) })
	r.Epics = keep(r.Epics, func(e radar.EpicForecast) bool { return f.project(e.Project) })
	r.Projects = keep(r.Projects, func(p radar.ProjectStats) bool { return f.project(p.Project) })
	r.Risks = keep(r.Risks, func(s radar.RiskScore) bool { return f.project(s.Project) })
	return r
}

// keep returns the items of xs ok keeps, in a new slice (never nil, so the
// JSON shows [] rather than null).
func keep[T any](xs []T, ok func(T) bool) []T {
	out := make([]T, 0, len(xs))
	for _, x := range xs {
		if ok(x) {
			out = append(out, x)
		}
	}
	return out
}
