package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/radarhq/radar/jirasim"
	"github.com/radarhq/radar/slacksim"
	"github.com/radarhq/radar/store"
	"github.com/radarhq/radar/store/storetest"
)

// The crash suite starts the real radar process (this test binary, through
// TestMain), SIGKILLs it at random moments and reruns it: whatever the
// moment, the rerun must end where an uninterrupted run ends. SQLite's own
// crash tests are the model: kill anywhere, then check the database.

// crashSlackToken is the bot token the fake Slack of the alert trials
// accepts.
const crashSlackToken = "xoxb-crash-test-token"

// crashSeed is the seed of the kill moments; set RADAR_CRASH_SEED to replay
// a failure the log named.
func crashSeed(t *testing.T) uint64 {
	t.Helper()
	if s := os.Getenv("RADAR_CRASH_SEED"); s != "" {
		var seed uint64
		if _, err := fmt.Sscan(s, &seed); err != nil {
			t.Fatalf("RADAR_CRASH_SEED=%q: %v", s, err)
		}
		return seed
	}
	return uint64(time.Now().UnixNano())
}

// killMoments returns n moments spread over [0, span): one random moment in
// each of n equal slots, so the very start and the very end are both
// covered whatever the seed.
func killMoments(rng *rand.Rand, n int, span time.Duration) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = time.Duration((float64(i) + rng.Float64()) / float64(n) * float64(span))
	}
	return out
}

// radarCommand is radar as a child process with args, its environment
// holding the simulators' tokens.
func radarCommand(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Env = append(os.Environ(), "RADAR_TEST_MAIN=1", "RADAR_JIRA_TOKEN=sim-token")
	return cmd
}

