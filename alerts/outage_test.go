package alerts_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/alerts"
	"github.com/radarhq/radar/config"
	"github.com/radarhq/radar/slacksim"
)

// outageModel is the test's own account of the findings an analysis reports
// over many runs, and of what each route's channel must eventually be told.
type outageModel struct {
	rng    *rand.Rand
	seq    int
	issues []string
	state  map[string]*modelFinding // by issue
	// want is, per route channel and finding id, the thread's story in the
	// order the changes happened.
	want map[string]map[string]*threadStory
}

type modelFinding struct {
	f      radar.Finding
	seen   bool
	open   bool
	first  time.Time
	labels []string // every change's label, in order
}

// threadStory is what one finding's thread in one channel must show: the
// parent's text, the replies and the parent's edits, in order.
type threadStory struct {
	parent  string
	replies []string // "<word> <label>"
	updates []string // labels
}

func newOutageModel(seed uint64, issues []string) *outageModel {
	m := &outageModel{rng: rand.New(rand.NewPCG(seed, 7)), issues: issues, state: map[string]*modelFinding{},
		want: map[string]map[string]*threadStory{"#team": {}, "#exec": {}}}
	for _, is := range issues {
		m.state[is] = &modelFinding{f: finding(radar.KindBlocker, is, radar.SeverityWarning)}
	}
	return m
}

// channels returns the channels a finding's notifications go to: #team
// hears about every project, #exec only about PAY.
func channels(f radar.Finding) []string {
	if f.Project == "PAY" {
		return []string{"#team", "#exec"}
	}
	return []string{"#team"}
}

var severities = []radar.Severity{radar.SeverityInfo, radar.SeverityWarning, radar.SeverityCritical}

// cycle picks up to four findings and changes each one (new, escalated,
// de-escalated, resolved or back again), recording what must be told. It
// returns the run's report (every finding open after the run) and changes.
func (m *outageModel) cycle(at time.Time) (radar.Report, []radar.FindingChange) {
	var changes []radar.FindingChange
	picked := map[string]bool{}
	for n := 1 + m.rng.IntN(4); n > 0; n-- {
		is := m.issues[m.rng.IntN(len(m.issues))]
		if picked[is] {
			continue
		}
		picked[is] = true
		changes = append(changes, m.change(m.state[is], at))
	}
	report := radar.Report{GeneratedAt: at}
	for _, is := range m.issues {
		if s := m.state[is]; s.open {
			report.Findings = append(report.Findings, s.f)
		}
	}
	return report, changes
}

func (m *outageModel) change(s *modelFinding, at time.Time) radar.FindingChange {
	m.seq++
	label := fmt.Sprintf("[c%03d]", m.seq)
	s.labels = append(s.labels, label)
	prev := s.f.Severity
	f := s.f
	f.Title = fmt.Sprintf("%s blocks the release %s", f.Issue, label)
	c := radar.FindingChange{Finding: f, PrevSeverity: prev}
	rank := f.Severity.Rank()
	tell := func(reply string) {
		for _, ch := range channels(f) {
			st := m.want[ch][f.ID]
			if st == nil {
				st = &threadStory{}
				m.want[ch][f.ID] = st
			}
			switch {
			case c.Transition == radar.TransitionNew:
				st.parent = label
			case reply != "":
				st.replies = append(st.replies, reply+" "+label)
				st.updates = append(st.updates, label)
			default:
				st.updates = append(st.updates, label)
			}
		}
	}
	switch {
	case !s.seen:
		f.Severity = severities[m.rng.IntN(len(severities))]
		c.Transition, c.PrevSeverity = radar.TransitionNew, ""
		s.seen, s.open, s.first = true, true, at
		c.Finding = f
		tell("")
	case !s.open:
		f.Severity = severities[m.rng.IntN(len(severities))]
		c.Transition, c.PrevSeverity = radar.TransitionReopened, ""
		s.open = true
		c.Finding = f
		tell("Back again")
	default:
		// An open finding: calmer, worse or over, as its severity allows.
		var moves []radar.Transition
		if rank < radar.SeverityCritical.Rank() {
			moves = append(moves, radar.TransitionEscalated)
		}
		if rank > radar.SeverityInfo.Rank() {
			moves = append(moves, radar.TransitionDeescalated)
		}
		moves = append(moves, radar.TransitionResolved)
		c.Transition = moves[m.rng.IntN(len(moves))]
		switch c.Transition {
		case radar.TransitionEscalated:
			f.Severity = severities[rank] // one step up (ranks start at 1)
			c.Finding = f
			tell("Escalated")
		case radar.TransitionDeescalated:
			f.Severity = severities[rank-2]
			c.Finding = f
			tell("")
		case radar.TransitionResolved:
			s.open = false
			c.ResolvedAt = at
			c.Finding = f
			tell("Resolved")
		}
	}
	c.FirstSeen = s.first
	s.f = c.Finding
	return c
}

