package alerts

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/store"
)

// Deliver plans the notifications the finding changes call for into the
// outbox (idempotently: planning the same run twice adds nothing), then
// flushes the outbox. report supplies the run time and the findings open now.
func (a *Alerter) Deliver(ctx context.Context, report radar.Report, changes []radar.FindingChange) error {
	unlock, err := a.lockSlack(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	if err := a.plan(ctx, report, changes); err != nil {
		return err
	}
	return a.flush(ctx)
}

// lockSlack takes the database's Slack lock, shared by every Radar process
// on the database: one planner and sender at a time, so two processes (a
// `radar alert` beside `radar serve`) can neither plan a finding's first
// message twice nor send one outbox row twice. It waits while another
// holds it.
func (a *Alerter) lockSlack(ctx context.Context) (func(), error) {
	l, err := a.st.WaitLock(ctx, store.LockSlack)
	if err != nil {
		return nil, fmt.Errorf("slack: %w", err)
	}
	return func() { l.Unlock() }, nil
}

// Plan records in the outbox, for every route, the messages the changes call
// for, and the routes' thread states, without sending anything.
//
// Resolutions are reconciled against state rather than taken only from the
// changes: a thread open in a route whose finding is neither in
// report.Findings nor among the changes' open findings is resolved from the
// finding's last recorded state, so a resolution whose run was recorded but
// never planned (a crash, or `radar analyze --record` in between) is still
// told. Changes must therefore come with the run's report.
func (a *Alerter) Plan(ctx context.Context, report radar.Report, changes []radar.FindingChange) error {
	unlock, err := a.lockSlack(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	return a.plan(ctx, report, changes)
}

func (a *Alerter) plan(ctx context.Context, report radar.Report, changes []radar.FindingChange) error {
	a.planMu.Lock()
	defer a.planMu.Unlock()
	at := report.GeneratedAt
	if at.IsZero() {
		at = a.now()
	}
	m := a.mentions(true)
	open := openIDs(report.Findings, changes)
	acks, err := a.st.Acks(ctx)
	if err != nil {
		return fmt.Errorf("plan: %w", err)
	}
	escalated := map[string]radar.Finding{}
	for _, r := range a.routes {
		threads, err := a.st.SlackThreads(ctx, r.key)
		if err != nil {
			return fmt.Errorf("plan %s: %w", r.channel, err)
		}
		seen, err := a.st.SlackRouteSeen(ctx, r.key)
		if err != nil {
			return fmt.Errorf("plan %s: %w", r.channel, err)
		}
		gone, err := a.goneFindings(ctx, threads, open, changes, at)
		if err != nil {
			return fmt.Errorf("plan %s: %w", r.channel, err)
		}
		p, err := a.planRoute(ctx, r, threads, seen, append(changes[:len(changes):len(changes)], gone...), at, m, acks)
		if err != nil {
			return fmt.Errorf("plan %s: %w", r.channel, err)
		}
		added, err := a.st.EnqueueSlack(ctx, r.key, p.msgs, p.threads)
		if err != nil {
			return fmt.Errorf("plan %s: %w", r.channel, err)
		}
		if added > 0 || p.summarised > 0 {
			a.log.Info("planned notifications", "channel", r.channel, "audience", r.audience,
				"messages", added, "summarised", p.summarised)
		}
		for _, f := range p.escalated {
			escalated[f.ID] = f
		}
	}
	for _, f := range escalated {
		// Told once: the next run measures from here.
		if err := a.st.RebaseAck(ctx, f); err != nil {
			return fmt.Errorf("plan: %w", err)
		}
	}
	return a.reminders(ctx, acks, open, at)
}

// openIDs returns the ids of the findings open in a run: the report's
// findings and every change that is not a resolution.
func openIDs(findings []radar.Finding, changes []radar.FindingChange) map[string]bool {
	open := make(map[string]bool, len(findings)+len(changes))
	for _, f := range findings {
		open[f.ID] = true
	}
	for _, c := range changes {
		if c.Transition != radar.TransitionResolved {
			open[c.Finding.ID] = true
		}
	}
	return open
}

// goneFindings returns a resolution for every thread open in a route whose
// finding is not open in this run and not resolved by changes, carrying the
// finding's last recorded state (or what the thread knows of it when the
// finding was never recorded).
func (a *Alerter) goneFindings(ctx context.Context, threads map[string]store.SlackThread, open map[string]bool,
	changes []radar.FindingChange, at time.Time) ([]radar.FindingChange, error) {
	resolved := map[string]bool{}
	for _, c := range changes {
		if c.Transition == radar.TransitionResolved {
			resolved[c.Finding.ID] = true
		}
	}
	var ids []string
	for id, t := range threads {
		if t.Open && !open[id] && !resolved[id] {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	sort.Strings(ids)
	known, err := a.st.FindingsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]radar.FindingChange, 0, len(ids))
	for _, id := range ids {
		t := threads[id]
		c := radar.FindingChange{Transition: radar.TransitionResolved, FirstSeen: t.FirstAt, ResolvedAt: at}
		if k, ok := known[id]; ok {
			c.Finding, c.FirstSeen = k.Finding, k.FirstSeen
			if !k.ResolvedAt.IsZero() {
				c.ResolvedAt = k.ResolvedAt
			}
		} else {
			c.Finding = radar.Finding{ID: id, Kind: radar.Kind(t.Kind), Issue: t.Issue, Severity: radar.Severity(t.Severity),
				Title: "no longer reported by the analysis"}
		}
		c.PrevSeverity = c.Finding.Severity
		out = append(out, c)
	}
	return out, nil
}

// runFormat names a run (or a resolution time) in outbox keys.
const runFormat = "20060102T150405.000"

// plan is what one route will send for one run.
type plan struct {
	msgs       []store.OutboxMessage
	threads    []store.SlackThread
	summarised int // findings reported only in a summary
	// escalated are acknowledged, snoozed or dismissed findings re-alerted
	// because they got worse.
	escalated []radar.Finding
}

func (p *plan) add(r route, key, op, findingID string, m Message) {
	p.msgs = append(p.msgs, store.OutboxMessage{
		Key: r.key + "|" + key, Route: r.key, Channel: r.channel, Op: op, FindingID: findingID, Payload: m.marshal(),
	})
}

// planRoute decides, from what the route's channel was told before
// (threads) and what people said about the findings (acks), what this
// run's changes call for. It does no I/O except through mention lookups.
//
// An acknowledged, snoozed (until its end) or dismissed finding stays
// quiet, but for its resolution, until it gets worse than when it was
// acknowledged (radar.Ack.Escalates): then it re-alerts once, saying who
// acknowledged it.
func (a *Alerter) planRoute(ctx context.Context, r route, threads map[string]store.SlackThread, seen bool,
	changes []radar.FindingChange, at time.Time, mention *mentioner, acks map[string]radar.Ack) (plan, error) {
	var p plan
	run := at.UTC().Format(runFormat)
	sorted := append([]radar.FindingChange(nil), changes...)
	sort.SliceStable(sorted, func(i, j int) bool { return findingLess(sorted[i].Finding, sorted[j].Finding) })
	view := func(c radar.FindingChange, resolved bool) (findingView, error) {
		v := findingView{change: c, resolved: resolved}
		if k, ok := acks[c.Finding.ID]; ok {
			v.ack = &k
		}
		if r.audience == AudienceTeam {
			owner, err := mention.owner(ctx, c.Finding)
			if err != nil {
				return v, err
			}
			v.owner = owner
			if v.ack != nil && v.ack.Owned() {
				v.owner = actor(*v.ack) // who acknowledged it owns it
			}
		}
		return v, nil
	}
	state := func(c radar.FindingChange, t store.SlackThread, transition radar.Transition) store.SlackThread {
		f := c.Finding
		t.Route, t.FindingID, t.Channel, t.Kind, t.Issue = r.key, f.ID, r.channel, string(f.Kind), f.Issue
		t.Severity, t.LastTransition, t.ChangedAt = string(f.Severity), string(transition), at
		if t.FirstAt.IsZero() {
			t.FirstAt = at
		}
		return t
	}
	// parent posts a finding's own message, starting its thread.
	parent := func(c radar.FindingChange, t store.SlackThread, transition radar.Transition) error {
		v, err := view(c, false)
		if err != nil {
			return err
		}
		p.add(r, fmt.Sprintf("%s|%s|parent|%s", c.Finding.ID, transition, run), store.OpParent, c.Finding.ID, a.findingMessage(v, r.audience))
		t = state(c, t, transition)
		t.InSummary, t.Open = false, true
		p.threads = append(p.threads, t)
		return nil
	}
	// followUp replies in the thread and updates the parent.
	followUp := func(c radar.FindingChange, t store.SlackThread, transition radar.Transition, prev radar.Severity, reply bool) error {
		resolved := transition == radar.TransitionResolved
		v, err := view(c, resolved)
		if err != nil {
			return err
		}
		id := c.Finding.ID
		stamp := run
		if resolved && !c.ResolvedAt.IsZero() {
			// Keyed by when the finding resolved, not by the run that noticed:
			// an explicit resolution and one reconciled from state are one.
			stamp = c.ResolvedAt.UTC().Format(runFormat)
		}
		if reply {
			p.add(r, fmt.Sprintf("%s|%s|reply|%s", id, transition, stamp), store.OpReply, id, a.replyMessage(v, transition, prev, r.audience))
		}
		p.add(r, fmt.Sprintf("%s|%s|update|%s", id, transition, stamp), store.OpUpdate, id, a.findingMessage(v, r.audience))
		t = state(c, t, transition)
		t.Open = !resolved
		p.threads = append(p.threads, t)
		return nil
	}

	var fresh []radar.FindingChange
	for _, c := range sorted {
		f := c.Finding
		if !r.inScope(f) && c.Transition != radar.TransitionResolved {
			// A resolution still closes a thread the route opened.
			continue
		}
		t, has := threads[f.ID]
		own := has && !t.InSummary // the finding has its own message and thread
		rank := f.Severity.Rank()
		if k, ok := acks[f.ID]; ok && c.Transition != radar.TransitionResolved && k.Active(at) {
			if !k.Escalates(f) || !r.matches(f) {
				continue // quiet: a person has it in hand, or said it is no risk
			}
			p.escalated = append(p.escalated, f)
			var err error
			if own {
				err = followUp(c, t, radar.TransitionEscalated, k.Severity, true)
			} else {
				err = parent(c, t, radar.TransitionEscalated)
			}
			if err != nil {
				return p, err
			}
			continue
		}
		switch {
		case c.Transition == radar.TransitionResolved:
			if !has || !t.Open {
				continue
			}
			if own {
				if err := followUp(c, t, radar.TransitionResolved, "", true); err != nil {
					return p, err
				}
				continue
			}
			t = state(c, t, radar.TransitionResolved)
			t.Open = false
			p.threads = append(p.threads, t)
		case !r.matches(f) && !(has && t.Open):
			// Below the route's threshold and nothing open to follow up.
		case !has:
			fresh = append(fresh, c)
		case !t.Open:
			// It was over in this channel and is back.
			if own {
				if err := followUp(c, t, radar.TransitionReopened, "", true); err != nil {
					return p, err
				}
			} else {
				fresh = append(fresh, c)
			}
		case rank > radar.Severity(t.Severity).Rank():
			if own {
				if err := followUp(c, t, radar.TransitionEscalated, radar.Severity(t.Severity), true); err != nil {
					return p, err
				}
			} else if err := parent(c, t, radar.TransitionEscalated); err != nil {
				// First reported in a summary: it now gets its own message.
				return p, err
			}
		case rank < radar.Severity(t.Severity).Rank():
			// Calmer: the parent shows it, the thread stays quiet.
			if own {
				if err := followUp(c, t, radar.TransitionDeescalated, "", false); err != nil {
					return p, err
				}
			} else {
				p.threads = append(p.threads, state(c, t, radar.TransitionDeescalated))
			}
		default:
			// Unchanged for this channel: nothing to say.
		}
	}
	if len(fresh) == 0 {
		return p, nil
	}
	if seen && len(fresh) <= a.settings.MaxIndividual {
		for _, c := range fresh {
			if err := parent(c, threads[c.Finding.ID], transitionOf(c)); err != nil {
				return p, err
			}
		}
		return p, nil
	}
	// A backlog is not news: one summary, and own messages for the critical
	// ones, at most max_individual of them (the most urgent kinds first).
	fs := make([]radar.Finding, len(fresh))
	own := map[string]bool{}
	for i, c := range fresh {
		fs[i] = c.Finding
		if c.Finding.Severity == radar.SeverityCritical && len(own) < a.settings.MaxIndividual {
			own[c.Finding.ID] = true
		}
	}
	for i, m := range a.summaryMessages(fs, len(own)) {
		p.add(r, fmt.Sprintf("summary|%s|%d", run, i), store.OpPost, "", m)
	}
	for _, c := range fresh {
		if own[c.Finding.ID] {
			if err := parent(c, threads[c.Finding.ID], transitionOf(c)); err != nil {
				return p, err
			}
			continue
		}
		t := state(c, threads[c.Finding.ID], transitionOf(c))
		t.InSummary, t.Open = true, true
		p.threads = append(p.threads, t)
		p.summarised++
	}
	return p, nil
}

// transitionOf names a first report in this route.
func transitionOf(c radar.FindingChange) radar.Transition {
	if c.Transition == radar.TransitionReopened {
		return radar.TransitionReopened
	}
	return radar.TransitionNew
}
