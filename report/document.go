package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/radarhq/radar"
)

// Document is a status report laid out for reading, in plain text:
// renderers (Markdown, HTML, Slack) only escape and style it.
type Document struct {
	Title    string
	Subtitle string
	Sections []Section
}

// Section is a headed list of lines.
type Section struct {
	Heading string
	Lines   []Line
}

// Line is one list item: an optional bold label, its text, and sub-items.
type Line struct {
	Label string
	Text  string
	Sub   []Line
}

// maxKeys is how many issue keys a line names before "and N more";
// maxChanges how many findings each kind of change lists (a cleanup day
// resolves hundreds).
const (
	maxKeys    = 5
	maxChanges = 10
)

// leftOut says which versions the report leaves out, and why.
func leftOut(st radar.StatusReport) []Line {
	var out []Line
	if st.Dormant > 0 {
		out = append(out, Line{Label: "Not shown", Text: plural(st.Dormant, "unreleased version") + fmt.Sprintf(" with open work but nothing touched for %d days", int(untouchedVersionHiddenAfter.Hours()/24))})
	}
	if st.DoneNotReleased > 0 {
		out = append(out, Line{Label: "Not shown", Text: plural(st.DoneNotReleased, "unreleased version") + " with every issue done: release or archive them in Jira"})
	}
	return out
}

// Lay returns the report's document: a team report names issues, owners
// and notes; an exec report is short and says what needs deciding.
func Lay(st radar.StatusReport) Document {
	scope := "all projects"
	if st.Project != "" {
		scope = strings.ReplaceAll(st.Project, ",", ", ")
	}
	since := "since " + stamp(st.Since)
	if st.LastReport {
		since += " (the last report)"
	}
	d := Document{
		Title:    fmt.Sprintf("Status report · %s · %s", scope, st.GeneratedAt.UTC().Format("Mon 2 Jan 2006")),
		Subtitle: fmt.Sprintf("For %s, generated %s; changes %s.", audienceName(st.Audience), stamp(st.GeneratedAt), since),
	}
	if st.Replay != nil {
		d.Subtitle = fmt.Sprintf("For %s, as of %s, replayed from Jira's changelogs; changes since %s, replayed too: "+
			"\"the last report\" below is the report as of then.", audienceName(st.Audience), stamp(st.GeneratedAt), stamp(st.Since))
	}
	if st.Audience == AudienceExec {
		d = layExec(st, d)
	} else {
		d = layTeam(st, d)
	}
	if st.Replay != nil {
		d.Sections = append(d.Sections, replaySection(*st.Replay))
	}
	return d
}

// replaySection says how a report of the past was rebuilt, and that it
// was not recorded.
func replaySection(r radar.Replay) Section {
	s := Section{Heading: "Replay"}
	for _, n := range r.Notes {
		s.Lines = append(s.Lines, Line{Text: n})
	}
	s.Lines = append(s.Lines, Line{Text: "Not recorded: the next report compares with the last one recorded."})
	return s
}

