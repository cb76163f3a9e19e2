package radar

import (
	"fmt"
	"time"
)

// Severity ranks how urgently a finding needs attention.
type Severity string

// Severities, from least to most urgent.
const (
	SeverityInfo     Severity = "info"
	SeverityWarning  Severity = "warning"
	SeverityCritical Severity = "critical"
)

// Rank orders severities: info 1, warning 2, critical 3, unknown 0.
func (s Severity) Rank() int {
	switch s {
	case SeverityInfo:
		return 1
	case SeverityWarning:
		return 2
	case SeverityCritical:
		return 3
	}
	return 0
}

// Finding is one thing the analysis wants a person to know. ID is stable: the
// same subject gives the same id on every run. Issue names the subject: an
// issue key, or a version, sprint, assignee or project key for findings
// about those.
type Finding struct {
	ID       string   `json:"id"`
	Kind     Kind     `json:"kind"`
	Severity Severity `json:"severity"`
	Project  string   `json:"project"`
	Issue    string   `json:"issue"`
	Title    string   `json:"title"`
	Detail   string   `json:"detail"`
	Evidence Evidence `json:"evidence"` // the facts of Kind; nil when none
	// Ack is what a person said about the finding (the risk register's
	// owner and state); nil when nobody has. The analysis never sets it:
	// readers of the store attach it.
	Ack *Ack `json:"ack,omitempty"`
}

// IssueFacts returns the facts of the issue a finding is about; false for
// findings about versions, sprints, people or projects.
func (f Finding) IssueFacts() (IssueFacts, bool) {
	if x, ok := f.Evidence.(interface{ issueFacts() IssueFacts }); ok {
		return x.issueFacts(), true
	}
	return IssueFacts{}, false
}

// Summary is the summary of the issue a finding is about; "" when it is
// not about one issue.
func (f Finding) Summary() string {
	x, _ := f.IssueFacts()
	return x.Summary
}

// Assignee returns who the finding is for: the issue's assignee, or the
// overloaded person; empty when nobody.
func (f Finding) Assignee() (name, email string) {
	if o, ok := f.Evidence.(OverloadedAssigneeFacts); ok {
		return o.Assignee, o.AssigneeEmail
	}
	x, _ := f.IssueFacts()
	return x.Assignee, x.AssigneeEmail
}

// Version names the version a finding is about (a release slip, or scope
// creep of a version); "" otherwise.
func (f Finding) Version() string {
	switch e := f.Evidence.(type) {
	case ReleaseSlippedFacts:
		return e.Version
	case ScopeCreepFacts:
		return e.Version
	}
	return ""
}

// VersionForecast is the release forecast of one unreleased version.
// Dates are zero when unknown.
type VersionForecast struct {
	Project           string   `json:"project"`
	Name              string   `json:"name"`
	ReleaseDate       Date     `json:"release_date"`
	P50               Date     `json:"p50"`
	P85               Date     `json:"p85"`
	P95               Date     `json:"p95"`
	OnTimeProbability float64  `json:"on_time_probability"`
	CriticalPath      []string `json:"critical_path"`
	// OpenItems counts the version's open items (epics and sub-tasks are
	// not items).
	OpenItems int `json:"open_items"`
	// Note says why there is no forecast ("not enough history to
	// forecast: …", "all work done; not released yet"); empty otherwise.
	Note string `json:"note,omitempty"`
	// TrackRecord is how the forecasts did on this site's own history,
	// from the last backtest ("P85 held in 81% of 64 past cases").
	TrackRecord string `json:"track_record,omitempty"`
	// CriticalPathRemaining is the remaining work along the critical path.
	CriticalPathRemaining time.Duration `json:"-"`
	// Trials and MeanFinish describe the Monte Carlo distribution the
	// quantiles come from (zero when there is no forecast).
	Trials     int       `json:"-"`
	MeanFinish time.Time `json:"-"`
}

