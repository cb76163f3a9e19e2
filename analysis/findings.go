package analysis

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/radarhq/radar"
)

// noDay marks "no date" in day-number arithmetic.
const noDay = math.MaxInt64

// issueFacts are the facts every finding about issue i carries: status,
// summary, assignee and (when known) their email.
func (m *model) issueFacts(i int32) radar.IssueFacts {
	is := m.iss[i]
	return radar.IssueFacts{Status: is.Status, Summary: is.Summary, Assignee: is.AssigneeName, AssigneeEmail: is.AssigneeEmail}
}

// add appends a finding about issue i of the kind of its evidence.
func (m *model) add(sev radar.Severity, i int32, idSuffix, title, detail string, ev radar.Evidence) {
	is := m.iss[i]
	kind := ev.Kind()
	id := string(kind) + ":" + is.Key
	if idSuffix != "" {
		id = string(kind) + ":" + idSuffix
	}
	m.findings = append(m.findings, radar.Finding{
		ID: id, Kind: kind, Severity: sev, Project: is.Project, Issue: is.Key,
		Title: title, Detail: detail, Evidence: ev,
	})
}

// severityOf maps a score of aggravating signals to a severity.
func severityOf(score, warnAt, critAt int) radar.Severity {
	switch {
	case score >= critAt:
		return radar.SeverityCritical
	case score >= warnAt:
		return radar.SeverityWarning
	}
	return radar.SeverityInfo
}

func (m *model) daysSinceUpdate(is *radar.Issue) int {
	return int(m.untouchedFor(is) / (24 * time.Hour))
}

func (m *model) keysOf(vs []int32) []string {
	out := make([]string, len(vs))
	for k, v := range vs {
		out[k] = m.iss[v].Key
	}
	return out
}

// listKeys writes up to three keys, then how many more.
func listKeys(keys []string) string {
	if len(keys) <= 3 {
		return joinAnd(keys)
	}
	return strings.Join(keys[:3], ", ") + fmt.Sprintf(" and %d more", len(keys)-3)
}