func audienceName(a string) string {
	if a == AudienceExec {
		return "leadership"
	}
	return "the team"
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

func layTeam(st radar.StatusReport, d Document) Document {
	rel := Section{Heading: "Releases"}
	for _, r := range st.Releases {
		l := Line{Label: r.Project + " " + r.Name, Text: dueText(r)}
		l.Sub = append(l.Sub, Line{Label: "Progress", Text: progress(r)})
		l.Sub = append(l.Sub, Line{Label: "Forecast", Text: forecast(r)})
		for _, why := range r.Reasons {
			text := why.Detail
			if len(why.Issues) > 0 {
				text += ": " + keyList(why.Issues, maxKeys)
			}
			l.Sub = append(l.Sub, Line{Label: "Why", Text: text})
		}
		if tr := trackRecord(st, r); tr != "" {
			l.Sub = append(l.Sub, Line{Label: "Track record", Text: tr})
		}
		rel.Lines = append(rel.Lines, l)
	}
	rel.Lines = append(rel.Lines, leftOut(st)...)
	if len(rel.Lines) == 0 {
		rel.Lines = []Line{{Text: "No unreleased versions."}}
	}
	d.Sections = append(d.Sections, rel)

	risks := Section{Heading: "Top risks", Lines: riskLines(st.Risks)}
	if st.Unowned > 0 {
		risks.Lines = append(risks.Lines, Line{Label: "Unowned", Text: plural(st.Unowned, "open risk") + " nobody has acknowledged"})
	}
	if len(risks.Lines) == 0 {
		risks.Lines = []Line{{Text: "No open risks at warning or above."}}
	}
	d.Sections = append(d.Sections, risks)

	if len(st.Blockers) > 0 {
		bl := Section{Heading: "Blockers"}
		for _, f := range st.Blockers {
			text := fmt.Sprintf("%s waiting — %s", plural(f.BlastRadius(), "issue"), ownerText(f))
			if s := f.Summary(); s != "" {
				text = s + " · " + text
			}
			bl.Lines = append(bl.Lines, Line{Label: f.Issue, Text: text})
		}
		d.Sections = append(d.Sections, bl)
	}

	ch := Section{Heading: "What changed"}
	for _, g := range []struct {
		label string
		fs    []radar.Finding
	}{{"New", st.New}, {"Escalated", st.Escalated}, {"Resolved", st.Resolved}} {
		for i, f := range g.fs {
			if i == maxChanges {
				ch.Lines = append(ch.Lines, Line{Label: g.label, Text: fmt.Sprintf("and %d more", len(g.fs)-maxChanges)})
				break
			}
			ch.Lines = append(ch.Lines, Line{Label: g.label, Text: f.Title})
		}
	}
	for _, r := range st.Releases {
		if !r.PrevP85.IsZero() && r.MovedDays != 0 {
			ch.Lines = append(ch.Lines, Line{Label: "Forecast", Text: fmt.Sprintf("%s %s: P85 moved %s (%s → %s)", r.Project, r.Name, moved(r.MovedDays), r.PrevP85, orUnknown(r.P85.String()))})
		}
	}
	if len(ch.Lines) == 0 {
		ch.Lines = []Line{{Text: "Nothing new, escalated or resolved."}}
	}
	d.Sections = append(d.Sections, ch)

	if len(st.NextSteps) > 0 {
		ns := Section{Heading: "Next steps"}
		for _, n := range st.NextSteps {
			ns.Lines = append(ns.Lines, Line{Label: n.Owner, Text: fmt.Sprintf("%s (%s)", n.Note, subject(n.Finding))})
		}
		d.Sections = append(d.Sections, ns)
	}
	return d
}

func layExec(st radar.StatusReport, d Document) Document {
	head := Section{Heading: "Releases"}
	var decide []Line
	for _, r := range st.Releases {
		text := fmt.Sprintf("%s · %s", verdict(r), forecast(r))
		if !r.PrevP85.IsZero() && r.MovedDays != 0 && len(r.Reasons) > 0 {
			var why []string
			for _, x := range r.Reasons {
				why = append(why, x.Detail)
			}
			text += "; why: " + strings.Join(why, "; ")
		}
		head.Lines = append(head.Lines, Line{Label: r.Project + " " + r.Name, Text: text})
		if late(r) {
			decide = append(decide, Line{Label: r.Project + " " + r.Name, Text: "cut scope or move the date"})
		}
	}
	if tr := st.TrackRecord; tr != nil && tr.Cases > 0 && len(st.Releases) > 0 {
		head.Lines = append(head.Lines, Line{Label: "How far to trust these dates", Text: tr.Text() + " on this site's finished releases"})
	}
	head.Lines = append(head.Lines, leftOut(st)...)
	if len(head.Lines) == 0 {
		head.Lines = []Line{{Text: "No unreleased versions."}}
	}
	d.Sections = append(d.Sections, head)
	for _, f := range st.Risks {
		if f.Severity == radar.SeverityCritical && (f.Ack == nil || !f.Ack.Owned()) {
			decide = append(decide, Line{Label: "Owner needed", Text: f.Title})
		}
	}
	if len(decide) > 0 {
		d.Sections = append(d.Sections, Section{Heading: "Decisions needed", Lines: decide})
	}
	risks := Section{Heading: "Top risks", Lines: riskLines(st.Risks)}
	risks.Lines = append(risks.Lines, Line{Label: "Since the last report", Text: fmt.Sprintf("%d new, %d escalated, %d resolved; %d unowned",
		len(st.New), len(st.Escalated), len(st.Resolved), st.Unowned)})
	d.Sections = append(d.Sections, risks)
	return d
}

// trackRecord says how far to trust a release's forecast: how often the
// P85 held on the site's finished releases (the last backtest), and the
// P85 at each earlier report; "" when neither is known.
func trackRecord(st radar.StatusReport, r radar.ReleaseStatus) string {
	var parts []string
	switch tr := st.TrackRecord; {
	case tr == nil || r.P85.IsZero():
	case tr.Cases == 0:
		parts = append(parts, "no finished release to check the forecasts against yet")
	default:
		parts = append(parts, tr.Text()+" on this site's finished releases")
	}
	if len(r.History) > 1 {
		var h []string
		for _, p := range r.History {
			h = append(h, fmt.Sprintf("%s (%s)", orUnknown(p.P85.String()), p.At.UTC().Format("Jan 2")))
		}
		parts = append(parts, "P85 at each report "+strings.Join(h, " → "))
	}
	return strings.Join(parts, "; ")
}

// riskLines lists risks with their severity, owner and state.
func riskLines(fs []radar.Finding) []Line {
	var out []Line
	for _, f := range fs {
		out = append(out, Line{Label: string(f.Severity), Text: f.Title + " — " + ownerText(f)})
	}
	return out
}

// late reports whether a release's P85 is after its release date.
func late(r radar.ReleaseStatus) bool {
	return !r.ReleaseDate.IsZero() && r.P85.After(r.ReleaseDate)
}

func verdict(r radar.ReleaseStatus) string {
	switch {
	case r.ReleaseDate.IsZero():
		return "no date set"
	case r.P85.IsZero():
		return "no forecast yet"
	case late(r):
		return "at risk"
	}
	return "on track"
}

func dueText(r radar.ReleaseStatus) string {
	if r.ReleaseDate.IsZero() {
		return "no release date"
	}
	return "due " + r.ReleaseDate.String()
}

func progress(r radar.ReleaseStatus) string {
	s := fmt.Sprintf("%d of %d done", r.Done, r.Total)
	if r.Total > 0 {
		s += fmt.Sprintf(" (%d%%)", r.Done*100/r.Total)
	}
	if len(r.Added) > 0 || len(r.Removed) > 0 {
		s += fmt.Sprintf("; scope +%d −%d since the last report", len(r.Added), len(r.Removed))
	}
	return s
}

func forecast(r radar.ReleaseStatus) string {
	if r.P85.IsZero() {
		return "no forecast yet (no throughput history or nothing left)"
	}
	s := "P85 " + r.P85.String()
	if !r.ReleaseDate.IsZero() {
		s += fmt.Sprintf(" against %s (%.0f%% on time)", r.ReleaseDate, r.OnTimeProbability*100)
	}
	switch {
	case r.PrevP85.IsZero():
	case r.MovedDays == 0:
		s += ", " + moved(0) + " since the last report"
	default:
		s += ", " + moved(r.MovedDays) + " than at the last report"
	}
	return s
}

// ownerText names a finding's owner and state.
func ownerText(f radar.Finding) string {
	if f.Ack == nil {
		return "unowned"
	}
	switch f.Ack.State {
	case radar.AckSnoozed:
		return "snoozed by " + f.Ack.By
	case radar.AckDismissed:
		return "not a risk, says " + f.Ack.By
	}
	return "owner " + f.Ack.By
}

func subject(f radar.Finding) string {
	if f.Issue != "" {
		return string(f.Kind) + " " + f.Issue
	}
	return f.ID
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
