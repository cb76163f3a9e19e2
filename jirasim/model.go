// Package jirasim is a Jira simulator: an http.Handler that speaks the wire
// format of Jira Cloud and Jira Data Center closely enough that Radar's
// connector, and go-jira itself, talk to it exactly as to real Jira.
//
// It serves a Scenario (made by Generate from a seed, shaped like real Jira
// sites), evaluates a real subset of JQL, pages the way each flavour pages,
// injects faults on request (rate limits, resets, truncated bodies, expired
// page tokens) and lets tests mutate the data and read back its truth.
//
// It is a test and demo tool: it must not depend on Radar's other packages,
// and it keeps everything in memory.
package jirasim

import "time"

// Flavor selects which Jira the simulator pretends to be.
type Flavor string

// The two flavours.
const (
	Cloud      Flavor = "cloud"
	DataCenter Flavor = "datacenter"
)

// Status category keys, the only stable part of a status.
const (
	CategoryNew           = "new"
	CategoryIndeterminate = "indeterminate"
	CategoryDone          = "done"
)

// Project is a Jira project.
type Project struct {
	ID   string `json:"id"`
	Key  string `json:"key"`
	Name string `json:"name"`
}

// User is a Jira user. AccountID identifies the user on Cloud, Name on Data
// Center; Email may be empty (hidden by the user's privacy settings).
type User struct {
	AccountID   string `json:"accountId"`
	Name        string `json:"name"`
	DisplayName string `json:"displayName"`
	Email       string `json:"email,omitempty"`
}

// Status is a workflow status with its stable category key
// (CategoryNew, CategoryIndeterminate or CategoryDone).
type Status struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	CategoryKey string `json:"categoryKey"`
}

// Priority is an issue priority.
type Priority struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// IssueType is an issue type. HierarchyLevel is 1 for epics, 0 for standard
// issues and -1 for subtasks.
type IssueType struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	Subtask        bool   `json:"subtask"`
	HierarchyLevel int    `json:"hierarchyLevel"`
}

// LinkType is an issue link type. A link of this type reads
// "<inward issue> Outward <outward issue>", e.g. "A blocks B".
type LinkType struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Inward  string `json:"inward"`
	Outward string `json:"outward"`
}

// Link is an issue link between two issues, by key. Inward is the link's
// source and Outward its destination: the link reads
// "Inward <type.Outward> Outward" — for Blocks, Inward blocks Outward; for
// Depends, Inward depends on Outward (Outward is the prerequisite). On the
// wire, Inward's issuelinks show Outward as outwardIssue and Outward's show
// Inward as inwardIssue, both with the same link id.
type Link struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Outward string `json:"outward"`
	Inward  string `json:"inward"`
}

