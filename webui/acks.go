package webui

import (
	"fmt"
	"net/http"
	"time"

	"github.com/radarhq/radar"
)

// ackView is a finding's owner and state as a page shows them.
type ackView struct {
	State string // one of radar.AckStates
	Text  string // "Acknowledged by ada on 2026-03-02 10:42 UTC: they own it"
	Short string // for a list: "owner ada"
	Note  string
}

// describeAck says who did what about a finding, and until when, in the
// words of the Slack message the buttons update.
func describeAck(a *radar.Ack, now time.Time) ackView {
	v := ackView{State: radar.AckState(a, now), Text: "Unowned: nobody has acknowledged it", Short: "unowned"}
	if a == nil {
		return v
	}
	at, until := stamp(a.At), stamp(a.Until)
	v.Note = a.Note
	switch {
	case a.State == radar.AckSnoozed && !a.Active(now):
		v.Text = fmt.Sprintf("Unowned: the snooze by %s ended %s", a.By, until)
		v.Short = "unowned (snooze ended)"
	case a.State == radar.AckSnoozed && a.UntilWorse:
		v.Text = fmt.Sprintf("Snoozed by %s on %s until it gets worse", a.By, at)
		v.Short = "snoozed by " + a.By + " until worse"
	case a.State == radar.AckSnoozed:
		v.Text = fmt.Sprintf("Snoozed by %s on %s until %s", a.By, at, until)
		v.Short = "snoozed by " + a.By + " until " + a.Until.UTC().Format(time.DateOnly)
	case a.State == radar.AckDismissed:
		v.Text = fmt.Sprintf("Not a risk, says %s (%s): muted until it changes kind or gets more severe", a.By, at)
		v.Short = "not a risk, says " + a.By
	default:
		v.Text = fmt.Sprintf("Acknowledged by %s on %s: they own it", a.By, at)
		v.Short = "owner " + a.By
	}
	return v
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

// acks reads who owns which open finding, by finding id. They change
// between analyses (a click in Slack, radar ack), so every page asks. A
// failure is logged and the page shows findings without owners, saying so
// in the returned message.
func (u *UI) acks(r *http.Request) (map[string]radar.Ack, string) {
	if u.opts.Acks == nil {
		return nil, ""
	}
	acks, err := u.opts.Acks(r.Context())
	if err != nil {
		u.log.Error("read acks", "component", "webui", "err", err)
		return nil, "Who owns each finding could not be read (see the server log); owners and states are left out."
	}
	return acks, ""
}

// ackOf returns finding f's ack from acks, nil when nobody acted.
func ackOf(acks map[string]radar.Ack, f *radar.Finding) *radar.Ack {
	if a, ok := acks[f.ID]; ok {
		return &a
	}
	return f.Ack
}

// now is the UI's clock, for when a timed snooze ends.
func (u *UI) now() time.Time {
	if u.opts.Now != nil {
		return u.opts.Now()
	}
	return time.Now()
}