func joinAnd(xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " and " + xs[len(xs)-1]
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

func assigneeText(is *radar.Issue) string {
	if is.AssigneeName == "" {
		return "unassigned"
	}
	return "assigned to " + is.AssigneeName
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

// findIssueFindings reports the per-issue kinds: blocked work in progress,
// overdue, slipped due dates, sprint carry-over, stale work, flags, reopens
// and effort overruns.
func (m *model) findIssueFindings() {
	for i := int32(0); i < int32(len(m.iss)); i++ {
		if m.open[i] {
			m.findBlockedInProgress(i)
			m.findOverdue(i)
			m.findDueSlipped(i)
			m.findCarryover(i)
			m.findStale(i)
			m.findFlagged(i)
			m.findOverrun(i)
		}
		if r := m.hist.reopens[i]; r != nil && (m.open[i] || m.now.Sub(r.last) <= m.opts.ReopenedWindow) {
			m.findReopened(i, r)
		}
	}
}

func (m *model) findBlockedInProgress(i int32) {
	is := m.iss[i]
	blockers := m.depUp.neighbours(i)
	if is.StatusCategory != radar.CategoryInProgress || len(blockers) == 0 {
		return
	}
	var notStarted []string
	for _, b := range blockers {
		if m.iss[b].StatusCategory != radar.CategoryInProgress {
			notStarted = append(notStarted, m.iss[b].Key)
		}
	}
	sev := radar.SeverityWarning
	detail := fmt.Sprintf("Work on %s has started while %s %s still open: it may stall or need redoing.",
		is.Key, listKeys(m.keysOf(blockers)), map[bool]string{true: "is", false: "are"}[len(blockers) == 1])
	if len(notStarted) > 0 {
		sev = radar.SeverityCritical
		detail += fmt.Sprintf(" %s %s not even started.", joinAnd(notStarted), map[bool]string{true: "has", false: "have"}[len(notStarted) == 1])
	}
	detail += " Finish the blockers first or confirm the dependency is real."
	if notStarted == nil {
		notStarted = []string{}
	}
	ev := radar.BlockedInProgressFacts{IssueFacts: m.issueFacts(i), Blockers: m.keysOf(blockers), BlockersNotStarted: notStarted,
		ExternalBlockers: m.external[i]}
	m.add(sev, i, "",
		fmt.Sprintf("%s is in progress but blocked by %s", is.Key, listKeys(m.keysOf(blockers))), detail, ev)
}

func (m *model) findOverdue(i int32) {
	is := m.iss[i]
	if is.Due.IsZero() || dayOf(is.Due) >= m.today {
		return
	}
	late := m.today - dayOf(is.Due)
	sev := radar.SeverityWarning
	switch {
	case m.blast[i] <= 0 && !m.live(i) && time.Duration(late)*24*time.Hour >= m.opts.AbandonedAfter:
		// Nobody has touched it for abandoned_after and its date passed
		// as long ago: a zombie's date, not news.
		sev = radar.SeverityInfo
	case late > 7 || m.blast[i] > 0:
		sev = radar.SeverityCritical
	}
	detail := fmt.Sprintf("%s was due %s and is still %s (%s).", is.Key, dateString(dayOf(is.Due)), is.Status, assigneeText(is))
	if m.blast[i] > 0 {
		detail += fmt.Sprintf(" It blocks %s downstream.", plural(int(m.blast[i]), "open issue", "open issues"))
	}
	detail += " Agree a new date or cut scope, and tell whoever waits on it."
	m.add(sev, i, "", fmt.Sprintf("%s is %s overdue", is.Key, plural(int(late), "day", "days")), detail,
		radar.OverdueFacts{IssueFacts: m.issueFacts(i), Due: radar.DateOf(is.Due), DaysOverdue: late, BlastRadius: max(0, int(m.blast[i]))})
}

func (m *model) findDueSlipped(i int32) {
	s := m.hist.slips[i]
	if s == nil || s.times == 0 {
		return
	}
	is := m.iss[i]
	sev := radar.SeverityWarning
	switch {
	case s.times >= 3 || s.totalDays >= 30:
		sev = radar.SeverityCritical
	case s.times == 1 && s.totalDays < 7:
		sev = radar.SeverityInfo
	}
	due := ""
	if !is.Due.IsZero() {
		due = dateString(dayOf(is.Due))
	}
	m.add(sev, i, "",
		fmt.Sprintf("%s due date moved later %s (%s)", is.Key, plural(s.times, "time", "times"), plural(int(s.totalDays), "day", "days")),
		fmt.Sprintf("The due date of %s moved from %s to %s. Check whether the work it feeds can still make its dates, and find the cause of the slips.",
			is.Key, dateString(s.firstDue), cmp.Or(due, "no date")),
		radar.DueDateSlippedFacts{IssueFacts: m.issueFacts(i), TimesMoved: s.times, TotalDays: s.totalDays,
			OriginalDue: dateOf(s.firstDue), Due: radar.DateOf(is.Due), LastMoved: radar.DateOf(s.last)})
}

// findCarryover reports an open issue planned in two or more closed sprints,
// while the carry-over is news: the issue is in an active sprint, or its
// latest sprint closed recently (within two of that sprint's lengths, and
// at least recentSprintWindow). Carry-overs of sprints that ended long ago
// are history, not a signal.
func (m *model) findCarryover(i int32) {
	is := m.iss[i]
	type sp struct {
		start time.Time
		id    int64
		name  string
	}
	var closed []sp
	current := ""
	active, recent := false, false
	for _, id := range is.SprintIDs {
		s := m.sprints[id]
		if s == nil {
			continue
		}
		if s.State == "closed" {
			closed = append(closed, sp{s.Start, s.ID, s.Name})
			recent = recent || m.closedRecently(s)
		} else if current == "" || s.State == "active" {
			current = s.Name
			active = active || s.State == "active"
		}
	}
	if len(closed) < 2 || (!active && !recent) {
		return
	}
	slices.SortFunc(closed, func(a, b sp) int {
		if c := a.start.Compare(b.start); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	names := make([]string, len(closed))
	for k, s := range closed {
		names[k] = s.name
	}
	sev := radar.SeverityWarning
	if len(closed) >= 4 {
		sev = radar.SeverityCritical
	}
	m.add(sev, i, "",
		fmt.Sprintf("%s carried over through %d sprints", is.Key, len(closed)),
		fmt.Sprintf("%s was planned in %s and is still not done. Split it, re-estimate it, or find what keeps blocking it.", is.Key, joinAnd(names)),
		radar.SprintCarryoverFacts{IssueFacts: m.issueFacts(i), Sprints: names, CarriedOver: len(closed), CurrentSprint: current})
}

// recentSprintWindow is the least time a closed sprint counts as recent.
const recentSprintWindow = 30 * 24 * time.Hour

// closedRecently reports whether a closed sprint ended within two of its
// own lengths, or recentSprintWindow if longer, before the analysis clock.
func (m *model) closedRecently(s *radar.Sprint) bool {
	end := s.Complete
	if end.IsZero() {
		end = s.End
	}
	if end.IsZero() {
		return false
	}
	window := recentSprintWindow
	if !s.Start.IsZero() && s.End.After(s.Start) {
		window = max(window, 2*s.End.Sub(s.Start))
	}
	return m.now.Sub(end) <= window
}

// findStale reports recent stalling: in-progress work untouched for
// stale_after (to the hour) but less than abandoned_after, or in progress
// longer than 85 % of its type took. Severity grows with how long it has
// been untouched: info under twice stale_after, warning under four times,
// critical beyond; one step more when it blocks open work. Work untouched
// for abandoned_after is on the project's abandoned_work list instead.
func (m *model) findStale(i int32) {
	is := m.iss[i]
	if is.StatusCategory != radar.CategoryInProgress || m.epic[i] || m.abandoned(i) {
		return
	}
	idle := m.untouchedFor(is)
	since := m.daysSinceUpdate(is)
	ev := radar.StaleFacts{IssueFacts: m.issueFacts(i), DaysSinceUpdate: since, HoursSinceUpdate: int(idle / time.Hour)}
	var reasons []string
	untouched := idle >= m.opts.StaleAfter
	if untouched {
		reasons = append(reasons, "untouched")
	}
	if ps, ok := m.hist.progressStart[i]; ok {
		age := max(0, m.now.Sub(ps).Hours()/24)
		ev.AgeDays = new(round(age, 0))
		if c := m.teams[is.Project].cycles[is.Type]; len(c) >= 5 {
			p85 := percentile(c, 0.85)
			ev.P85CycleDays, ev.Percentile = new(round(p85, 1)), 85
			if age > p85 {
				reasons = append(reasons, "aging")
			}
		}
	}
	if len(reasons) == 0 {
		return
	}
	ev.Reasons = reasons
	sev := radar.SeverityInfo
	if untouched {
		ev.StaleAfterHours = new(int(m.opts.StaleAfter / time.Hour))
		band := 0
		switch {
		case idle >= 4*m.opts.StaleAfter:
			band = 2
		case idle >= 2*m.opts.StaleAfter:
			band = 1
		}
		if m.blast[i] > 0 {
			ev.BlastRadius = int(m.blast[i])
			band = min(2, band+1)
		}
		sev = [...]radar.Severity{radar.SeverityInfo, radar.SeverityWarning, radar.SeverityCritical}[band]
	}
	var title, detail string
	if untouched {
		title = fmt.Sprintf("%s in progress but untouched for %s", is.Key, idleText(idle))
		detail = fmt.Sprintf("%s (%s) has not changed for %s.", is.Key, assigneeText(is), idleText(idle))
		if m.blast[i] > 0 {
			detail += fmt.Sprintf(" It blocks %s.", plural(int(m.blast[i]), "open issue", "open issues"))
		}
	} else {
		title = fmt.Sprintf("%s in progress longer than 85%% of its kind", is.Key)
		detail = fmt.Sprintf("%s (%s) has been in progress for %s, longer than 85%% of recent %s issues took.",
			is.Key, assigneeText(is), plural(int(*ev.AgeDays), "day", "days"), is.Type)
	}
	detail += " Ask whether it is stuck, and either unblock it, split it or move it back."
	m.add(sev, i, "", title, detail, ev)
}

func (m *model) findFlagged(i int32) {
	is := m.iss[i]
	if !is.Flagged {
		return
	}
	since, days := "", 0
	var sinceDate radar.Date
	if t, ok := m.hist.flagSet[i]; ok && !t.Before(m.hist.flagCleared[i]) {
		sinceDate = radar.DateOf(t)
		since = sinceDate.String()
		days = int(m.now.Sub(t) / (24 * time.Hour))
	}
	sev := radar.SeverityWarning
	switch {
	case m.blast[i] <= 0 && !m.live(i):
		// Flagged and untouched for abandoned_after: an impediment
		// nobody is waiting to have removed.
		sev = radar.SeverityInfo
	case days >= 7 || m.blast[i] > 0:
		sev = radar.SeverityCritical
	}
	detail := fmt.Sprintf("%s (%s) is flagged as impeded", is.Key, assigneeText(is))
	if since != "" {
		detail += " since " + since
	}
	detail += ". Find out what it needs and who can remove the impediment."
	m.add(sev, i, "", fmt.Sprintf("%s is flagged as an impediment", is.Key), detail,
		radar.FlaggedFacts{IssueFacts: m.issueFacts(i), FlaggedSince: sinceDate, DaysFlagged: days})
}

func (m *model) findOverrun(i int32) {
	is := m.iss[i]
	if is.OriginalEstimate <= 0 || float64(is.TimeSpent) <= m.opts.OverrunRatio*float64(is.OriginalEstimate) {
		return
	}
	ratio := float64(is.TimeSpent) / float64(is.OriginalEstimate)
	sev := radar.SeverityWarning
	if ratio > 2*m.opts.OverrunRatio {
		sev = radar.SeverityCritical
	}
	m.add(sev, i, "",
		fmt.Sprintf("%s has used %g× its estimate", is.Key, round(ratio, 2)),
		fmt.Sprintf("%s was estimated at %gh and has logged %gh, with %gh still remaining. Re-estimate it and check the plans that rely on it.",
			is.Key, round(is.OriginalEstimate.Hours(), 1), round(is.TimeSpent.Hours(), 1), round(is.RemainingEstimate.Hours(), 1)),
		radar.EffortOverrunFacts{IssueFacts: m.issueFacts(i), OriginalEstimateHours: round(is.OriginalEstimate.Hours(), 1),
			TimeSpentHours: round(is.TimeSpent.Hours(), 1), RemainingEstimateHours: round(is.RemainingEstimate.Hours(), 1), OverrunRatio: round(ratio, 2)})
}

func (m *model) findReopened(i int32, r *reopenInfo) {
	is := m.iss[i]
	sev := radar.SeverityInfo
	if m.open[i] {
		sev = radar.SeverityWarning
		if r.times >= 3 {
			sev = radar.SeverityCritical
		}
	}
	lastDate := radar.DateOf(r.last)
	last := lastDate.String()
	detail := fmt.Sprintf("%s went from done back to not done %s, last on %s.", is.Key, plural(r.times, "time", "times"), last)
	if m.open[i] {
		detail += " Check the acceptance criteria and whether dependent work was released too early."
	} else {
		detail += " It is done again; review why it was reopened."
	}
	m.add(sev, i, "", fmt.Sprintf("%s reopened %s", is.Key, plural(r.times, "time", "times")), detail,
		radar.ReopenedFacts{IssueFacts: m.issueFacts(i), TimesReopened: r.times, LastReopened: lastDate})
}
