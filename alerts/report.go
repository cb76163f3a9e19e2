package alerts

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/radarhq/radar/report"
	"github.com/radarhq/radar/store"
)

// ReportSpec returns the cron spec of route i's status report, "" when it
// has none.
func (a *Alerter) ReportSpec(i int) string {
	if i < 0 || i >= len(a.routes) {
		return ""
	}
	return a.routes[i].report
}

// ReportScope returns the projects and audience route i's status report
// is for: its projects joined by commas ("" when it covers all) and its
// audience.
func (a *Alerter) ReportScope(i int) (projects, audience string) {
	if i < 0 || i >= len(a.routes) {
		return "", AudienceTeam
	}
	r := a.routes[i]
	return strings.Join(slices.Sorted(maps.Keys(r.projects)), ","), r.audience
}

// ReportMessages lays a status report out as Slack messages, as many as
// Block Kit's limits need. Every text is escaped for mrkdwn.
func ReportMessages(d report.Document) []Message {
	groups := make([]group, 0, len(d.Sections))
	var line func(l report.Line, indent string) []string
	line = func(l report.Line, indent string) []string {
		s := indent + "• "
		if indent != "" {
			s = indent + "◦ "
		}
		if l.Label != "" {
			s += "*" + escapeN(l.Label, maxName) + ":* "
		}
		out := []string{s + escapeN(l.Text, maxProse)}
		for _, sub := range l.Sub {
			out = append(out, line(sub, indent+"    ")...)
		}
		return out
	}
	for _, s := range d.Sections {
		g := group{heading: "*" + Escape(s.Heading) + "*"}
		for _, l := range s.Lines {
			g.lines = append(g.lines, line(l, "")...)
		}
		groups = append(groups, g)
	}
	return listMessages(clean(d.Title), "_"+Escape(d.Subtitle)+"_", groups, "Radar · status report")
}

// PostReport posts a status report to route i's channel through the
// outbox, and flushes.
func (a *Alerter) PostReport(ctx context.Context, i int, d report.Document) error {
	if i < 0 || i >= len(a.routes) {
		return fmt.Errorf("post report: no route %d; %d routes are configured", i, len(a.routes))
	}
	unlock, err := a.lockSlack(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	r := a.routes[i]
	run := a.now().UTC().Format(runFormat)
	var p plan
	for j, m := range ReportMessages(d) {
		p.add(r, fmt.Sprintf("report|%s|%d", run, j), store.OpPost, "", m)
	}
	if _, err := a.st.EnqueueSlackPosts(ctx, p.msgs); err != nil {
		return fmt.Errorf("post report to %s: %w", r.channel, err)
	}
	a.log.Info("status report planned", "channel", r.channel, "messages", len(p.msgs), "title", strings.TrimSpace(d.Title))
	return a.flush(ctx)
}
