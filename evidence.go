package radar

import "encoding/json"

// Evidence is the facts a finding carries, one type per kind (a blocker's
// BlockerFacts, a release's ReleaseAtRiskFacts, …). In JSON, evidence is an
// object with the facts' snake_case names as keys in sorted order; that
// form is a contract shared by `radar analyze --format json`, the HTTP API
// and the findings history in the store.
type Evidence interface {
	// Kind is the finding kind the facts belong to.
	Kind() Kind
}

// IssueFacts are the facts every finding about one issue carries.
type IssueFacts struct {
	Status        string `json:"status"`
	Summary       string `json:"summary"` // user text: escape before display
	Assignee      string `json:"assignee"`
	AssigneeEmail string `json:"assignee_email,omitempty"`
}

func (x IssueFacts) issueFacts() IssueFacts { return x }

// BlockerFacts: an open issue that open work waits on.
type BlockerFacts struct {
	IssueFacts
	DirectDependents      []string `json:"direct_dependents"`
	BlastRadius           int      `json:"blast_radius"` // open issues waiting on it, directly or downstream
	DownstreamPoints      float64  `json:"downstream_points"`
	EarliestDownstreamDue Date     `json:"earliest_downstream_due"`
	VersionsAffected      []string `json:"versions_affected"` // names of unreleased versions that wait
	DaysSinceUpdate       int      `json:"days_since_update"`
	HoursSinceUpdate      int      `json:"hours_since_update"`
	CrossProject          bool     `json:"cross_project"`
}

// BlockedInProgressFacts: work started while its blockers are open.
type BlockedInProgressFacts struct {
	IssueFacts
	Blockers           []string `json:"blockers"`
	BlockersNotStarted []string `json:"blockers_not_started"`
	ExternalBlockers   []string `json:"external_blockers,omitempty"` // blockers outside the synced scope
}

// DependencyCycleFacts: issues that wait on each other.
type DependencyCycleFacts struct {
	Members  []string `json:"members"`
	Size     int      `json:"size"`
	Projects []string `json:"projects"`
}

// OverdueFacts: an open issue past its due date.
type OverdueFacts struct {
	IssueFacts
	Due         Date  `json:"due"`
	DaysOverdue int64 `json:"days_overdue"`
	BlastRadius int   `json:"blast_radius"`
}

// DueDateSlippedFacts: an issue whose due date moved later.
type DueDateSlippedFacts struct {
	IssueFacts
	TimesMoved  int   `json:"times_moved"`
	TotalDays   int64 `json:"total_days"`
	OriginalDue Date  `json:"original_due"`
	Due         Date  `json:"due"` // zero when the date was removed
	LastMoved   Date  `json:"last_moved"`
}

// ReleaseSlippedFacts: a version whose release date moved later (kind
// due_date_slipped, told apart from an issue's by its version).
type ReleaseSlippedFacts struct {
	Version         string `json:"version"`
	TimesMoved      int    `json:"times_moved"`
	TotalDays       int64  `json:"total_days"`
	OriginalRelease Date   `json:"original_release"`
	ReleaseDate     Date   `json:"release_date"` // zero when the date was removed
}

// SprintCarryoverFacts: an open issue planned in several closed sprints.
type SprintCarryoverFacts struct {
	IssueFacts
	Sprints       []string `json:"sprints"`
	CarriedOver   int      `json:"carried_over"`
	CurrentSprint string   `json:"current_sprint"`
}

// OffTrackDependencyFacts: a blocker forecast to finish after the blocked
// issue's deadline. The issue facts are the blocked issue's.
type OffTrackDependencyFacts struct {
	IssueFacts
	Blocker             string `json:"blocker"`
	Blocked             string `json:"blocked"`
	BlockerFinish       Date   `json:"blocker_finish"`
	BlockerFinishSource string `json:"blocker_finish_source"` // "due" or "forecast"
	BlockedDeadline     Date   `json:"blocked_deadline"`
	DeadlineSource      string `json:"deadline_source"` // "due", "sprint" or "release"
	DaysLate            int64  `json:"days_late"`
	BlockerAssignee     string `json:"blocker_assignee"`
}

// ReleaseAtRiskFacts: a version whose forecast misses its release date.
type ReleaseAtRiskFacts struct {
	ReleaseDate       Date     `json:"release_date"`
	P50               Date     `json:"p50"`
	P85               Date     `json:"p85"`
	P95               Date     `json:"p95"`
	OnTimeProbability float64  `json:"on_time_probability"`
	RemainingItems    int      `json:"remaining_items"`
	RemainingPoints   float64  `json:"remaining_points"`
	CriticalPath      []string `json:"critical_path"`
	CriticalPathDays  float64  `json:"critical_path_days"`
	ThroughputPerWeek float64  `json:"throughput_per_week"`
	ThroughputWeeks   int      `json:"throughput_weeks"`
	Trials            int      `json:"trials"`
	ForecastNote      string   `json:"forecast_note,omitempty"`
	TrackRecord       string   `json:"track_record,omitempty"`
}

// ReleaseOverdueFacts: an unreleased version past its release date.
type ReleaseOverdueFacts struct {
	ReleaseDate      Date     `json:"release_date"`
	DaysLate         int64    `json:"days_late"`
	OpenIssues       int      `json:"open_issues"`
	RemainingItems   int      `json:"remaining_items"`
	RemainingPoints  float64  `json:"remaining_points"`
	P50              Date     `json:"p50"`
	P85              Date     `json:"p85"`
	P95              Date     `json:"p95"`
	LateDependencies []string `json:"late_dependencies"` // "PAY-2 waits on PAY-1"
	CriticalPath     []string `json:"critical_path"`
	ForecastNote     string   `json:"forecast_note,omitempty"`
	TrackRecord      string   `json:"track_record,omitempty"`
}