// radarToCompletion runs radar to completion and returns its output; a
// non-zero exit is an error. It is safe to call from any goroutine.
func radarToCompletion(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := radarCommand(ctx, args...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("radar %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

// runRadarProcess runs radar to completion; a non-zero exit fails the test.
func runRadarProcess(t *testing.T, args ...string) string {
	t.Helper()
	out, err := radarToCompletion(args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// killAfter starts radar with args, SIGKILLs it after d and reports whether
// the signal found it running (false: it had already exited, and err is
// its exit status). It is safe to call from any goroutine.
func killAfter(d time.Duration, args ...string) (killed bool, out string, err error) {
	cmd := radarCommand(context.Background(), args...)
	buf := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = buf, buf
	if err := cmd.Start(); err != nil {
		return false, "", err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case err := <-exited:
		return false, buf.String(), err
	case <-timer.C:
	}
	cmd.Process.Signal(syscall.SIGKILL)
	err = <-exited
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			return true, buf.String(), nil
		}
	}
	return false, buf.String(), err
}

// dumpDiff lists the lines only one of two canonical dumps holds, at most
// max of each.
func dumpDiff(got, want string, max int) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	var b strings.Builder
	only := func(sign string, xs, ys []string) {
		n := 0
		for _, x := range xs {
			if _, found := slices.BinarySearch(ys, x); !found {
				if n < max {
					fmt.Fprintf(&b, "%s %s\n", sign, x)
				}
				n++
			}
		}
		if n > max {
			fmt.Fprintf(&b, "%s … %d more\n", sign, n-max)
		}
	}
	sort := func(xs []string) []string { xs = slices.Clone(xs); slices.Sort(xs); return xs }
	g, w = sort(g), sort(w)
	only("-", w, g) // missing after the crash
	only("+", g, w) // extra after the crash
	return b.String()
}

// crashJira is one simulated Jira for the sync crash trials; every trial
// reaches it through its own counting front.
type crashJira struct {
	name    string
	sim     *jirasim.Server
	flavor  jirasim.Flavor
	trials  int
	clean   string        // dump of an uninterrupted sync
	span    time.Duration // how long an uninterrupted `radar sync` process takes
	perSync int64         // requests an uninterrupted sync makes
	// template, when set, is the database each trial starts from (a copy);
	// unset, trials start from an empty one.
	template string
}

func newCrashJira(t *testing.T, name string, flavor jirasim.Flavor, trials int, now time.Time) *crashJira {
	t.Helper()
	sc := jirasim.Generate(jirasim.ScenarioConfig{Seed: 21, Projects: []string{"PAY", "WEB"}, IssuesPerProject: 110,
		Now: now, OutsideProject: "LEGACY"})
	sim := jirasim.New(sc, jirasim.Options{Flavor: flavor, Email: "pm@example.com", Token: "sim-token"})
	// Just enough latency that a sync lasts long enough to be killed in
	// every phase.
	sim.SetFaults(jirasim.Faults{Latency: 8 * time.Millisecond})
	return &crashJira{name: name, sim: sim, flavor: flavor, trials: trials}
}

// front serves the simulator on a new port, counting requests.
func (j *crashJira) front(t *testing.T) (string, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		j.sim.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, &n
}

// config writes a radar.yaml syncing the simulator at url into a new
// database.
func (j *crashJira) config(t *testing.T, url string) (cfg, db string) {
	t.Helper()
	dir := t.TempDir()
	db = filepath.Join(dir, "radar.db")
	cfg = filepath.Join(dir, "radar.yaml")
	auth := "  email: pm@example.com\n  flavor: cloud\n"
	if j.flavor == jirasim.DataCenter {
		auth = "  flavor: datacenter\n" // a Bearer personal access token
	}
	body := fmt.Sprintf(`jira:
  url: %s
%s  projects: [PAY, WEB]
  partition_size: 100
  concurrency: 2
  page_size: 10
  requests_per_second: 1000
  dependencies:
    - link: Blocks
      outward: blocks
    - link: Depends
      outward: depends on
store:
  path: %s
log:
  level: warn
`, url, auth, db)
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return cfg, db
}

// measure runs one uninterrupted sync as a process: its dump is what every
// trial must end with, its duration the span the kill moments cover.
func (j *crashJira) measure(t *testing.T) {
	t.Helper()
	url, n := j.front(t)
	cfg, db := j.config(t, url)
	start := time.Now()
	out := runRadarProcess(t, "sync", "--config", cfg)
	j.span = time.Since(start)
	j.perSync = n.Load()
	if !strings.Contains(out, "synced (") {
		t.Fatalf("clean %s sync printed no summary:\n%s", j.name, out)
	}
	j.clean = storetest.DumpFile(t, db, store.SyncVolatile())
	if !strings.Contains(j.clean, "\nissues ") {
		t.Fatalf("the clean %s sync stored no issues", j.name)
	}
}

func TestCrashSyncAtRandomMoments(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills processes")
	}
	seed := crashSeed(t)
	t.Logf("kill moments seeded with %d (RADAR_CRASH_SEED=%d replays them)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	now := time.Now().UTC()
	jiras := []*crashJira{
		newCrashJira(t, "cloud", jirasim.Cloud, 14, now),
		newCrashJira(t, "datacenter", jirasim.DataCenter, 6, now),
	}
	for _, j := range jiras {
		j.measure(t)
		t.Logf("%s: an uninterrupted sync takes %s and %d requests", j.name, j.span.Round(time.Millisecond), j.perSync)
	}
	var kills atomic.Int64
	t.Run("trials", func(t *testing.T) {
		for _, j := range jiras {
			for i, d := range killMoments(rng, j.trials, j.span) {
				t.Run(fmt.Sprintf("%s/%02d", j.name, i), func(t *testing.T) {
					t.Parallel()
					if j.killAndRerun(t, d) {
						kills.Add(1)
					}
				})
			}
		}
	})
	if got, want := kills.Load(), int64(20); got != want {
		t.Errorf("%d syncs killed mid-run, want %d", got, want)
	}
}

// killAndRerun kills a sync of a new database (or a copy of the template)
// at moment d (earlier, when the sync finishes first), reruns it to
// completion and compares the result with the uninterrupted sync. It
// reports whether a kill landed.
func (j *crashJira) killAndRerun(t *testing.T, d time.Duration) bool {
	for attempt := 0; ; attempt++ {
		url, n := j.front(t)
		cfg, db := j.config(t, url)
		if j.template != "" {
			copyTemplate(t, j.template, db)
		}
		killed, out, err := killAfter(d, "sync", "--config", cfg)
		if !killed {
			if err != nil {
				t.Fatalf("sync failed before the kill: %v\n%s", err, out)
			}
			if attempt == 5 {
				t.Errorf("the sync kept finishing before its kill at %s", d)
				return false
			}
			d = d * 4 / 5 // this run was quicker than the measured one
			continue
		}
		t.Logf("killed at %s after %d of %d requests", d.Round(time.Millisecond), n.Load(), j.perSync)
		rerun := runRadarProcess(t, "sync", "--config", cfg)
		if !strings.Contains(rerun, "synced (") {
			t.Fatalf("the rerun printed no summary:\n%s", rerun)
		}
		if got := storetest.DumpFile(t, db, store.SyncVolatile()); got != j.clean {
			t.Errorf("killed at %s after %d requests, then rerun: the database differs from an uninterrupted sync:\n%s",
				d.Round(time.Millisecond), n.Load(), dumpDiff(got, j.clean, 20))
		}
		return true
	}
}

// crashSlack is one alert trial's world: a database copied from the
// template, a fake Slack behind a slow front, and the config joining them.
type crashSlack struct {
	slack *slacksim.Server
	// accepted, when set, is called after the fake Slack handled a
	// request and before its answer goes back.
	accepted atomic.Pointer[func(method string)]
	// busy counts requests the fake Slack is still handling.
	busy atomic.Int64
	cfg  string
	db   string
}

// slackLatency is added to every Slack call, so a kill can land while a
// request is out.
const slackLatency = 25 * time.Millisecond

// newCrashSlack sets a trial up in dir. It is safe to call from any
// goroutine.
func newCrashSlack(t *testing.T, dir, template, jiraURL string) (*crashSlack, error) {
	// Slack stamps messages by its clock, which radar's roughly matches:
	// radar searches the history from its own clock's time.
	c := &crashSlack{slack: slacksim.New(slacksim.Options{Token: crashSlackToken, Now: time.Now}), db: filepath.Join(dir, "radar.db"),
		cfg: filepath.Join(dir, "radar.yaml")}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.busy.Add(1)
		defer c.busy.Add(-1)
		select {
		case <-time.After(slackLatency):
		case <-r.Context().Done():
			return
		}
		rec := httptest.NewRecorder()
		c.slack.ServeHTTP(rec, r)
		if f := c.accepted.Load(); f != nil {
			(*f)(r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:])
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
	}))
	t.Cleanup(srv.Close)
	body, err := os.ReadFile(template)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(c.db, body, 0o600); err != nil {
		return nil, err
	}
	yaml := fmt.Sprintf(`jira:
  url: %s
  email: pm@example.com
  projects: [PAY, WEB]
  requests_per_second: 1000
  dependencies:
    - link: Blocks
      outward: blocks
    - link: Depends
      outward: depends on
store:
  path: %s
slack:
  token: %s
  api_url: %s/api/
  max_individual: 3
  routes:
    - channel: "#delivery"
      min_severity: warning
      kinds: [blocker, flagged, stale, dependency_cycle, release_at_risk]
log:
  level: warn
`, jiraURL, c.db, crashSlackToken, srv.URL)
	return c, os.WriteFile(c.cfg, []byte(yaml), 0o600)
}

