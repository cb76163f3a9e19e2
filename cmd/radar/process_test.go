package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/radarhq/radar/jirasim"
	"github.com/radarhq/radar/store"
	"github.com/radarhq/radar/store/storetest"
)

// TestMain lets a test start this test binary as the real radar process
// (signals, exit codes and all) by setting RADAR_TEST_MAIN=1.
func TestMain(m *testing.M) {
	if os.Getenv("RADAR_TEST_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// radarProcess starts radar with args as a child process.
func radarProcess(t *testing.T, args ...string) (*exec.Cmd, *syncBuffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "RADAR_TEST_MAIN=1", "RADAR_JIRA_TOKEN=sim-token")
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	return cmd, out
}

// slowSim serves a 3-project scenario with latency on every request and
// counts the searches.
func slowSim(t *testing.T) (*jirasim.Server, string, *atomic.Int64) {
	t.Helper()
	sc := jirasim.Generate(jirasim.ScenarioConfig{Seed: 9, Projects: []string{"PAY", "WEB", "OPS"}, IssuesPerProject: 200, Now: time.Now()})
	sim := jirasim.New(sc, jirasim.Options{Email: "pm@example.com", Token: "sim-token"})
	var searches atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "search") {
			searches.Add(1)
		}
		sim.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return sim, srv.URL, &searches
}

func syncConfig(t *testing.T, url string) (string, string) {
	t.Helper()
	dir := t.TempDir()
	db := filepath.Join(dir, "radar.db")
	path := filepath.Join(dir, "radar.yaml")
	body := fmt.Sprintf(`jira:
  url: %s
  email: pm@example.com
  projects: [PAY, WEB, OPS]
  partition_size: 100
  concurrency: 2
  page_size: 20
  requests_per_second: 1000
store:
  path: %s
`, url, db)
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, db
}

// storeDump is the database's canonical dump, what differs between two
// syncs of the same data masked.
func storeDump(t *testing.T, db string) string {
	t.Helper()
	return storetest.DumpFile(t, db, store.SyncVolatile())
}

func waitSearches(t *testing.T, n *atomic.Int64, atLeast int64, out *syncBuffer) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for n.Load() < atLeast {
		if time.Now().After(deadline) {
			t.Fatalf("only %d searches reached Jira; radar said:\n%s", n.Load(), out)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestProcessKilledMidSyncThenRerunMatchesClean(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	sim, url, searches := slowSim(t)
	sim.SetFaults(jirasim.Faults{Latency: 20 * time.Millisecond})
	cfg, db := syncConfig(t, url)
	cmd, out := radarProcess(t, "sync", "--config", cfg)
	waitSearches(t, searches, 8, out)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if strings.Contains(out.String(), "synced") {
		t.Fatalf("the sync finished before it was killed; the test proves nothing:\n%s", out)
	}

	sim.SetFaults(jirasim.Faults{})
	runCmd(t, simTokenEnv, "sync", "--config", cfg)
	got := storeDump(t, db)

	cleanCfg, cleanDB := syncConfig(t, url)
	runCmd(t, simTokenEnv, "sync", "--config", cleanCfg)
	if want := storeDump(t, cleanDB); got != want {
		t.Errorf("killed-then-rerun store differs from a clean sync (%d vs %d bytes)", len(got), len(want))
	}
}

func TestServeExitsOnSIGTERMDuringSyncAndResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	sim, url, searches := slowSim(t)
	sim.SetFaults(jirasim.Faults{Latency: 20 * time.Millisecond})
	cfg, db := syncConfig(t, url)
	// Serve on a free port with the default schedule: the start-up sync is
	// the one SIGTERM interrupts.
	body, _ := os.ReadFile(cfg)
	body = append(body, []byte("http:\n  listen: 127.0.0.1:0\n")...)
	os.WriteFile(cfg, body, 0o600)
	cmd, out := radarProcess(t, "serve", "--config", cfg)
	waitSearches(t, searches, 8, out)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("serve exited with %v after SIGTERM:\n%s", err, out)
		}
	case <-time.After(35 * time.Second): // the default grace period is 30 s
		t.Fatalf("serve still running after its grace period:\n%s", out)
	}
	if !strings.Contains(out.String(), "shutting down") {
		t.Errorf("no shutdown logged:\n%s", out)
	}

	// The next start resumes and ends with everything.
	sim.SetFaults(jirasim.Faults{})
	runCmd(t, simTokenEnv, "sync", "--config", cfg)
	cleanCfg, cleanDB := syncConfig(t, url)
	runCmd(t, simTokenEnv, "sync", "--config", cleanCfg)
	if got, want := storeDump(t, db), storeDump(t, cleanDB); got != want {
		t.Errorf("store after SIGTERM and resume differs from a clean sync (%d vs %d bytes)", len(got), len(want))
	}
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	failed := storetest.Count(t, st, "sync_runs", func(r storetest.Row) bool { _, ok := r["error"]; return ok })
	st.Close()
	if failed != 1 {
		t.Errorf("%d failed sync runs recorded; want the interrupted one", failed)
	}

}

// simTokenEnv is the environment of a radar that talks to the test
// simulator: only RADAR_JIRA_TOKEN is set.
func simTokenEnv(k string) string {
	if k == "RADAR_JIRA_TOKEN" {
		return "sim-token"
	}
	return ""
}