// outageRun is one simulated stretch of analysis runs against a faulty Slack.
type outageRun struct {
	runs     int
	runEvery time.Duration
	// weather sets Slack's faults before run i and says whether Slack is
	// down for the whole run (deliver must fail), up (it must succeed) or
	// either (nil).
	weather func(i int, s *slacksim.Server) *bool
	// restartAt lists the runs before which the process restarts: the store
	// is closed and reopened and a new Alerter built on it.
	restartAt []int
}

type outageStats struct {
	downRequests int // requests Slack got in runs it was down for
	maxPending   int
	downRuns     int
}

// simulate runs the stretch inside a synctest bubble, so hours of backoff,
// Retry-After and pacing cost no real time, then flushes once more.
func simulate(t *testing.T, h *harness, m *outageModel, o outageRun) outageStats {
	t.Helper()
	var st outageStats
	synctest.Test(t, func(t *testing.T) {
		h.opts = []alerts.Option{alerts.WithClock(time.Now), alerts.WithPacing(time.Second),
			alerts.WithBackoff(time.Second, 30*time.Second, 6)}
		h.restart()
		for i := 0; i < o.runs; i++ {
			if slices.Contains(o.restartAt, i) {
				h.st.Close()
				h.open()
				h.restart()
			}
			down := o.weather(i, h.slack)
			before := total(h.slack.Requests())
			start := time.Now()
			report, changes := m.cycle(start)
			err := h.a.Deliver(context.Background(), report, changes)
			switch {
			case down != nil && *down && err == nil:
				t.Fatalf("run %d: deliver while Slack is down succeeded", i)
			case down != nil && !*down && err != nil:
				t.Fatalf("run %d: deliver with Slack up: %v", i, err)
			case down != nil && *down:
				st.downRuns++
				st.downRequests += total(h.slack.Requests()) - before
			}
			st.maxPending = max(st.maxPending, h.pending())
			if took := time.Since(start); took > o.runEvery {
				t.Fatalf("run %d took %v of clock time, longer than the %v between runs", i, took, o.runEvery)
			}
			time.Sleep(o.runEvery - time.Since(start))
		}
		h.slack.SetOutage(0, 0)
		if err := h.a.Flush(context.Background()); err != nil {
			t.Fatalf("flush after recovery: %v", err)
		}
		// Database connections must not outlive the bubble.
		h.st.Close()
	})
	h.open()
	t.Logf("%d runs, %d changes; %d requests in %d runs with Slack down; at most %d notifications pending",
		o.runs, m.seq, st.downRequests, st.downRuns, st.maxPending)
	return st
}

