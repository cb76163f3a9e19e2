package alerts

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/radarhq/radar"
)

// Block Kit limits Slack enforces.
const (
	maxBlocks      = 50
	maxSectionText = 3000
	maxHeaderText  = 150
	maxFieldText   = 2000
	// maxMessageText keeps one message readable and well under Slack's
	// overall message size limit.
	maxMessageText = 30000
	// listed is how many affected issues a message lists before "and N more".
	listed = 5
)

// Message is one Slack message: the notification text (also what
// screen readers and notifications show) and its Block Kit blocks.
type Message struct {
	Text   string       `json:"text"`
	Blocks slack.Blocks `json:"blocks"`
}

func (m Message) marshal() []byte {
	b, err := json.Marshal(m)
	if err != nil {
		// Blocks built here always marshal; a failure is a programming error.
		panic(fmt.Sprintf("marshal slack message: %v", err))
	}
	return b
}

func decodeMessage(b []byte) (Message, error) {
	var m Message
	if err := json.Unmarshal(b, &m); err != nil {
		return Message{}, fmt.Errorf("decode outbox payload: %w", err)
	}
	return m, nil
}

func severityIcon(s radar.Severity) string {
	switch s {
	case radar.SeverityCritical:
		return "🔴"
	case radar.SeverityWarning:
		return "🟠"
	}
	return "🔵"
}

func mrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, truncate(s, maxSectionText), false, false)
}

func header(s string) slack.Block {
	return slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, truncate(s, maxHeaderText), true, false))
}

func section(s string) slack.Block { return slack.NewSectionBlock(mrkdwn(s), nil, nil) }

func contextBlock(s string) slack.Block {
	return slack.NewContextBlock("", mrkdwn(s))
}

func date(t time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	return t.UTC().Format("2006-01-02")
}

// findingView is what a finding message shows about one finding's state.
type findingView struct {
	change   radar.FindingChange
	owner    string // mrkdwn: a mention or the escaped display name
	resolved bool
	ack      *radar.Ack // what a person said about it; nil when nobody has
}

// subject is the finding's subject as mrkdwn: an issue link or escaped text.
func (a *Alerter) subject(f radar.Finding) string {
	return a.link(subjectText(f))
}

// subjectText names a finding's subject: an issue key, "PROJECT version"
// for releases, or the project.
func subjectText(f radar.Finding) string {
	switch {
	case f.Issue == "":
		return f.Project
	case (f.Kind == radar.KindReleaseAtRisk || f.Kind == radar.KindReleaseOverdue || f.Kind == radar.KindScopeCreep) && f.Project != "" && !strings.HasPrefix(f.Issue, f.Project+" "):
		return f.Project + " " + f.Issue
	}
	return f.Issue
}

// headline is the finding's title as mrkdwn led by its linked subject; a
// title that already starts with the subject is not repeated after it.
func (a *Alerter) headline(f radar.Finding, bold bool) string {
	subj := a.subject(f)
	if bold {
		subj = "*" + subj + "*"
	}
	if st := subjectText(f); st != "" && strings.HasPrefix(f.Title, st) {
		return subj + escapeN(f.Title[len(st):], maxTitle) + issueSummary(f)
	}
	return subj + " " + escapeN(f.Title, maxTitle) + issueSummary(f)
}

// keyList renders issue keys as links, the first few then "and N more".
func (a *Alerter) keyList(keys []string) string {
	parts := make([]string, 0, listed+1)
	for i, k := range keys {
		if i == listed {
			parts = append(parts, fmt.Sprintf("and %d more", len(keys)-listed))
			break
		}
		parts = append(parts, a.link(k))
	}
	return strings.Join(parts, ", ")
}

