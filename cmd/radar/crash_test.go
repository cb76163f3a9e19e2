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
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/radarhq/radar/jirasim"
	"github.com/radarhq/radar/store"
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

// runRadarProcess runs radar as a child process to completion and returns
// its output; a non-zero exit fails the test.
func runRadarProcess(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Env = append(os.Environ(), "RADAR_TEST_MAIN=1", "RADAR_JIRA_TOKEN=sim-token", "RADAR_SLACK_TOKEN="+crashSlackToken)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("radar %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// killAfter starts radar with args, SIGKILLs it after d and reports whether
// the signal found it running (false: it had already exited, and its exit
// status is in err).
func killAfter(t *testing.T, d time.Duration, args ...string) (killed bool, out string, err error) {
	t.Helper()
	cmd, buf := radarProcess(t, args...)
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

// canonicalDump checks the database's integrity and returns its canonical
// dump with ignore masked.
func canonicalDump(t *testing.T, path string, ignore store.Ignore) string {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer st.Close()
	if err := st.IntegrityCheck(ctx); err != nil {
		t.Errorf("integrity: %v", err)
	}
	var b strings.Builder
	if err := st.Dump(ctx, &b, ignore); err != nil {
		t.Fatalf("dump %s: %v", path, err)
	}
	return b.String()
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
	j.clean = canonicalDump(t, db, store.SyncVolatile())
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

// killAndRerun kills a sync of a new database at moment d (earlier, when
// the sync finishes first), reruns it to completion and compares the
// result with the clean sync. It reports whether a kill landed.
func (j *crashJira) killAndRerun(t *testing.T, d time.Duration) bool {
	for attempt := 0; ; attempt++ {
		url, n := j.front(t)
		cfg, db := j.config(t, url)
		killed, out, err := killAfter(t, d, "sync", "--config", cfg)
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
		if got := canonicalDump(t, db, store.SyncVolatile()); got != j.clean {
			t.Errorf("killed at %s after %d requests, then rerun: the database differs from a clean sync:\n%s",
				d.Round(time.Millisecond), n.Load(), dumpDiff(got, j.clean, 20))
		}
		return true
	}
}
