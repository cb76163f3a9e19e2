package alerts

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/radarhq/radar"
)

// DryRunMessage is one message a delivery would send.
type DryRunMessage struct {
	Channel  string          `json:"channel"`
	Audience string          `json:"audience"`
	Op       string          `json:"op"`
	Finding  string          `json:"finding,omitempty"`
	Message  json.RawMessage `json:"message"`
}

// DryRun returns the messages delivering report would send now, without
// recording or sending anything and without calling Slack. Transitions are
// read from what each channel was told before: unknown findings are new,
// findings whose severity rose are escalated, findings that were over are
// back; threads whose findings are no longer reported are resolved from the
// findings' last recorded state.
func (a *Alerter) DryRun(ctx context.Context, report radar.Report) ([]DryRunMessage, error) {
	at := report.GeneratedAt
	if at.IsZero() {
		at = a.now()
	}
	m := a.mentions(false)
	acks, err := a.st.Acks(ctx)
	if err != nil {
		return nil, fmt.Errorf("dry run: %w", err)
	}
	var out []DryRunMessage
	for _, r := range a.routes {
		threads, err := a.st.SlackThreads(ctx, r.key)
		if err != nil {
			return nil, fmt.Errorf("dry run: %w", err)
		}
		seen, err := a.st.SlackRouteSeen(ctx, r.key)
		if err != nil {
			return nil, fmt.Errorf("dry run: %w", err)
		}
		changes := make([]radar.FindingChange, 0, len(report.Findings))
		for _, f := range report.Findings {
			c := radar.FindingChange{Finding: f, Transition: radar.TransitionUnchanged, FirstSeen: at}
			if t, ok := threads[f.ID]; !ok {
				c.Transition = radar.TransitionNew
			} else {
				c.FirstSeen = t.FirstAt
				c.PrevSeverity = radar.Severity(t.Severity)
				if !t.Open {
					c.Transition = radar.TransitionReopened
				}
			}
			changes = append(changes, c)
		}
		gone, err := a.goneFindings(ctx, threads, openIDs(report.Findings, nil), nil, at)
		if err != nil {
			return nil, fmt.Errorf("dry run: %w", err)
		}
		p, err := a.planRoute(ctx, r, threads, seen, append(changes, gone...), at, m, acks)
		if err != nil {
			return nil, fmt.Errorf("dry run: %w", err)
		}
		for _, msg := range p.msgs {
			out = append(out, DryRunMessage{Channel: r.channel, Audience: r.audience, Op: msg.Op, Finding: msg.FindingID, Message: msg.Payload})
		}
	}
	return out, nil
}