// impact returns the kind-specific lines: what is delayed, how far it
// reaches. exec drops issue lists.
func (a *Alerter) impact(f radar.Finding, exec bool) []string {
	var lines []string
	var trackRecord string
	switch e := f.Evidence.(type) {
	case radar.BlockerFacts:
		lines = append(lines, fmt.Sprintf("*Blast radius:* %d issues wait on it", e.BlastRadius))
		if !e.EarliestDownstreamDue.IsZero() {
			lines = append(lines, "*Earliest downstream due date:* "+e.EarliestDownstreamDue.String())
		}
		if len(e.DirectDependents) > 0 && !exec {
			lines = append(lines, "*Blocks:* "+a.keyList(e.DirectDependents))
		}
		if len(e.VersionsAffected) > 0 {
			names := make([]string, len(e.VersionsAffected))
			for i, v := range e.VersionsAffected {
				names[i] = escapeN(v, maxName)
			}
			lines = append(lines, "*Delays:* "+strings.Join(names, ", "))
		}
	case radar.ReleaseAtRiskFacts:
		if !e.P85.IsZero() || !e.ReleaseDate.IsZero() {
			lines = append(lines, fmt.Sprintf("*Forecast:* P85 %s against release date %s", orUnknown(e.P85.String()), orUnknown(e.ReleaseDate.String())))
		}
		if !e.P50.IsZero() || !e.P95.IsZero() {
			lines = append(lines, fmt.Sprintf("*Range:* P50 %s · P95 %s", orUnknown(e.P50.String()), orUnknown(e.P95.String())))
		}
		lines = append(lines, fmt.Sprintf("*On-time probability:* %.0f%%", e.OnTimeProbability*100))
		lines = append(lines, fmt.Sprintf("*Remaining items:* %d", e.RemainingItems))
		if len(e.CriticalPath) > 0 && !exec {
			lines = append(lines, "*Critical path:* "+a.keyList(e.CriticalPath))
		}
		trackRecord = e.TrackRecord
	case radar.ReleaseOverdueFacts:
		if !e.ReleaseDate.IsZero() {
			lines = append(lines, fmt.Sprintf("*Release date:* %s, %d days ago", e.ReleaseDate, e.DaysLate))
		}
		lines = append(lines, fmt.Sprintf("*Open issues:* %d", e.OpenIssues))
		if !e.P50.IsZero() || !e.P85.IsZero() {
			lines = append(lines, fmt.Sprintf("*Forecast:* P50 %s · P85 %s", orUnknown(e.P50.String()), orUnknown(e.P85.String())))
		} else if e.ForecastNote != "" {
			lines = append(lines, "*Forecast:* "+escapeN(e.ForecastNote, maxProse))
		}
		if len(e.LateDependencies) > 0 && !exec {
			lines = append(lines, fmt.Sprintf("*Late dependencies:* %d", len(e.LateDependencies)))
		}
		trackRecord = e.TrackRecord
	}
	if trackRecord != "" {
		lines = append(lines, "*Forecast track record:* "+escapeN(trackRecord, maxProse))
	}
	return lines
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return Escape(s)
}

// decision is the question an exec message puts to its readers.
func decision(f radar.Finding) string {
	switch f.Kind {
	case radar.KindBlocker, radar.KindBlockedInProgress, radar.KindOffTrackDependency, radar.KindDependencyCycle:
		return "unblock it now, or re-plan the work that waits on it"
	case radar.KindReleaseAtRisk, radar.KindScopeCreep:
		return "cut scope or move the release date"
	case radar.KindReleaseOverdue:
		return "release what is done and move the rest, or set a new date"
	case radar.KindOverloadedAssignee:
		return "rebalance the work"
	case radar.KindAbandonedWork:
		return "close the abandoned work or move it back to the backlog"
	case radar.KindOverdue, radar.KindDueDateSlipped, radar.KindSprintCarryover, radar.KindEffortOverrun:
		return "accept the new date or add help"
	}
	return "decide whether it needs action"
}

