package alerts

import (
	"fmt"
	"sort"
	"strings"

	"github.com/radarhq/radar"
)

// maxSummary bounds an issue's summary in a Slack line: a glance, the
// link leads to the rest.
const maxSummary = 120

// issueSummary is the issue's summary as escaped mrkdwn after a dash, or ""
// when the finding is not about an issue.
func issueSummary(f radar.Finding) string {
	s := strings.TrimSpace(f.Summary())
	if s == "" {
		return ""
	}
	return " — _" + escapeN(s, maxSummary) + "_"
}

// impactOf is how much a finding holds up: a blocker's blast radius (the
// issues that wait on it), else 0.
func impactOf(f radar.Finding) float64 {
	return float64(f.BlastRadius())
}

// issueGroup is every finding about one subject (an issue key, or a
// finding of its own for versions, sprints and people), most urgent first.
type issueGroup struct {
	findings []radar.Finding
}

func (g issueGroup) lead() radar.Finding { return g.findings[0] }

func (g issueGroup) impact() float64 {
	m := 0.0
	for _, f := range g.findings {
		m = max(m, impactOf(f))
	}
	return m
}

// groupByIssue gathers findings about the same issue, so that a list a
// person reads names each issue once with all its kinds. Groups come most
// severe first, then by impact, then by key as people count.
func groupByIssue(fs []radar.Finding) []issueGroup {
	index := map[string]int{}
	var groups []issueGroup
	for _, f := range fs {
		key := f.ID // not about an issue: a line of its own
		if f.Summary() != "" {
			key = "issue:" + f.Issue
		}
		i, ok := index[key]
		if !ok {
			i = len(groups)
			index[key] = i
			groups = append(groups, issueGroup{})
		}
		groups[i].findings = append(groups[i].findings, f)
	}
	for _, g := range groups {
		sort.SliceStable(g.findings, func(i, j int) bool {
			if ri, rj := g.findings[i].Severity.Rank(), g.findings[j].Severity.Rank(); ri != rj {
				return ri > rj
			}
			return impactOf(g.findings[i]) > impactOf(g.findings[j])
		})
	}
	sort.SliceStable(groups, func(i, j int) bool {
		a, b := groups[i], groups[j]
		if ra, rb := a.lead().Severity.Rank(), b.lead().Severity.Rank(); ra != rb {
			return ra > rb
		}
		if ia, ib := a.impact(), b.impact(); ia != ib {
			return ia > ib
		}
		return radar.CompareKeys(a.lead().Issue, b.lead().Issue) < 0
	})
	return groups
}

// issueLine renders one issue's findings as one list line: the most urgent
// finding's icon, the linked subject and the issue's summary, then each
// finding's kind and what it says.
func (a *Alerter) issueLine(g issueGroup) string {
	lead := g.lead()
	parts := make([]string, len(g.findings))
	for i, f := range g.findings {
		title := cutRunes(clean(f.Title), 200)
		if st := subjectText(f); st != "" && strings.HasPrefix(title, st) {
			title = strings.TrimSpace(title[len(st):])
		}
		parts[i] = "*" + f.Kind.Label() + "*: " + Escape(title) + ackTag(f.Ack)
	}
	page := ""
	if u := a.pageURL(lead); u != "" {
		page = " <" + Escape(u) + "|(Radar)>"
	}
	return fmt.Sprintf("• %s %s%s%s\n      %s", severityIcon(lead.Severity), a.subject(lead), issueSummary(lead), page, strings.Join(parts, " · "))
}

// byIssue lays out findings for people: one line per issue with all its
// kinds, under a heading per severity.
func (a *Alerter) byIssue(fs []radar.Finding) []group {
	var groups []group
	gs := groupByIssue(fs)
	for i := 0; i < len(gs); {
		sev := gs[i].lead().Severity
		j := i
		for j < len(gs) && gs[j].lead().Severity == sev {
			j++
		}
		label := strings.ToUpper(string(sev[:1])) + string(sev[1:])
		g := group{heading: fmt.Sprintf("*%s (%s)*", label, plural(j-i, "subject", "subjects"))}
		for _, ig := range gs[i:j] {
			g.lines = append(g.lines, a.issueLine(ig))
		}
		groups = append(groups, g)
		i = j
	}
	return groups
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
