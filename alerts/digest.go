package alerts

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/store"
)

// topBlockers is how many blockers a digest lists.
const topBlockers = 5

// Routes returns how many routes are configured; Digest takes an index below it.
func (a *Alerter) Routes() int { return len(a.routes) }

// DigestSpec returns the cron spec of route i's digest, "" when it has none.
func (a *Alerter) DigestSpec(i int) string {
	if i < 0 || i >= len(a.routes) {
		return ""
	}
	return a.routes[i].digest
}

// Digest plans route i's digest of the report into the outbox and flushes:
// the open findings the route matches grouped by kind, top blockers by
// blast radius, releases at risk, and what changed in the channel since the
// last digest.
func (a *Alerter) Digest(ctx context.Context, i int, report radar.Report) error {
	if i < 0 || i >= len(a.routes) {
		return fmt.Errorf("digest: no route %d; %d routes are configured", i, len(a.routes))
	}
	unlock, err := a.lockSlack(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	r := a.routes[i]
	msgs, at, err := a.digestMessages(ctx, r, report)
	if err != nil {
		return err
	}
	var p plan
	run := at.UTC().Format(runFormat)
	for j, m := range msgs {
		p.add(r, fmt.Sprintf("digest|%s|%d", run, j), store.OpPost, "", m)
	}
	if err := a.st.EnqueueSlackDigest(ctx, r.key, at, p.msgs); err != nil {
		return fmt.Errorf("digest %s: %w", r.channel, err)
	}
	return a.flush(ctx)
}

func (a *Alerter) digestMessages(ctx context.Context, r route, report radar.Report) ([]Message, time.Time, error) {
	at := a.now()
	last, err := a.st.LastSlackDigest(ctx, r.key)
	if err != nil {
		return nil, at, fmt.Errorf("digest %s: %w", r.channel, err)
	}
	threads, err := a.st.SlackThreads(ctx, r.key)
	if err != nil {
		return nil, at, fmt.Errorf("digest %s: %w", r.channel, err)
	}
	// The risk register: owners and states show beside their findings.
	if report.Findings, err = a.st.AttachAcks(ctx, report.Findings); err != nil {
		return nil, at, fmt.Errorf("digest %s: %w", r.channel, err)
	}
	return a.renderDigest(r, report, threads, last, at), at, nil
}

// renderDigest lays out a digest. threads are what the channel was told;
// last is the previous digest's time (zero for the first).
func (a *Alerter) renderDigest(r route, report radar.Report, threads map[string]store.SlackThread, last, at time.Time) []Message {
	var open, blockers []radar.Finding
	for _, f := range report.Findings {
		if !r.matches(f) {
			continue
		}
		open = append(open, f)
		if f.Kind == radar.KindBlocker {
			blockers = append(blockers, f)
		}
	}
	sortFindings(open)
	sort.SliceStable(blockers, func(i, j int) bool {
		return blockers[i].BlastRadius() > blockers[j].BlastRadius()
	})

	var groups []group
	// Counts by kind, then the top blockers, releases at risk and changes.
	counts := map[radar.Kind]int{}
	for _, f := range open {
		counts[f.Kind]++
	}
	if len(open) > 0 {
		g := group{heading: fmt.Sprintf("*Open findings: %d*", len(open))}
		for _, k := range radar.Kinds {
			if counts[k] > 0 {
				g.lines = append(g.lines, fmt.Sprintf("• %s: %d", k.Label(), counts[k]))
			}
		}
		groups = append(groups, g)
	}
	if len(blockers) > 0 {
		g := group{heading: "*Top blockers by blast radius*"}
		for i, f := range blockers {
			if i == topBlockers {
				break
			}
			g.lines = append(g.lines, fmt.Sprintf("• %s %s: %d issues wait · %s%s", severityIcon(f.Severity), a.subject(f), f.BlastRadius(), escapeN(f.Title, maxTitle), ackTag(f.Ack)))
		}
		groups = append(groups, g)
	}
	if g := a.releasesAtRisk(open); len(g.lines) > 0 {
		groups = append(groups, g)
	}
	if g := a.releasesOverdue(open); len(g.lines) > 0 {
		groups = append(groups, g)
	}
	groups = append(groups, a.changesSince(threads, last, at)...)
	if len(groups) == 0 {
		groups = append(groups, group{heading: "*All clear:* no open findings for this channel."})
	}
	if r.audience == AudienceTeam && len(open) > 0 {
		groups = append(groups, a.byIssue(open)...)
	}
	title := "Radar digest · " + at.UTC().Format("Mon 2 Jan 2006")
	return listMessages(title, "", groups, fmt.Sprintf("Radar · %s digest", r.audience))
}

// releasesOverdue lists the route's release_overdue findings, latest first.
func (a *Alerter) releasesOverdue(open []radar.Finding) group {
	g := group{heading: "*Releases overdue*"}
	var rs []radar.Finding
	for _, f := range open {
		if f.Kind == radar.KindReleaseOverdue {
			rs = append(rs, f)
		}
	}
	facts := func(f radar.Finding) radar.ReleaseOverdueFacts {
		e, _ := f.Evidence.(radar.ReleaseOverdueFacts)
		return e
	}
	sort.SliceStable(rs, func(i, j int) bool { return facts(rs[i]).DaysLate > facts(rs[j]).DaysLate })
	for _, f := range rs {
		e := facts(f)
		g.lines = append(g.lines, fmt.Sprintf("• %s %s: due %s, %d days ago, %d open", severityIcon(f.Severity), escapeN(subjectText(f), maxName),
			orUnknown(e.ReleaseDate.String()), e.DaysLate, e.OpenIssues))
	}
	return g
}

// releasesAtRisk lists the route's release_at_risk findings (open holds
// only findings the route matches, so a route whose kinds or minimum
// severity leave them out gets no section), least likely to ship first.
func (a *Alerter) releasesAtRisk(open []radar.Finding) group {
	g := group{heading: "*Releases at risk*"}
	var rs []radar.Finding
	for _, f := range open {
		if f.Kind == radar.KindReleaseAtRisk {
			rs = append(rs, f)
		}
	}
	facts := func(f radar.Finding) (radar.ReleaseAtRiskFacts, bool) {
		e, ok := f.Evidence.(radar.ReleaseAtRiskFacts)
		return e, ok
	}
	sort.SliceStable(rs, func(i, j int) bool {
		a, _ := facts(rs[i])
		b, _ := facts(rs[j])
		return a.OnTimeProbability < b.OnTimeProbability
	})
	for _, f := range rs {
		e, ok := facts(f)
		line := fmt.Sprintf("• %s %s: P85 %s against release date %s", severityIcon(f.Severity), escapeN(subjectText(f), maxName),
			orUnknown(e.P85.String()), orUnknown(e.ReleaseDate.String()))
		if ok {
			line += fmt.Sprintf(" · on time %.0f%%", e.OnTimeProbability*100)
		}
		g.lines = append(g.lines, line)
	}
	return g
}

// changesSince lists what the channel was told since the last digest.
func (a *Alerter) changesSince(threads map[string]store.SlackThread, last, at time.Time) []group {
	byTransition := map[radar.Transition][]store.SlackThread{}
	for _, t := range threads {
		if !t.ChangedAt.After(last) || t.ChangedAt.After(at) {
			continue
		}
		tr := radar.Transition(t.LastTransition)
		byTransition[tr] = append(byTransition[tr], t)
	}
	since := "since the last digest"
	if last.IsZero() {
		since = "so far"
	}
	var groups []group
	for _, tr := range []struct {
		t     radar.Transition
		label string
	}{
		{radar.TransitionNew, "New"},
		{radar.TransitionEscalated, "Escalated"},
		{radar.TransitionReopened, "Back again"},
		{radar.TransitionResolved, "Resolved"},
	} {
		ts := byTransition[tr.t]
		if len(ts) == 0 {
			continue
		}
		sort.Slice(ts, func(i, j int) bool {
			if ts[i].Issue != ts[j].Issue {
				return ts[i].Issue < ts[j].Issue
			}
			return ts[i].FindingID < ts[j].FindingID
		})
		g := group{heading: fmt.Sprintf("*%s %s (%d)*", tr.label, since, len(ts))}
		for _, t := range ts {
			g.lines = append(g.lines, fmt.Sprintf("• %s %s", a.link(t.Issue), strings.ToLower(radar.Kind(t.Kind).Label())))
		}
		groups = append(groups, g)
	}
	return groups
}