// delivered is what a fake Slack shows: one line per message, a reply
// naming its parent's text, each with its final text and how many times it
// was edited, sorted.
func delivered(t *testing.T, s *slacksim.Server) []string {
	t.Helper()
	ms := s.Messages()
	at := map[string]int{} // channel and ts -> index
	for i, m := range ms {
		at[m.ChannelID+" "+m.TS] = i
	}
	var out []string
	for i, m := range ms {
		line := fmt.Sprintf("%s %q (now %q, %d edits)", m.Channel, m.Text, m.CurrentText, len(m.Updates))
		if m.ThreadTS != "" {
			p, ok := at[m.ChannelID+" "+m.ThreadTS]
			if !ok || p > i {
				t.Errorf("reply %q arrived before its parent", m.Text)
				continue
			}
			line = fmt.Sprintf("%s ↳ in thread of %q: %q", m.Channel, ms[p].Text, m.Text)
		}
		out = append(out, line)
	}
	slices.Sort(out)
	return out
}

// alertWorld is a synced template database and a Jira that has moved on
// since: each trial alerts on the template, syncs the changes and alerts
// again, so the second run replies in threads the first one opened.
type alertWorld struct {
	template string
	jiraURL  string
}

func newAlertWorld(t *testing.T) *alertWorld {
	t.Helper()
	now := time.Now().UTC()
	sc := jirasim.Generate(jirasim.ScenarioConfig{Seed: 7, Projects: []string{"PAY", "WEB"}, IssuesPerProject: 70, Now: now})
	sim, srv := storetest.ServeJira(t, sc, jirasim.Options{Email: "pm@example.com", Token: "sim-token"})
	w := &alertWorld{jiraURL: srv.URL}
	dir := t.TempDir()
	w.template = filepath.Join(dir, "template.db")
	cfg := filepath.Join(dir, "radar.yaml")
	body := fmt.Sprintf("jira:\n  url: %s\n  email: pm@example.com\n  projects: [PAY, WEB]\n  requests_per_second: 1000\n"+
		"  dependencies:\n    - link: Blocks\n      outward: blocks\n    - link: Depends\n      outward: depends on\nstore:\n  path: %s\n", srv.URL, w.template)
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	runCmd(t, simTokenEnv, "sync", "--config", cfg)

	// Jira moves on: a flag is lifted, a stale issue is worked on, the
	// blocker is done, and two issues are newly flagged.
	pl := sc.Planted
	touch := func(key string, fn func(*jirasim.Issue)) {
		if err := sim.UpdateIssue(key, fn); err != nil {
			t.Fatalf("update %s: %v", key, err)
		}
	}
	touch(pl.Flagged[0], func(is *jirasim.Issue) { is.Flagged = false })
	touch(pl.Stale[0], func(is *jirasim.Issue) { is.Labels = append(is.Labels, "picked-up") })
	// The blockers' threads get their resolutions: each moves to a done
	// status of its project.
	done := ""
	for _, is := range sim.Issues() {
		if !is.Resolved.IsZero() && strings.HasPrefix(is.Key, "PAY-") {
			done = is.Status
			break
		}
	}
	for _, is := range sim.Issues() {
		if is.Key == "PAY-38" || is.Key == "PAY-63" {
			if err := sim.Transition(is.Key, done); err != nil {
				t.Fatalf("resolve %s: %v", is.Key, err)
			}
		}
	}
	flagged := 0
	for _, is := range sim.Issues() {
		if flagged == 2 {
			break
		}
		if is.Resolved.IsZero() && !is.Flagged && !slices.Contains(pl.Stale, is.Key) && is.Key != pl.Blocker && strings.HasPrefix(is.Key, "PAY-") {
			touch(is.Key, func(is *jirasim.Issue) { is.Flagged = true })
			flagged++
		}
	}
	return w
}