// Report is one analysis run's output; its JSON form is a contract shared by
// `radar analyze --format json` and the HTTP API.
type Report struct {
	GeneratedAt time.Time         `json:"generated_at"`
	Findings    []Finding         `json:"findings"`
	Versions    []VersionForecast `json:"versions"`
	// Epics are the critical paths of open epics.
	Epics []EpicForecast `json:"epics"`
	// Projects are per-project counts for metrics and dashboards.
	Projects []ProjectStats `json:"projects"`
	// Risks are the 0–100 risk scores of issues, versions and projects with
	// any risk, highest first.
	Risks []RiskScore `json:"risks"`
	// Replay says how the snapshot was rebuilt as of a past time (radar
	// analyze --now); nil for the present.
	Replay *Replay `json:"replay,omitempty"`
	// TrackRecord is the backtest summary the forecasts carry; nil when
	// none was run.
	TrackRecord *TrackRecord `json:"track_record,omitempty"`
}

// Replay describes an analysis of the past: the moment, and where the
// history was incomplete and the present stood in for it.
type Replay struct {
	AsOf  time.Time `json:"as_of"`
	Notes []string  `json:"notes"`
}

// TrackRecord summarises a backtest: how often the forecasts' dates held
// on the site's own history.
type TrackRecord struct {
	Cases       int     `json:"cases"`        // past cases with a forecast
	P50Coverage float64 `json:"p50_coverage"` // fraction finished by P50
	P85Coverage float64 `json:"p85_coverage"` // fraction finished by P85
	P95Coverage float64 `json:"p95_coverage"` // fraction finished by P95
}

// Text says the track record in words, e.g. "P85 held in 81% of 64 past
// cases"; with no case it says so.
func (t TrackRecord) Text() string {
	if t.Cases == 0 {
		return "no track record yet: no past release to check forecasts against"
	}
	c := "cases"
	if t.Cases == 1 {
		c = "case"
	}
	return fmt.Sprintf("P85 held in %d%% of %d past %s", int(t.P85Coverage*100+0.5), t.Cases, c)
}

// EpicForecast is the critical path of one open epic: the longest chain of
// remaining work (dependencies and children) that must finish before it.
type EpicForecast struct {
	Project       string   `json:"project"`
	Key           string   `json:"key"`
	RemainingDays float64  `json:"remaining_days"` // calendar days along the critical path
	Finish        Date     `json:"finish"`         // forecast finish
	CriticalPath  []string `json:"critical_path"`
}

// ProjectStats counts one project's issues for metrics.
type ProjectStats struct {
	Project        string `json:"project"`
	New            int    `json:"new"`         // issues in the new status category
	InProgress     int    `json:"in_progress"` // issues in the indeterminate category
	Done           int    `json:"done"`
	Blocked        int    `json:"blocked"`          // open issues with at least one open blocker
	Blockers       int    `json:"blockers"`         // open issues blocking at least one open issue
	BlastRadiusMax int    `json:"blast_radius_max"` // largest blast radius of the project's blockers
	Risk           int    `json:"risk"`             // the project's risk score, 0–100
}

// Risk score subjects.
const (
	RiskIssue   = "issue"
	RiskVersion = "version"
	RiskProject = "project"
)

// RiskScore is the 0–100 delivery risk of one issue, version or project,
// with the signals that contributed to it.
type RiskScore struct {
	Kind    string   `json:"kind"`    // issue | version | project
	Subject string   `json:"subject"` // issue key, version name or project key
	Project string   `json:"project"`
	Score   int      `json:"score"`
	Signals []string `json:"signals"`
}

// Transition says how a finding changed since the previous analysis run, as
// recorded in the findings history. Alerters act on transitions.
type Transition string

// Transitions of a finding between runs.
const (
	TransitionNew         Transition = "new"
	TransitionEscalated   Transition = "escalated"
	TransitionDeescalated Transition = "deescalated"
	TransitionUnchanged   Transition = "unchanged"
	TransitionResolved    Transition = "resolved"
	TransitionReopened    Transition = "reopened"
)

// FindingChange is a finding with its transition in the latest run. For a
// resolved finding, Finding holds its last known state.
type FindingChange struct {
	Finding      Finding
	Transition   Transition
	PrevSeverity Severity // severity before this run; empty for new findings
	FirstSeen    time.Time
	ResolvedAt   time.Time // set for resolved findings
}
