package alerts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/slack-go/slack"

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
	out := make([]store.OutboxMessage, len(msgs))
	run := at.UTC().Format(runFormat)
	for j, m := range msgs {
		out[j] = store.OutboxMessage{Key: fmt.Sprintf("%s|digest|%s|%d", r.key, run, j), Route: r.key, Channel: r.channel,
			Op: store.OpPost, Payload: m.marshal()}
	}
	if err := a.st.EnqueueSlackDigest(ctx, r.key, at, out); err != nil {
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

// TestResult is what Slack said to one route's test message.
type TestResult struct {
	Channel   string
	Audience  string
	ChannelID string // as Slack answered; empty for webhooks
	TS        string
	Err       error
	Hint      string // what to do when Err is set
	// Warning says what Radar cannot do in the channel although it can
	// post there: read it back to find a message whose send was cut off.
	Warning string
}

// Test sends one test message to each route's channel now, outside the
// outbox, and reports what Slack said. With a webhook it posts once.
func (a *Alerter) Test(ctx context.Context) []TestResult {
	var out []TestResult
	if a.api == nil && a.webhookURL == "" {
		return []TestResult{{Err: errNoTransport, Hint: "configure a token or webhook first"}}
	}
	for _, r := range a.routes {
		text := fmt.Sprintf("Radar test message for the %s audience. If you can read this, Radar can post here.", r.audience)
		msg := Message{Text: text, Blocks: slack.Blocks{BlockSet: []slack.Block{section("👋 " + text)}}}
		res := TestResult{Channel: r.channel, Audience: r.audience}
		var err error
		if a.api == nil {
			err = slack.PostWebhookCustomHTTPContext(ctx, a.webhookURL, a.client, &slack.WebhookMessage{Text: msg.Text, Blocks: &msg.Blocks})
		} else {
			res.ChannelID, res.TS, err = a.api.PostMessageContext(ctx, r.channel,
				slack.MsgOptionText(msg.Text, false), slack.MsgOptionBlocks(msg.Blocks.BlockSet...))
		}
		if err != nil {
			res.Err = fmt.Errorf("%s", a.redact(err))
			switch code := errorCode(err); {
			case a.api == nil:
				res.Hint = "the webhook did not take the message; check slack.webhook_url (Slack answers 403 or 404 to a revoked or deleted webhook, and a webhook posts only to the channel it was made for), the network and any proxy"
			case code != "":
				res.Hint = hintFor(code, r.channel)
			default:
				res.Hint = "Slack could not be reached; check slack.api_url, the network and any proxy"
			}
		}
		if res.Err == nil && a.api != nil {
			res.Warning = a.testReadBack(ctx, r.channel, res.ChannelID, res.TS)
		}
		out = append(out, res)
		if a.api == nil {
			break
		}
	}
	return out
}

// testReadBack checks that the app can find its test message the way
// delivery looks for a message whose send was cut off: by the channel's
// #name among its channels, and in the channel's history. It returns what
// to fix, or "" when both work.
func (a *Alerter) testReadBack(ctx context.Context, channel, channelID, ts string) string {
	if !isChannelID(channel) {
		delete(a.channelIDs, channel) // resolve it as a rerun would
		if _, err := a.channelID(ctx, channel); err != nil {
			return a.readBackHint(err)
		}
	}
	r, err := a.api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{
		ChannelID: channelID, Latest: ts, Inclusive: true, Limit: 1})
	if err != nil {
		return a.readBackHint(err)
	}
	if len(r.Messages) == 0 || r.Messages[0].Timestamp != ts {
		return "the channel's history does not show the test message; a notification whose send is cut off may be posted twice"
	}
	return ""
}

func (a *Alerter) readBackHint(err error) string {
	const twice = "cannot read the channel back, so a notification whose send is cut off may be posted twice: "
	if errors.Is(err, errNotMember) {
		return twice + lookCodes["not_in_channel"]
	}
	if hint, ok := lookCodes[errorCode(err)]; ok {
		return twice + hint
	}
	return twice + a.redact(err)
}