// alertTrial runs the two alert runs of one trial in dir, killing the run
// numbered killRun (1 or 2; 0 kills none) after d and then rerunning it. It
// returns the Slack and how long each (re)run took; killed is false when
// the run finished before its kill. It is safe to call from any goroutine.
//
// inFlight is set when the kill landed after Slack accepted a message and
// before the outbox recorded it (see unackedAtKill).
func (w *alertWorld) alertTrial(t *testing.T, name, dir string, killRun int, d time.Duration) (c *crashSlack, took [2]time.Duration, killed, inFlight bool, err error) {
	c, err = newCrashSlack(t, dir, w.template, w.jiraURL)
	if err != nil {
		return nil, took, false, false, err
	}
	for run := 1; run <= 2; run++ {
		if run == 2 {
			if _, err := radarToCompletion("sync", "--config", c.cfg); err != nil {
				return c, took, killed, inFlight, err
			}
		}
		if run == killRun {
			before := len(c.slack.Messages())
			var out string
			killed, out, err = killAfter(d, "alert", "--config", c.cfg)
			if err != nil {
				return c, took, false, false, fmt.Errorf("alert run %d before its kill: %w\n%s", run, err, out)
			}
			if !killed {
				return c, took, false, false, nil
			}
			t.Logf("%s: run %d killed at %s after %d of its messages", name, run, d.Round(time.Millisecond),
				len(c.slack.Messages())-before)
			if inFlight, err = unackedAtKill(c); err != nil {
				return c, took, killed, inFlight, err
			}
		}
		start := time.Now()
		out, err := radarToCompletion("alert", "--config", c.cfg)
		if err != nil {
			return c, took, killed, inFlight, err
		}
		took[run-1] = time.Since(start)
		if !strings.Contains(out, "; 0 notifications pending") {
			return c, took, killed, inFlight, fmt.Errorf("alert run %d left notifications pending:\n%s", run, out)
		}
	}
	return c, took, killed, inFlight, nil
}

