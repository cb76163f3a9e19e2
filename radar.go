// Package radar holds Radar's domain types: the issues, dependencies,
// changelogs, sprints and versions read from Jira, and the findings the
// analysis derives from them. It does no I/O; the connector, store, analysis
// and alerts packages all depend on it and on nothing of each other's.
package radar

import (
	"maps"
	"slices"
	"time"
)

// StatusCategory is Jira's stable status category key. Status names are
// localised and per workflow; only the category is safe to reason about.
type StatusCategory string

// The three status categories Jira knows.
const (
	CategoryNew        StatusCategory = "new"
	CategoryInProgress StatusCategory = "indeterminate"
	CategoryDone       StatusCategory = "done"
)

// Issue is one Jira issue as Radar keeps it. Times are UTC; a zero time means
// "not set". Due and StartDate are dates at 00:00 UTC.
type Issue struct {
	ID             string // Jira's numeric id, stable across moves
	Key            string // e.g. "PAY-12"; changes when the issue moves project
	Project        string // project key
	Type           string // issue type name, e.g. "Bug"
	Subtask        bool   // the issue type is a sub-task type
	Summary        string // user text: escape before display
	Status         string // localised status name
	StatusID       string
	StatusCategory StatusCategory
	Priority       string

	AssigneeID    string // accountId (Cloud) or user name (Data Center)
	AssigneeName  string // display name
	AssigneeEmail string // empty when not visible

	Created   time.Time
	Updated   time.Time
	Resolved  time.Time
	Due       time.Time
	StartDate time.Time

	StoryPoints       *float64
	OriginalEstimate  time.Duration // zero when not estimated
	RemainingEstimate time.Duration
	TimeSpent         time.Duration

	ParentKey string // the parent of a sub-task
	EpicKey   string // the epic of a standard issue (Cloud parent or Epic Link)

	Labels      []string
	Components  []string
	FixVersions []string // version ids
	SprintIDs   []int64
	Flagged     bool
}

// Done reports whether the issue is in a done status category.
func (i *Issue) Done() bool { return i.StatusCategory == CategoryDone }

// Dependency is one dependency link normalised to blocker → blocked: the
// blocker must finish before the blocked issue can. Keys of issues outside
// the synced scope are kept as Jira reported them.
type Dependency struct {
	LinkID  string // Jira's issue link id; one link shows on both issues
	Type    string // link type name, e.g. "Blocks"
	Blocker string // issue key
	Blocked string // issue key
}

// Change is one changed field of one changelog history entry.
type Change struct {
	IssueKey   string
	HistoryID  string
	Author     string
	Created    time.Time
	Field      string // e.g. "status", "duedate", "Sprint", "Fix Version"
	FieldID    string // empty on older servers
	From       string
	FromString string
	To         string
	ToString   string
}

// Sprint is an agile sprint. State is "future", "active" or "closed".
type Sprint struct {
	ID       int64
	Name     string
	State    string
	BoardID  int64
	Goal     string
	Start    time.Time
	End      time.Time
	Complete time.Time
}

// Version is a project version (a release).
type Version struct {
	ID          string
	Project     string
	Name        string
	Released    bool
	Archived    bool
	ReleaseDate time.Time // zero when none
	StartDate   time.Time
}

// VersionDate records a version's release date as seen by one sync. Jira keeps
// no history of release dates, so Radar records them to see releases slip.
type VersionDate struct {
	VersionID   string
	ObservedAt  time.Time
	ReleaseDate time.Time // zero when the date was removed
}

// Status maps a Jira status id to its stable category, needed to read status
// changes in changelogs (which carry ids and localised names only).
type Status struct {
	ID       string
	Name     string
	Category StatusCategory
}

// Snapshot is everything the analysis reads: the synced state of the scope.
type Snapshot struct {
	Issues       []Issue
	Dependencies []Dependency
	Changes      []Change // ordered by issue, then time
	Sprints      []Sprint
	Versions     []Version
	VersionDates []VersionDate // ordered by version, then time
	Statuses     []Status
}

// ProjectKeys returns the projects the snapshot holds issues or versions
// of, sorted: the projects a report or a page can be asked about.
func (s Snapshot) ProjectKeys() []string {
	seen := map[string]bool{}
	for i := range s.Issues {
		seen[s.Issues[i].Project] = true
	}
	for i := range s.Versions {
		seen[s.Versions[i].Project] = true
	}
	delete(seen, "")
	return slices.Sorted(maps.Keys(seen))
}
