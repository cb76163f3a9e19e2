package radar

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Ack states: what a person said about a finding.
const (
	// AckAcknowledged: the person owns the finding; it stays quiet until it
	// escalates.
	AckAcknowledged = "acknowledged"
	// AckSnoozed: quiet until Until, or until it gets worse (UntilWorse).
	AckSnoozed = "snoozed"
	// AckDismissed: "not a risk"; muted until its kind changes or its
	// severity rises.
	AckDismissed = "dismissed"
)

// AckUnowned is the state of a finding nobody acknowledged, snoozed or
// dismissed, or whose timed snooze ended.
const AckUnowned = "unowned"

// AckStates are the states a finding can be in, in the order lists and
// filters show them.
var AckStates = []string{AckUnowned, AckAcknowledged, AckSnoozed, AckDismissed}

// AckState returns the state a finding with ack a (nil for none) is in at
// now: a timed snooze that ended leaves it unowned.
func AckState(a *Ack, now time.Time) string {
	if a == nil || !a.Active(now) {
		return AckUnowned
	}
	switch a.State {
	case AckAcknowledged, AckSnoozed, AckDismissed:
		return a.State
	}
	return AckUnowned
}

// Ack is a person's answer to a finding: the risk register's owner, state
// and response. Its JSON form is part of the report contract (the "ack" of
// a finding).
type Ack struct {
	State string    `json:"state"`
	By    string    `json:"by"`
	At    time.Time `json:"at"`
	// Until ends a timed snooze; zero otherwise.
	Until time.Time `json:"until,omitzero"`
	// UntilWorse marks a snooze that lasts until the finding gets worse.
	UntilWorse bool   `json:"until_worse,omitempty"`
	Note       string `json:"note,omitempty"`

	// SlackUser is By's Slack user id when the action came from Slack.
	SlackUser string `json:"-"`
	// Kind, Severity and BlastRadius are the finding's when it was
	// acknowledged (or last re-alerted): escalation is measured from them.
	Kind        Kind     `json:"-"`
	Severity    Severity `json:"-"`
	BlastRadius int      `json:"-"`
	// RemindedAt is when the owner was reminded that the finding is still
	// open; zero until then.
	RemindedAt time.Time `json:"-"`
}

// Active reports whether the ack still quiets its finding at now: a timed
// snooze ends at Until.
func (a Ack) Active(now time.Time) bool {
	return a.State != AckSnoozed || a.Until.IsZero() || now.Before(a.Until)
}

// AcksAsOf takes off fs the acks made after now, which a view of the past
// (a replay, radar analyze or report --now) could not know. Radar keeps no
// history of acks: one made by then and replaced since is not brought back.
func AcksAsOf(fs []Finding, now time.Time) {
	for i := range fs {
		if fs[i].Ack != nil && fs[i].Ack.At.After(now) {
			fs[i].Ack = nil
		}
	}
}

// Owned reports whether the ack gives the finding an owner.
func (a Ack) Owned() bool { return a.State == AckAcknowledged }

// MuchLarger says when a blast radius has grown enough to re-alert an
// acknowledged blocker: at least doubled and at least this many more
// issues waiting.
const MuchLarger = 5

// Escalates reports whether f, as it is now, has got worse than when it was
// acknowledged: its severity rose, its kind changed, or its blast radius
// at least doubled and grew by MuchLarger issues or more. An escalation
// re-alerts even an acknowledged or snoozed finding.
func (a Ack) Escalates(f Finding) bool {
	if a.Kind != "" && f.Kind != a.Kind {
		return true
	}
	if f.Severity.Rank() > a.Severity.Rank() {
		return true
	}
	if a.State == AckDismissed {
		return false // "not a risk" holds until the kind or severity moves
	}
	br := f.BlastRadius()
	return br >= 2*a.BlastRadius && br-a.BlastRadius >= MuchLarger
}

// BlastRadius returns the number of open issues waiting on the finding's
// subject (a blocker's, an overdue or stale issue's), 0 when it has none.
func (f Finding) BlastRadius() int {
	switch e := f.Evidence.(type) {
	case BlockerFacts:
		return e.BlastRadius
	case OverdueFacts:
		return e.BlastRadius
	case StaleFacts:
		return e.BlastRadius
	}
	return 0
}

// AckRequest is an action on a finding as a person asks for it, from Slack,
// the API or the command line. With none of Snooze, UntilWorse and Dismiss
// it acknowledges.
type AckRequest struct {
	Snooze     string `json:"snooze"`      // "1d", "1w", or a duration such as "48h"
	UntilWorse bool   `json:"until_worse"` // snooze until it gets worse
	Dismiss    bool   `json:"dismiss"`     // not a risk
	By         string `json:"by"`
	Note       string `json:"note"`
}

// Limits on what an ack records.
const (
	maxAckBy   = 200
	maxAckNote = 2000
	// MaxSnooze is the longest timed snooze; longer ones should be a
	// dismissal or an acknowledgement with an owner.
	MaxSnooze = 90 * 24 * time.Hour
)

// Ack returns the ack the request asks for at now. Errors name the field
// and say what to write.
func (r AckRequest) Ack(now time.Time) (Ack, error) {
	var errs []error
	a := Ack{State: AckAcknowledged, By: strings.TrimSpace(r.By), At: now.UTC(), Note: strings.TrimSpace(r.Note)}
	n := 0
	for _, set := range []bool{r.Snooze != "", r.UntilWorse, r.Dismiss} {
		if set {
			n++
		}
	}
	if n > 1 {
		errs = append(errs, errors.New("snooze, until_worse and dismiss: more than one given; choose one (none acknowledges)"))
	}
	switch {
	case r.Dismiss:
		a.State = AckDismissed
	case r.UntilWorse:
		a.State, a.UntilWorse = AckSnoozed, true
	case r.Snooze != "":
		d, err := ParseSnooze(r.Snooze)
		if err != nil {
			errs = append(errs, err)
		}
		a.State, a.Until = AckSnoozed, a.At.Add(d)
	}
	switch {
	case a.By == "":
		errs = append(errs, errors.New("by: empty; say who acts (a name or Slack handle)"))
	case len(a.By) > maxAckBy:
		errs = append(errs, fmt.Errorf("by: %d bytes; keep it under %d", len(a.By), maxAckBy))
	}
	if len(a.Note) > maxAckNote {
		errs = append(errs, fmt.Errorf("note: %d bytes; keep it under %d", len(a.Note), maxAckNote))
	}
	if err := errors.Join(errs...); err != nil {
		return Ack{}, err
	}
	return a, nil
}

// ParseSnooze reads a snooze length: "1d", "1w" (any whole number of days
// or weeks) or a Go duration such as "48h", from an hour up to MaxSnooze.
func ParseSnooze(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	var d time.Duration
	var err error
	switch {
	case strings.HasSuffix(s, "d") || strings.HasSuffix(s, "w"):
		unit := 24 * time.Hour
		if strings.HasSuffix(s, "w") {
			unit *= 7
		}
		var n int
		n, err = strconv.Atoi(s[:len(s)-1])
		d = time.Duration(n) * unit
	default:
		d, err = time.ParseDuration(s)
	}
	if err != nil || d < time.Hour || d > MaxSnooze {
		return 0, fmt.Errorf("snooze: %q; use 1d, 1w or a duration such as 48h, from 1h up to %dd", s, int(MaxSnooze/(24*time.Hour)))
	}
	return d, nil
}