// TestLongOutageThenRecoveryTellsEachThreadOnceInOrder runs forty analysis
// runs, fifteen simulated minutes apart, through an Alerter whose Slack
// answers 500s for four hours and then 429s with Retry-After for two and a
// half, while the same findings keep changing (so their threads collect
// several replies and edits) and the process restarts mid-outage. Once Slack
// is back, every channel must have been told every change exactly once, each
// thread's replies and its parent's edits in the order the changes happened,
// parents before their replies, with nothing left pending.
func TestLongOutageThenRecoveryTellsEachThreadOnceInOrder(t *testing.T) {
	const (
		outageStart = 6  // first run with Slack answering 500s
		rateLimitAt = 22 // first run with Slack answering 429s
		recoveryAt  = 32 // first run with Slack back
		retryAfterS = 30
	)
	h, m := outageHarness(t, 1)
	st := simulate(t, h, m, outageRun{runs: 40, runEvery: 15 * time.Minute, restartAt: []int{15, 27},
		weather: func(i int, s *slacksim.Server) *bool {
			switch i {
			case outageStart:
				s.SetOutage(slacksim.ServerError, 0)
			case rateLimitAt:
				s.SetOutage(slacksim.RateLimited, retryAfterS)
			case recoveryAt:
				s.SetOutage(0, 0)
			}
			down := i >= outageStart && i < recoveryAt
			return &down
		}})
	if st.downRequests < 2*st.downRuns {
		t.Errorf("requests while Slack was down = %d in %d runs, want Slack asked at least twice per run", st.downRequests, st.downRuns)
	}
	if st.maxPending < 50 {
		t.Errorf("most notifications pending at once = %d, want at least 50: the outage held too little back", st.maxPending)
	}
	if h.metrics.get("retried") == 0 || h.metrics.get("failed") == 0 {
		t.Errorf("metrics = %v, want retries and failed flushes counted", h.metrics.results)
	}
	if !strings.Contains(h.logs.String(), "slack rate limit; waiting") || !strings.Contains(h.logs.String(), "retry_after=30s") {
		t.Error("logs do not show the 429s' Retry-After honoured")
	}
	checkOutcome(t, h, m)
}

// TestFlappingSlackTellsEachThreadOnceInOrder runs sixty runs against a
// Slack that fails in bursts of 500s, 429s and dropped connections of random
// length, so flushes get part of the way: a thread's parent out and its
// replies stuck, or the other way round. The outcome must be the same as
// with a healthy Slack.
func TestFlappingSlackTellsEachThreadOnceInOrder(t *testing.T) {
	h, m := outageHarness(t, 2)
	rng := rand.New(rand.NewPCG(2, 9))
	kinds := []slacksim.Fault{slacksim.ServerError, slacksim.RateLimited, slacksim.Drop}
	simulate(t, h, m, outageRun{runs: 60, runEvery: 10 * time.Minute, restartAt: []int{20, 41},
		weather: func(i int, s *slacksim.Server) *bool {
			if rng.IntN(3) > 0 {
				s.FailNext(1+rng.IntN(15), kinds[rng.IntN(len(kinds))], 1+rng.IntN(5))
			}
			return nil
		}})
	if h.metrics.get("retried") == 0 || h.metrics.get("failed") == 0 {
		t.Errorf("metrics = %v, want retries and failed flushes counted", h.metrics.results)
	}
	checkOutcome(t, h, m)
}

// outageHarness has two routes on different channels, one team-wide and one
// for executives about PAY only, and a model of nine findings.
func outageHarness(t *testing.T, seed uint64) (*harness, *outageModel) {
	h := newHarness(t, []config.Route{route("#team"), route("#exec", func(r *config.Route) {
		r.Audience, r.Projects = "exec", []string{"PAY"}
	})})
	h.slack.AddUser(slacksim.User{ID: "U0ADA", Name: "ada", Email: "ada@example.com"})
	h.mustRun() // both channels were connected to a clean Jira
	return h, newOutageModel(seed, []string{"PAY-1", "PAY-2", "PAY-3", "PAY-4", "PAY-5", "OPS-1", "OPS-2", "OPS-3", "OPS-4"})
}

