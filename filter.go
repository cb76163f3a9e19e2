package radar

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// FindingFilter narrows a report to what a reader asked for: every front
// end (radar analyze's flags, /api/findings' query, the web UI's /findings
// page) builds one with ParseFindingFilter, so a filter means the same and
// is refused with the same words everywhere. The zero FindingFilter keeps
// everything.
type FindingFilter struct {
	Projects    []string // project keys, any case; empty keeps every project
	Kinds       []Kind   // finding kinds; empty keeps every kind
	MinSeverity Severity // findings at least this severe; empty keeps all
	States      []string // AckStates a finding is in; empty keeps every state
	Limit       int      // at most this many findings (the first, most urgent); 0 keeps all
}

// FilterInput is a findings filter as a reader gave it. Each list may hold
// repeated values, comma-separated values or both ("PAY,WEB", "PAY" "WEB").
type FilterInput struct {
	Projects, Kinds, Severities, States []string
	Limit                               int
}

// FilterQuery reads a filter's fields from a query string, as the API and
// the web UI's /findings take them: project, kind, severity and state,
// each repeated or comma-separated.
func FilterQuery(q url.Values) FilterInput {
	return FilterInput{Projects: q["project"], Kinds: q["kind"], Severities: q["severity"], States: q["state"]}
}

// FieldName says what a bad value of a filter field is called where the
// reader set it: the field is "project", "kind", "severity", "state" or
// "limit"; a front end answers e.g. `--kind "blockr"`, `kind "blockr"`, or
// just `?kind=` where the value should not be echoed.
type FieldName func(field, value string) string

// ParseFindingFilter checks and builds a filter. Severity may be given
// several times: the least severe is the minimum; severities and states are
// read in any case. An error names the first bad value by name and says
// what to write instead.
func ParseFindingFilter(in FilterInput, name FieldName) (FindingFilter, error) {
	f := FindingFilter{Projects: SplitList(in.Projects), Limit: in.Limit}
	for _, k := range SplitList(in.Kinds) {
		if !slices.Contains(Kinds, Kind(k)) {
			return FindingFilter{}, fmt.Errorf("%s: not a finding kind; use one or more of %s", name("kind", k), strings.Join(KindNames(), ", "))
		}
		f.Kinds = append(f.Kinds, Kind(k))
	}
	for _, s := range SplitList(in.Severities) {
		sev := Severity(strings.ToLower(s))
		if sev.Rank() == 0 {
			return FindingFilter{}, fmt.Errorf("%s: not a severity; use info, warning or critical", name("severity", s))
		}
		if f.MinSeverity == "" || sev.Rank() < f.MinSeverity.Rank() {
			f.MinSeverity = sev
		}
	}
	for _, s := range SplitList(in.States) {
		state := strings.ToLower(s)
		if !slices.Contains(AckStates, state) {
			return FindingFilter{}, fmt.Errorf("%s: not a finding state; use one or more of %s", name("state", s), strings.Join(AckStates, ", "))
		}
		f.States = append(f.States, state)
	}
	if in.Limit < 0 {
		return FindingFilter{}, fmt.Errorf("%s: use a positive number, or 0 for no limit", name("limit", fmt.Sprint(in.Limit)))
	}
	return f, nil
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

// IsZero reports whether the filter keeps everything.
func (f FindingFilter) IsZero() bool {
	return len(f.Projects) == 0 && len(f.Kinds) == 0 && f.MinSeverity == "" && len(f.States) == 0 && f.Limit == 0
}

// KeepsProject reports whether the filter keeps project p's part of a report.
func (f FindingFilter) KeepsProject(p string) bool {
	return len(f.Projects) == 0 || slices.ContainsFunc(f.Projects, func(want string) bool { return strings.EqualFold(want, p) })
}

// Keeps reports whether the filter keeps finding x, whose ack (nil for
// none) puts it in AckState(ack, now). The limit is Apply's to cut.
func (f FindingFilter) Keeps(x Finding, ack *Ack, now time.Time) bool {
	return f.KeepsProject(x.Project) && (len(f.Kinds) == 0 || slices.Contains(f.Kinds, x.Kind)) &&
		(f.MinSeverity == "" || x.Severity.Rank() >= f.MinSeverity.Rank()) &&
		(len(f.States) == 0 || slices.Contains(f.States, AckState(ack, now)))
}

// Apply returns r narrowed to the filter: findings by project, kind,
// severity and state (each finding's attached Ack at now; then cut to the
// limit), and versions, epics, projects and risks by project. r itself is
// not changed.
func (f FindingFilter) Apply(r Report, now time.Time) Report {
	if f.IsZero() {
		return r
	}
	r.Findings = keep(r.Findings, func(x Finding) bool { return f.Keeps(x, x.Ack, now) })
	if f.Limit > 0 && len(r.Findings) > f.Limit {
		r.Findings = r.Findings[:f.Limit]
	}
	r.Versions = keep(r.Versions, func(v VersionForecast) bool { return f.KeepsProject(v.Project) })
	r.Epics = keep(r.Epics, func(e EpicForecast) bool { return f.KeepsProject(e.Project) })
	r.Projects = keep(r.Projects, func(p ProjectStats) bool { return f.KeepsProject(p.Project) })
	r.Risks = keep(r.Risks, func(s RiskScore) bool { return f.KeepsProject(s.Project) })
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
