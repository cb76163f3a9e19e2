package radar

import "slices"

// Kind names what a finding is about. The names are a contract: they appear
// in JSON, metrics and Slack routing configuration.
type Kind string

// Finding kinds. Each has its facts type in evidence.go.
const (
	KindBlocker            Kind = "blocker"
	KindBlockedInProgress  Kind = "blocked_in_progress"
	KindDependencyCycle    Kind = "dependency_cycle"
	KindOverdue            Kind = "overdue"
	KindDueDateSlipped     Kind = "due_date_slipped"
	KindSprintCarryover    Kind = "sprint_carryover"
	KindOffTrackDependency Kind = "off_track_dependency"
	KindReleaseAtRisk      Kind = "release_at_risk"
	KindReleaseOverdue     Kind = "release_overdue"
	KindStale              Kind = "stale"
	KindAbandonedWork      Kind = "abandoned_work"
	KindFlagged            Kind = "flagged"
	KindReopened           Kind = "reopened"
	KindScopeCreep         Kind = "scope_creep"
	KindOverloadedAssignee Kind = "overloaded_assignee"
	KindEffortOverrun      Kind = "effort_overrun"
)

// Kinds lists every finding kind in a stable order.
var Kinds = []Kind{
	KindBlocker, KindBlockedInProgress, KindDependencyCycle, KindOverdue,
	KindDueDateSlipped, KindSprintCarryover, KindOffTrackDependency,
	KindReleaseAtRisk, KindReleaseOverdue, KindStale, KindFlagged, KindReopened, KindScopeCreep,
	KindOverloadedAssignee, KindEffortOverrun, KindAbandonedWork,
}

// Order is the kind's place in Kinds, for sorting; unknown kinds sort last.
func (k Kind) Order() int {
	if i := slices.Index(Kinds, k); i >= 0 {
		return i
	}
	return len(Kinds)
}

// KindNames returns the kinds as text, in the order of Kinds, for messages
// and configuration.
func KindNames() []string {
	out := make([]string, len(Kinds))
	for i, k := range Kinds {
		out[i] = string(k)
	}
	return out
}

// Label is the kind in words for people, e.g. "Blocked work in progress";
// an unknown kind is its name.
func (k Kind) Label() string {
	switch k {
	case KindBlocker:
		return "Blocker"
	case KindBlockedInProgress:
		return "Blocked work in progress"
	case KindDependencyCycle:
		return "Dependency cycle"
	case KindOverdue:
		return "Overdue"
	case KindDueDateSlipped:
		return "Due date slipped"
	case KindSprintCarryover:
		return "Sprint carry-over"
	case KindOffTrackDependency:
		return "Off-track dependency"
	case KindReleaseAtRisk:
		return "Release at risk"
	case KindReleaseOverdue:
		return "Release overdue"
	case KindStale:
		return "Stale"
	case KindAbandonedWork:
		return "Abandoned work"
	case KindFlagged:
		return "Flagged"
	case KindReopened:
		return "Reopened"
	case KindScopeCreep:
		return "Scope creep"
	case KindOverloadedAssignee:
		return "Overloaded assignee"
	case KindEffortOverrun:
		return "Effort overrun"
	}
	return string(k)
}