// checkOutcome asserts that Slack shows exactly what the model says it must.
func checkOutcome(t *testing.T, h *harness, m *outageModel) {
	t.Helper()
	var often int
	for _, is := range m.issues {
		if len(m.state[is].labels) >= 4 {
			often++
		}
	}
	if often < 3 {
		t.Fatalf("only %d findings changed four times or more; the scenario is too tame", often)
	}
	if n := h.pending(); n != 0 {
		t.Errorf("pending after recovery = %d, want 0", n)
	}
	all := h.messages("")
	assertNoDuplicates(t, all)
	for _, ch := range []string{"#team", "#exec"} {
		t.Run(ch, func(t *testing.T) { checkThreads(t, ch, m.want[ch], all) })
	}
	var wantRows int
	for _, stories := range m.want {
		for _, st := range stories {
			wantRows += 1 + len(st.replies) + len(st.updates)
		}
	}
	rows, err := h.st.OutboxMessages(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != wantRows {
		t.Errorf("outbox rows = %d, want %d: one per planned notification", len(rows), wantRows)
	}
	if got := h.metrics.get("sent"); got != wantRows {
		t.Errorf("sent metric = %d, want %d", got, wantRows)
	}
	if got, want := edits(h.slack.Messages()), wantUpdates(m); got != want {
		t.Errorf("edits in Slack = %d, want %d", got, want)
	}
}

// checkThreads compares a channel's messages with the stories the model
// says it must show.
func checkThreads(t *testing.T, ch string, want map[string]*threadStory, all []slacksim.Message) {
	t.Helper()
	// Replies go to the parent's channel id, not the route's name.
	var ms []slacksim.Message
	ids := map[string]bool{}
	for _, m := range all {
		if m.Channel == ch {
			ids[m.ChannelID] = true
		}
	}
	for _, m := range all {
		if ids[m.ChannelID] {
			ms = append(ms, m)
		}
	}
	parents, replies := split(ms)
	if len(parents) != len(want) {
		t.Errorf("parents = %d, want %d (one per finding)", len(parents), len(want))
	}
	index := map[string]int{} // ts -> arrival position
	for i, msg := range all {
		index[msg.TS] = i
	}
	byLabel := map[string]slacksim.Message{}
	for _, p := range parents {
		label := labelOf(p.Text)
		if _, dup := byLabel[label]; dup {
			t.Errorf("two parents for %s", label)
		}
		byLabel[label] = p
	}
	var findings []string
	for id := range want {
		findings = append(findings, id)
	}
	slices.Sort(findings)
	told := 0
	for _, id := range findings {
		st := want[id]
		p, ok := byLabel[st.parent]
		if !ok {
			t.Errorf("%s: no parent message for its first report %s", id, st.parent)
			continue
		}
		told++
		var gotReplies []string
		for _, r := range replies[p.TS] {
			if index[r.TS] < index[p.TS] {
				t.Errorf("%s: reply %q arrived before its parent", id, r.Text)
			}
			gotReplies = append(gotReplies, replyWord(r.Text)+" "+labelOf(r.Text))
		}
		if !slices.Equal(gotReplies, st.replies) {
			t.Errorf("%s: replies\n got %q\nwant %q", id, gotReplies, st.replies)
		}
		var gotUpdates []string
		for _, u := range p.Updates {
			gotUpdates = append(gotUpdates, labelOf(u.Text))
		}
		if !slices.Equal(gotUpdates, st.updates) {
			t.Errorf("%s: parent edits\n got %q\nwant %q", id, gotUpdates, st.updates)
		}
		if n := len(st.updates); n > 0 && !strings.Contains(p.CurrentText, st.updates[n-1]) {
			t.Errorf("%s: parent shows %q, want its last change %s", id, p.CurrentText, st.updates[n-1])
		}
	}
	var wantReplies, gotReplies int
	for _, st := range want {
		wantReplies += len(st.replies)
	}
	for _, rs := range replies {
		gotReplies += len(rs)
	}
	if told != len(want) || gotReplies != wantReplies {
		t.Errorf("told %d of %d findings and %d of %d replies", told, len(want), gotReplies, wantReplies)
	}
}

// labelOf returns the change label ("[c012]") in a message's text.
func labelOf(text string) string {
	i := strings.Index(text, "[c")
	if i < 0 || i+6 > len(text) {
		return ""
	}
	return text[i : i+6]
}

// replyWord names a thread reply by its kind.
func replyWord(text string) string {
	for _, w := range []string{"Escalated", "Resolved", "Back again"} {
		if strings.Contains(text, "*"+w+"*") {
			return w
		}
	}
	return "?"
}

func total(requests map[string]int) int {
	n := 0
	for _, v := range requests {
		n += v
	}
	return n
}

// edits counts the chat.update edits Slack applied.
func edits(ms []slacksim.Message) int {
	n := 0
	for _, m := range ms {
		n += len(m.Updates)
	}
	return n
}

func wantUpdates(m *outageModel) int {
	n := 0
	for _, stories := range m.want {
		for _, st := range stories {
			n += len(st.updates)
		}
	}
	return n
}