// StaleFacts: work in progress untouched, or older than most of its type.
// The optional facts are nil (absent in JSON) when unknown.
type StaleFacts struct {
	IssueFacts
	DaysSinceUpdate  int      `json:"days_since_update"`
	HoursSinceUpdate int      `json:"hours_since_update"`
	AgeDays          *float64 `json:"age_days,omitempty"`       // days in progress
	P85CycleDays     *float64 `json:"p85_cycle_days,omitempty"` // 85th percentile of the type's cycle time
	Percentile       int      `json:"percentile,omitempty"`     // 85 when P85CycleDays is set
	Reasons          []string `json:"reasons"`                  // "untouched", "aging"
	StaleAfterHours  *int     `json:"stale_after_hours,omitempty"`
	BlastRadius      int      `json:"blast_radius,omitempty"`
}

// AbandonedWorkFacts: a project's in-progress issues nobody has touched for
// abandoned_after, most recently touched first.
type AbandonedWorkFacts struct {
	Count              int      `json:"count"`
	Issues             []string `json:"issues"`            // up to 100 of them
	DaysSinceUpdate    []int    `json:"days_since_update"` // of each of Issues
	AbandonedAfterDays int      `json:"abandoned_after_days"`
	MostRecentDays     int      `json:"most_recent_days"`
	OldestDays         int      `json:"oldest_days"`
	LiveInProgress     int      `json:"live_in_progress"`
	Listed             int      `json:"listed"` // how many the detail names
}

// FlaggedFacts: an issue flagged as impeded.
type FlaggedFacts struct {
	IssueFacts
	FlaggedSince Date `json:"flagged_since"` // zero when unknown
	DaysFlagged  int  `json:"days_flagged"`
}

// ReopenedFacts: an issue that went from done back to not done.
type ReopenedFacts struct {
	IssueFacts
	TimesReopened int  `json:"times_reopened"`
	LastReopened  Date `json:"last_reopened"`
}

// ScopeCreepFacts: a sprint or version that grew after it started. One of
// Sprint and Version is set.
type ScopeCreepFacts struct {
	Sprint      string   `json:"sprint,omitempty"`
	Version     string   `json:"version,omitempty"`
	Started     Date     `json:"started"`
	AddedItems  int      `json:"added_items"`
	AddedKeys   []string `json:"added_keys"`
	AddedPoints float64  `json:"added_points"`
	GrowthPct   float64  `json:"growth_pct"`
}

// OverloadedAssigneeFacts: a person with too much live work at once.
type OverloadedAssigneeFacts struct {
	Assignee          string   `json:"assignee"`
	AssigneeEmail     string   `json:"assignee_email,omitempty"`
	WIP               int      `json:"wip"`
	WIPLimit          int      `json:"wip_limit"`
	Held              int      `json:"held"` // blockers and critical-path items
	InProgress        []string `json:"in_progress"`
	Blockers          []string `json:"blockers"`
	CriticalPathItems []string `json:"critical_path_items"`
}

// EffortOverrunFacts: an issue that logged more time than estimated.
type EffortOverrunFacts struct {
	IssueFacts
	OriginalEstimateHours  float64 `json:"original_estimate_hours"`
	TimeSpentHours         float64 `json:"time_spent_hours"`
	RemainingEstimateHours float64 `json:"remaining_estimate_hours"`
	OverrunRatio           float64 `json:"overrun_ratio"`
}

// UnknownFacts keeps the evidence of a kind this version does not know
// (a row written by another version), unchanged.
type UnknownFacts struct {
	Of  Kind
	Raw json.RawMessage
}

// Kind methods tie each facts type to its kind.
func (BlockerFacts) Kind() Kind            { return KindBlocker }
func (BlockedInProgressFacts) Kind() Kind  { return KindBlockedInProgress }
func (DependencyCycleFacts) Kind() Kind    { return KindDependencyCycle }
func (OverdueFacts) Kind() Kind            { return KindOverdue }
func (DueDateSlippedFacts) Kind() Kind     { return KindDueDateSlipped }
func (ReleaseSlippedFacts) Kind() Kind     { return KindDueDateSlipped }
func (SprintCarryoverFacts) Kind() Kind    { return KindSprintCarryover }
func (OffTrackDependencyFacts) Kind() Kind { return KindOffTrackDependency }
func (ReleaseAtRiskFacts) Kind() Kind      { return KindReleaseAtRisk }
func (ReleaseOverdueFacts) Kind() Kind     { return KindReleaseOverdue }
func (StaleFacts) Kind() Kind              { return KindStale }
func (AbandonedWorkFacts) Kind() Kind      { return KindAbandonedWork }
func (FlaggedFacts) Kind() Kind            { return KindFlagged }
func (ReopenedFacts) Kind() Kind           { return KindReopened }
func (ScopeCreepFacts) Kind() Kind         { return KindScopeCreep }
func (OverloadedAssigneeFacts) Kind() Kind { return KindOverloadedAssignee }
func (EffortOverrunFacts) Kind() Kind      { return KindEffortOverrun }
func (u UnknownFacts) Kind() Kind          { return u.Of }