func TestCrashAlertAtRandomMoments(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills processes")
	}
	seed := crashSeed(t)
	t.Logf("kill moments seeded with %d (RADAR_CRASH_SEED=%d replays them)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	w := newAlertWorld(t)
	clean, took, _, _, err := w.alertTrial(t, "clean", t.TempDir(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := delivered(t, clean.slack)
	t.Logf("uninterrupted: run 1 takes %s, run 2 %s; %d messages:\n%s", took[0].Round(time.Millisecond), took[1].Round(time.Millisecond),
		len(want), strings.Join(want, "\n"))

	// Half the kills hit the first run (a summary and the first parents),
	// half the second (replies and edits in those threads). The trials
	// mostly wait on Slack's pacing, so they run side by side.
	type trial struct {
		name string
		run  int
		d    time.Duration
		dir  string
	}
	var trials []trial
	for run := 1; run <= 2; run++ {
		for i, d := range killMoments(rng, 10, took[run-1]) {
			trials = append(trials, trial{name: fmt.Sprintf("run%d-%02d", run, i), run: run, d: d, dir: t.TempDir()})
		}
	}
	var wg sync.WaitGroup
	var inFlightKills atomic.Int64
	for _, tr := range trials {
		wg.Go(func() {
			d := tr.d
			for attempt := 0; ; attempt++ {
				dir := filepath.Join(tr.dir, fmt.Sprint(attempt))
				if err := os.Mkdir(dir, 0o700); err != nil {
					t.Errorf("%s: %v", tr.name, err)
					return
				}
				c, _, killed, inFlight, err := w.alertTrial(t, tr.name, dir, tr.run, d)
				if err != nil {
					t.Errorf("%s (kill at %s): %v", tr.name, d.Round(time.Millisecond), err)
					return
				}
				if !killed {
					if attempt == 5 {
						t.Errorf("%s: alert run %d kept finishing before its kill", tr.name, tr.run)
						return
					}
					d = d * 4 / 5 // this run was quicker than the measured one
					continue
				}
				got := delivered(t, c.slack)
				if inFlight {
					inFlightKills.Add(1)
					// An edit sent twice leaves the same text (chat.update is
					// not looked for): only its count may differ. A post
					// must be found in Slack, never sent twice.
					got, want := withoutEditCounts(got), withoutEditCounts(want)
					if !slices.Equal(got, want) {
						t.Errorf("%s: alert run %d killed at %s with a message in flight, then rerun: Slack shows\n%s\nwant (an uninterrupted run's)\n%s",
							tr.name, tr.run, d.Round(time.Millisecond), strings.Join(got, "\n"), strings.Join(want, "\n"))
					}
					return
				}
				if !slices.Equal(got, want) {
					t.Errorf("%s: alert run %d killed at %s, then rerun: Slack shows\n%s\nwant (an uninterrupted run's)\n%s",
						tr.name, tr.run, d.Round(time.Millisecond), strings.Join(got, "\n"), strings.Join(want, "\n"))
				}
				return
			}
		})
	}
	wg.Wait()
	t.Logf("%d of %d kills landed between Slack accepting a message and the outbox recording it (see TestCrashAlertKilledWithMessageInFlight)",
		inFlightKills.Load(), len(trials))
}

// unackedAtKill reports whether Slack holds a post or edit that the killed
// run's outbox does not record as sent: the kill landed while Slack's answer
// was on its way back.
func unackedAtKill(c *crashSlack) (bool, error) {
	// A request radar sent before it died still reaches Slack: let the
	// fake Slack finish what it holds before counting.
	for deadline := time.Now().Add(10 * time.Second); c.busy.Load() > 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			return false, errors.New("the fake Slack is still handling a request 10s after the kill")
		}
	}
	ctx := context.Background()
	st, err := store.Open(ctx, c.db)
	if err != nil {
		return false, err
	}
	defer st.Close()
	msgs, err := st.OutboxMessages(ctx, "")
	if err != nil {
		return false, err
	}
	var posts, edits int
	for _, m := range msgs {
		switch {
		case m.SentAt.IsZero() || m.TS == "":
		case m.Op == store.OpUpdate:
			edits++
		default:
			posts++
		}
	}
	slackPosts, slackEdits := 0, 0
	for _, m := range c.slack.Messages() {
		slackPosts++
		slackEdits += len(m.Updates)
	}
	return slackPosts > posts || slackEdits > edits, nil
}