// findingMessage renders the parent message of a finding for an audience.
func (a *Alerter) findingMessage(v findingView, audience string) Message {
	f := v.change.Finding
	exec := audience == AudienceExec
	icon := severityIcon(f.Severity)
	state := ""
	if v.resolved {
		icon, state = "✅", "Resolved · "
	}
	text := fmt.Sprintf("%s %s%s %s: %s", icon, state, f.Kind.Label(), a.subject(f), escapeN(f.Title, maxTitle))
	blocks := []slack.Block{header(fmt.Sprintf("%s %s%s · %s", icon, state, f.Kind.Label(), clean(subjectText(f))))}
	if exec {
		body := []string{"*What breaks:* " + escapeN(f.Title, maxTitle) + issueSummary(f)}
		imp := a.impact(f, true)
		if len(imp) == 0 && f.Detail != "" {
			imp = []string{"*Impact:* " + escapeN(f.Detail, maxProse)}
		}
		body = append(body, imp...)
		if !v.resolved {
			body = append(body, "*Decision:* "+decision(f))
		}
		blocks = append(blocks, section(strings.Join(body, "\n")))
		blocks = append(blocks, contextBlock(fmt.Sprintf("%s %s · %s · project %s", icon, f.Severity, a.subject(f), escapeN(f.Project, maxName))))
	} else {
		body := a.headline(f, true)
		if f.Detail != "" {
			body += "\n" + escapeN(f.Detail, maxProse)
		}
		blocks = append(blocks, section(body))
		fields := []*slack.TextBlockObject{
			field("Severity", string(f.Severity)),
			field("Project", escapeN(f.Project, maxName)),
			field("Owner", v.owner),
			field("First seen", date(v.change.FirstSeen)),
		}
		blocks = append(blocks, slack.NewSectionBlock(nil, fields, nil))
		if imp := a.impact(f, false); len(imp) > 0 {
			blocks = append(blocks, section(strings.Join(imp, "\n")))
		}
		blocks = append(blocks, contextBlock(fmt.Sprintf("Radar · %s · finding %s", Escape(string(f.Kind)), escapeN(f.ID, maxTitle))))
	}
	blocks = append(blocks, a.ackBlocks(v)...)
	if v.resolved {
		blocks = append(blocks, contextBlock(fmt.Sprintf("✅ Over: resolved %s after %s open", date(v.change.ResolvedAt), openFor(v.change))))
	}
	if page := a.pageLink(f); page != "" {
		blocks = append(blocks, contextBlock(page))
	}
	return Message{Text: text, Blocks: slack.Blocks{BlockSet: blocks}}
}

func field(name, value string) *slack.TextBlockObject {
	if value == "" {
		value = "_none_"
	}
	return slack.NewTextBlockObject(slack.MarkdownType, truncate("*"+name+"*\n"+value, maxFieldText), false, false)
}

func openFor(c radar.FindingChange) string {
	if c.FirstSeen.IsZero() || c.ResolvedAt.IsZero() || c.ResolvedAt.Before(c.FirstSeen) {
		return "some time"
	}
	d := c.ResolvedAt.Sub(c.FirstSeen)
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%d days", int(d/(24*time.Hour)))
	case d >= 2*time.Hour:
		return fmt.Sprintf("%d hours", int(d/time.Hour))
	}
	return "under 2 hours"
}

// replyMessage renders a thread reply for a transition.
func (a *Alerter) replyMessage(v findingView, t radar.Transition, prev radar.Severity, audience string) Message {
	f := v.change.Finding
	var line string
	switch t {
	case radar.TransitionEscalated:
		if prev == f.Severity {
			line = fmt.Sprintf("%s *Got worse* (%s): %s", severityIcon(f.Severity), f.Severity, escapeN(f.Title, maxTitle))
			break
		}
		line = fmt.Sprintf("%s *Escalated* from %s to %s: %s", severityIcon(f.Severity), orUnknown(string(prev)), f.Severity, escapeN(f.Title, maxTitle))
	case radar.TransitionResolved:
		line = fmt.Sprintf("✅ *Resolved* after %s open: %s", openFor(v.change), escapeN(f.Title, maxTitle))
	case radar.TransitionReopened:
		line = fmt.Sprintf("↩️ *Back again* (%s): %s", f.Severity, escapeN(f.Title, maxTitle))
	default:
		line = escapeN(f.Title, maxTitle)
	}
	line += ackReplyNote(v, t)
	if audience == AudienceTeam && t != radar.TransitionResolved && v.owner != "" {
		line += "\nOwner: " + v.owner
	}
	if t != radar.TransitionResolved {
		if imp := a.impact(f, audience == AudienceExec); len(imp) > 0 {
			line += "\n" + strings.Join(imp, "\n")
		}
	}
	if page := a.pageLink(f); page != "" {
		line += "\n" + page
	}
	return Message{Text: line, Blocks: slack.Blocks{BlockSet: []slack.Block{section(line)}}}
}

