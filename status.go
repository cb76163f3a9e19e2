package radar

import "time"

// StatusReport is a delivery status report for one audience: each
// release's progress and forecast, the top risks with their owners, the
// blockers, what changed since the last report (with the reasons forecasts
// moved) and the next steps owners wrote down. It is what `radar report`
// renders as Markdown, HTML or Slack.
type StatusReport struct {
	GeneratedAt time.Time
	// Since starts the "what changed" window: the last report's time, or
	// GeneratedAt minus --since when there was none.
	Since      time.Time
	LastReport bool   // Since is an earlier report's time
	Project    string // "" for every project
	Audience   string // "team" or "exec"
	Releases   []ReleaseStatus
	Risks      []Finding // the top open risks, most severe first, Ack attached
	Blockers   []Finding // the largest blockers
	New        []Finding
	Escalated  []Finding
	Resolved   []Finding
	// Unowned counts open warning and critical findings nobody acknowledged.
	Unowned int
	// Dormant counts unreleased versions left out: open work, but no issue
	// of theirs touched for 90 days. DoneNotReleased counts unreleased
	// versions whose every issue is done.
	Dormant, DoneNotReleased int
	NextSteps                []NextStep

	// TrackRecord is how the forecasts did on the site's own history, from
	// the last backtest (the analysis's); nil when none was run.
	TrackRecord *TrackRecord
	// Replay says how the snapshot was rebuilt as of GeneratedAt, a past
	// time (radar report --now): Since's state was replayed too, not read
	// from an earlier report. Nil for a report of the present.
	Replay *Replay
}

// ReleaseStatus is one unreleased version in a status report.
type ReleaseStatus struct {
	Project, Name     string
	ReleaseDate       Date // zero when none
	Done, Total       int
	Added, Removed    []string // issue keys added to or removed from its scope since the last report
	P50, P85          Date     // zero when there is no forecast
	OnTimeProbability float64
	// PrevP85 is the P85 at the last report; zero when there was none.
	PrevP85 Date
	// MovedDays is how many days the P85 moved since the last report:
	// positive later, negative earlier.
	MovedDays int
	// Reasons say why the forecast moved (or may move).
	Reasons []ForecastReason
	// History is the P85 at earlier reports, oldest first: how the
	// forecast moved (StatusReport.TrackRecord says how far to trust it).
	History []DatedForecast
}

// Forecast move reasons.
const (
	ReasonScopeAdded    = "scope_added"
	ReasonScopeRemoved  = "scope_removed"
	ReasonThroughput    = "throughput"
	ReasonBlockerOpened = "blocker_opened"
	ReasonBlockerAged   = "blocker_aged"
	ReasonReopened      = "reopened"
	ReasonNoSingleCause = "no_single_cause"
)

// ForecastReason is one cause of a forecast move, with the issues behind it.
type ForecastReason struct {
	Kind   string   `json:"kind"`
	Detail string   `json:"detail"`
	Issues []string `json:"issues,omitempty"`
}

// DatedForecast is a P85 as one report saw it.
type DatedForecast struct {
	At  time.Time `json:"at"`
	P85 Date      `json:"p85"`
}

// NextStep is what an owner said they are doing about a finding.
type NextStep struct {
	Finding Finding
	Owner   string
	Note    string
}