var editCount = regexp.MustCompile(`, \d+ edits\)$`)

// withoutEditCounts drops the edit counts from delivered lines.
func withoutEditCounts(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = editCount.ReplaceAllString(l, ")")
	}
	return out
}

// TestCrashAlertKilledWithMessageInFlight kills radar alert at the worst
// moment: Slack has accepted the first message and its answer is on the
// way back. The outbox marked the send in flight and the message carries
// its outbox key in its metadata, so the rerun finds it in the channel's
// history and records it as sent rather than posting it again.
func TestCrashAlertKilledWithMessageInFlight(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills processes")
	}
	w := newAlertWorld(t)
	c, err := newCrashSlack(t, t.TempDir(), w.template, w.jiraURL)
	if err != nil {
		t.Fatal(err)
	}
	cmd := radarCommand(context.Background(), "alert", "--config", c.cfg)
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	var once sync.Once
	started := make(chan *os.Process, 1) // cmd.Process, handed over without a race
	kill := func(method string) {
		if method == "chat.postMessage" {
			once.Do(func() {
				p := <-started
				p.Signal(syscall.SIGKILL)
			})
		}
	}
	c.accepted.Store(&kill)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	started <- cmd.Process
	if err := cmd.Wait(); err == nil {
		t.Fatalf("radar alert finished; it should have been killed:\n%s", out)
	}
	c.accepted.Store(nil)
	if got := len(c.slack.Messages()); got != 1 {
		t.Fatalf("Slack holds %d messages at the kill, want the 1 in flight", got)
	}
	first := c.slack.Messages()[0]
	out2 := runRadarProcess(t, "alert", "--config", c.cfg)
	if !strings.Contains(out2, "; 0 notifications pending") {
		t.Errorf("the rerun left notifications pending:\n%s", out2)
	}
	if got := c.slack.Requests()["conversations.history"]; got != 1 {
		t.Errorf("conversations.history calls = %d, want 1: the message in flight is looked for", got)
	}
	st, err := store.Open(context.Background(), c.db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rows, err := st.OutboxMessages(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	marked := false
	for _, r := range rows {
		if r.TS == first.TS {
			marked = !r.SentAt.IsZero() && r.InFlightAt.IsZero()
		}
	}
	if !marked {
		t.Errorf("no outbox row is marked sent with the ts %s of the message in flight", first.TS)
	}

	seen := map[string]int{}
	for _, m := range c.slack.Messages() {
		seen[m.Channel+" "+m.ThreadTS+" "+m.Text]++
	}
	for k, n := range seen {
		if n > 1 {
			t.Errorf("sent %d times: %s", n, k)
		}
	}
}