// pageURL is the web UI page of a finding's issue or release, "" when
// http.public_url is not set.
func (a *Alerter) pageURL(f radar.Finding) string {
	if a.publicURL == "" {
		return ""
	}
	return a.publicURL + f.PagePath()
}

// pageLink is the mrkdwn link to a finding's page in the web UI, "" when
// http.public_url is not set. The URL's parts are path-escaped and the
// whole escaped for mrkdwn.
func (a *Alerter) pageLink(f radar.Finding) string {
	if u := a.pageURL(f); u != "" {
		return "<" + Escape(u) + "|See it in Radar>"
	}
	return ""
}

// listMessages lays out a titled list of grouped lines across as many
// messages as Block Kit limits need. Each group starts a new section with
// its heading; long groups continue in further sections.
type group struct {
	heading string
	lines   []string
}

func listMessages(title, intro string, groups []group, footer string) []Message {
	var msgs []Message
	var blocks []slack.Block
	size := 0
	start := func() {
		n := len(msgs) + 1
		h := title
		if n > 1 {
			h = fmt.Sprintf("%s (continued, %d)", title, n)
		}
		blocks = []slack.Block{header(h)}
		size = len(h)
		if n == 1 && intro != "" {
			blocks = append(blocks, section(intro))
			size += len(intro)
		}
	}
	flush := func() {
		msgs = append(msgs, Message{Text: title, Blocks: slack.Blocks{BlockSet: blocks}})
	}
	add := func(text string) {
		// Keep room for the footer context block.
		if len(blocks)+1 >= maxBlocks || size+len(text) > maxMessageText {
			flush()
			start()
		}
		blocks = append(blocks, section(text))
		size += len(text)
	}
	start()
	for _, g := range groups {
		var b strings.Builder
		b.WriteString(g.heading)
		for _, l := range g.lines {
			if b.Len()+1+len(l) > maxSectionText {
				add(b.String())
				b.Reset()
				b.WriteString(g.heading + " (cont.)")
			}
			b.WriteString("\n" + l)
		}
		add(b.String())
	}
	if footer != "" {
		blocks = append(blocks, contextBlock(footer))
	}
	flush()
	return msgs
}

// sortFindings orders findings by kind, then severity (most urgent first),
// then impact (a blocker's blast radius, largest first), then subject as
// people count (PAY-43 before PAY-132).
func sortFindings(fs []radar.Finding) {
	sort.SliceStable(fs, func(i, j int) bool { return findingLess(fs[i], fs[j]) })
}

func findingLess(a, b radar.Finding) bool {
	if ka, kb := a.Kind.Order(), b.Kind.Order(); ka != kb {
		return ka < kb
	}
	if ra, rb := a.Severity.Rank(), b.Severity.Rank(); ra != rb {
		return ra > rb
	}
	if ia, ib := impactOf(a), impactOf(b); ia != ib {
		return ia > ib
	}
	if a.Issue != b.Issue {
		return radar.CompareKeys(a.Issue, b.Issue) < 0
	}
	return a.ID < b.ID
}

// summaryMessages renders a backlog summary of first reports.
func (a *Alerter) summaryMessages(fs []radar.Finding, critical int) []Message {
	fs = append([]radar.Finding(nil), fs...)
	sortFindings(fs)
	intro := fmt.Sprintf("Radar found *%d* open findings. Here they are once, in one place; from now on this channel hears only what changes.", len(fs))
	switch {
	case critical == 1:
		intro += " The critical one also gets its own message and thread."
	case critical > 1:
		intro += fmt.Sprintf(" The %d most critical also get their own message and thread.", critical)
	}
	return listMessages(fmt.Sprintf("Radar: %d open findings", len(fs)), intro, a.byIssue(fs), "Radar · backlog summary")
}
