package report

import "github.com/radarhq/radar"

// ChangesBetween is the net change of the findings from one analysis
// (before) to a later one (after), in the shape of
// store.FindingChangesSince, for a report whose window was replayed rather
// than recorded: a finding only after is new; one in both whose severity
// rose (fell) is escalated (de-escalated); one only before is resolved,
// holding its last state. A finding that was there before the window,
// gone at its start and back by its end cannot be told from a new one
// with two analyses: it is new (the report lists reopened findings with
// the new ones anyway). Unchanged findings are left out. The order is
// after's, then before's for the resolved.
func ChangesBetween(before, after []radar.Finding) []radar.FindingChange {
	was := make(map[string]radar.Finding, len(before))
	for _, f := range before {
		was[f.ID] = f
	}
	is := make(map[string]bool, len(after))
	var out []radar.FindingChange
	for _, f := range after {
		if is[f.ID] {
			continue
		}
		is[f.ID] = true
		p, ok := was[f.ID]
		switch {
		case !ok:
			out = append(out, radar.FindingChange{Finding: f, Transition: radar.TransitionNew})
		case f.Severity.Rank() > p.Severity.Rank():
			out = append(out, radar.FindingChange{Finding: f, Transition: radar.TransitionEscalated, PrevSeverity: p.Severity})
		case f.Severity.Rank() < p.Severity.Rank():
			out = append(out, radar.FindingChange{Finding: f, Transition: radar.TransitionDeescalated, PrevSeverity: p.Severity})
		}
	}
	for _, f := range before {
		if !is[f.ID] {
			is[f.ID] = true // a finding listed twice is resolved once
			out = append(out, radar.FindingChange{Finding: f, Transition: radar.TransitionResolved, PrevSeverity: f.Severity})
		}
	}
	return out
}