// Version is a project version (release). ReleaseDate and StartDate are
// "2006-01-02" or empty when unset.
type Version struct {
	ID          string `json:"id"`
	Project     string `json:"project"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Released    bool   `json:"released"`
	Archived    bool   `json:"archived"`
	ReleaseDate string `json:"releaseDate,omitempty"`
	StartDate   string `json:"startDate,omitempty"`
}

// Board is a scrum board of one project.
type Board struct {
	ID      int    `json:"id"`
	Name    string `json:"name"`
	Project string `json:"project"`
}

// Sprint states.
const (
	SprintClosed = "closed"
	SprintActive = "active"
	SprintFuture = "future"
)

// Sprint is a sprint of a board. Zero times are unset.
type Sprint struct {
	ID           int       `json:"id"`
	BoardID      int       `json:"boardId"`
	Name         string    `json:"name"`
	State        string    `json:"state"`
	Goal         string    `json:"goal"`
	StartDate    time.Time `json:"startDate"`
	EndDate      time.Time `json:"endDate"`
	CompleteDate time.Time `json:"completeDate"`
}

// Issue is one issue as the simulator holds it. References to other
// objects are by id (Status, Priority, FixVersions, Sprints), by name
// (Type, Components) or by key (Project, Parent); Assignee and Reporter are
// User.AccountID values. Empty strings and nil pointers are unset (null on
// the wire). Dates (DueDate, StartDate) are "2006-01-02".
type Issue struct {
	ID          string    `json:"id"`
	Key         string    `json:"key"`
	Project     string    `json:"project"`
	Type        string    `json:"type"`
	Summary     string    `json:"summary"`
	Description string    `json:"description,omitempty"`
	Status      string    `json:"status"`
	Priority    string    `json:"priority,omitempty"`
	Assignee    string    `json:"assignee,omitempty"`
	Reporter    string    `json:"reporter,omitempty"`
	Created     time.Time `json:"created"`
	Updated     time.Time `json:"updated"`
	Resolved    time.Time `json:"resolved"`
	DueDate     string    `json:"dueDate,omitempty"`
	StartDate   string    `json:"startDate,omitempty"`
	Labels      []string  `json:"labels,omitempty"`
	Components  []string  `json:"components,omitempty"`
	FixVersions []string  `json:"fixVersions,omitempty"`
	// Parent is the parent's key: the parent issue of a subtask or the epic
	// of a standard issue.
	Parent            string   `json:"parent,omitempty"`
	Sprints           []int    `json:"sprints,omitempty"`
	StoryPoints       *float64 `json:"storyPoints,omitempty"`
	Flagged           bool     `json:"flagged,omitempty"`
	OriginalEstimate  *int64   `json:"originalEstimate,omitempty"`
	RemainingEstimate *int64   `json:"remainingEstimate,omitempty"`
	TimeSpent         *int64   `json:"timeSpent,omitempty"`
}

// History is one changelog entry of an issue. Author is a User.AccountID.
type History struct {
	ID      string    `json:"id"`
	Author  string    `json:"author"`
	Created time.Time `json:"created"`
	Items   []Item    `json:"items"`
}

// Item is one field change of a History, as Jira writes it: Field is the
// field's name ("status", "duedate", "Sprint", "Fix Version", "Flagged"),
// FieldID its id (custom field ids follow the server's flavour), From/To
// raw values (status ids, dates, sprint ids) and the *String forms the
// display values. Empty strings are null on the wire.
type Item struct {
	Field      string `json:"field"`
	FieldID    string `json:"fieldId,omitempty"`
	FieldType  string `json:"fieldtype"`
	From       string `json:"from,omitempty"`
	FromString string `json:"fromString,omitempty"`
	To         string `json:"to,omitempty"`
	ToString   string `json:"toString,omitempty"`
}

// Field is an entry of GET /rest/api/2/field.
type Field struct {
	ID          string   `json:"id"`
	Key         string   `json:"key"`
	Name        string   `json:"name"`
	Custom      bool     `json:"custom"`
	Orderable   bool     `json:"orderable"`
	Navigable   bool     `json:"navigable"`
	Searchable  bool     `json:"searchable"`
	ClauseNames []string `json:"clauseNames"`
	Schema      *Schema  `json:"schema,omitempty"`
}

// Schema is a field's schema.
type Schema struct {
	Type     string `json:"type"`
	Items    string `json:"items,omitempty"`
	System   string `json:"system,omitempty"`
	Custom   string `json:"custom,omitempty"`
	CustomID int64  `json:"customId,omitempty"`
}

// FieldIDs are the site-specific ids of the custom fields the simulator
// serves. EpicLink and StoryPointEstimate are empty where the flavour has
// no such field.
type FieldIDs struct {
	StoryPoints        string
	StoryPointEstimate string
	Sprint             string
	Flagged            string
	StartDate          string
	EpicLink           string
}

// Scenario is the whole data set a Server serves. Changelogs are keyed by
// issue key, oldest history first.
type Scenario struct {
	Now        time.Time            `json:"now"`
	Projects   []Project            `json:"projects"`
	Users      []User               `json:"users"`
	Statuses   []Status             `json:"statuses"`
	Priorities []Priority           `json:"priorities"`
	IssueTypes []IssueType          `json:"issueTypes"`
	LinkTypes  []LinkType           `json:"linkTypes"`
	Versions   []Version            `json:"versions"`
	Boards     []Board              `json:"boards"`
	Sprints    []Sprint             `json:"sprints"`
	Issues     []Issue              `json:"issues"`
	Links      []Link               `json:"links"`
	Changelogs map[string][]History `json:"changelogs"`
	Planted    Planted              `json:"planted"`
}

// Planted lists what Generate planted for an analysis to find, by issue
// key. Lists are empty when the first project is too small to hold them.
type Planted struct {
	// Blocker is an open issue that, through Blocks and Depends links,
	// holds up every issue of BlastRadius (transitively, all open).
	Blocker     string   `json:"blocker"`
	BlastRadius []string `json:"blastRadius"`
	// Cycle is a dependency cycle: Cycle[i] blocks Cycle[i+1], and the last
	// blocks the first.
	Cycle []string `json:"cycle"`
	// AtRiskRelease is an unreleased version due soon with much open work.
	AtRiskRelease Version `json:"atRiskRelease"`
	// CarryOvers are open issues that went through 3 or more sprints.
	CarryOvers []string `json:"carryOvers"`
	// Slipped are issues whose due date was moved later several times.
	Slipped []string `json:"slipped"`
	// Reopened are issues moved from a done status back to an open one:
	// two still open, the last done again, reopened within the last 20 days.
	Reopened []string `json:"reopened"`
	// Stale are in-progress issues not updated for at least 30 days.
	Stale []string `json:"stale"`
	// Flagged are open issues flagged as impediments.
	Flagged []string `json:"flagged"`
	// Escaping is an issue whose summary holds Slack and HTML control
	// characters ("<!channel> & <b>").
	Escaping string `json:"escaping"`
	// OutsideLinks are links (ids) to issues in the out-of-scope project.
	OutsideLinks []string `json:"outsideLinks"`
	// LongLived is what a long-lived site (ScenarioConfig.Years) holds;
	// empty otherwise.
	LongLived LongLived `json:"longLived"`
}

// LongLived lists the shapes of a years-old site that Generate planted,
// by project key where they are per project.
type LongLived struct {
	// Zombies are in-progress issues untouched for more than 180 days.
	Zombies map[string][]string `json:"zombies"`
	// ZombieHolder is the account id of a user of the first project who
	// holds zombies and the open items of dormant and past-due versions,
	// and no live work.
	ZombieHolder string `json:"zombieHolder"`
	// OldCarryOvers are open issues planned in two sprints closed years ago
	// and in no sprint since.
	OldCarryOvers []string `json:"oldCarryOvers"`
	// CleanupDays are days ("2006-01-02") on which many years-old issues
	// were closed at once.
	CleanupDays []string `json:"cleanupDays"`
	// NeverReleased are versions whose issues are all done but that were
	// never released; PastDue are unreleased versions a year past their
	// date with open work; Dormant are undated versions untouched for
	// years holding one open issue; Empty are unreleased versions without
	// issues.
	NeverReleased []Version `json:"neverReleased"`
	PastDue       []Version `json:"pastDue"`
	Dormant       []Version `json:"dormant"`
	Empty         []Version `json:"empty"`
	// OneSampleType is an issue type with a single resolved issue, whose
	// cycle time is years long.
	OneSampleType string `json:"oneSampleType"`
	// OldReopened are done issues reopened (and done again) long ago.
	OldReopened []string `json:"oldReopened"`
}
