package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/radarhq/radar/alerts"
	"github.com/radarhq/radar/config"
	"github.com/radarhq/radar/jirasim"
	"github.com/radarhq/radar/service"
	"github.com/radarhq/radar/slacksim"
	"github.com/radarhq/radar/store"
)

// runDemo runs the whole of Radar on a machine with nothing else: the Jira
// simulator with a realistic scenario, the service syncing it into a SQLite
// file on a fast schedule, and a fake Slack that prints what Radar posts.
// A background actor moves the simulated project along so alerts happen.
func runDemo(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "demo")
	db := fs.String("db", "./radar.db", "SQLite file")
	listen := fs.String("listen", "127.0.0.1:9317", "HTTP address for the web UI, /metrics and /api")
	flavor := fs.String("flavor", "cloud", "simulated Jira flavour: cloud or datacenter")
	every := fs.Duration("sync-every", 15*time.Second, "how often Radar syncs")
	tick := fs.Duration("tick", 10*time.Second, "how often the simulated project moves")
	duration := fs.Duration("duration", 0, "stop after this long (0: run until interrupted)")
	quiet := fs.Bool("quiet", false, "do not print Slack messages")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *flavor != "cloud" && *flavor != "datacenter" {
		return fmt.Errorf("%w: --flavor must be cloud or datacenter", errUsage)
	}
	if *duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *duration)
		defer cancel()
	}
	out := &lockedWriter{w: e.stdout}
	if err := freshDemoDB(*db); err != nil {
		return err
	}

	// The Jira simulator.
	now := time.Now().UTC()
	sc := jirasim.Generate(jirasim.Demo(now))
	const jiraEmail, jiraToken = "demo@radar.example", "demo-jira-token"
	sim := jirasim.New(sc, jirasim.Options{Flavor: jirasim.Flavor(*flavor), Email: jiraEmail, Token: jiraToken})
	jiraURL, stopJira, err := serveLocal(sim)
	if err != nil {
		return err
	}
	defer stopJira()

	// The fake Slack, printing to the console.
	const slackToken = "xoxb-demo-token"
	sopts := slacksim.Options{Token: slackToken, Now: time.Now} // real ts: a rerun finds messages a killed demo sent
	if !*quiet {
		sopts.Printer = out
	}
	slack := slacksim.New(sopts)
	slackURL, stopSlack, err := serveLocal(slack)
	if err != nil {
		return err
	}
	defer stopSlack()

	cfg := config.Default()
	cfg.Jira.URL = jiraURL
	cfg.Jira.Token = jiraToken
	if *flavor == "cloud" {
		cfg.Jira.Email = jiraEmail
	}
	cfg.Jira.Flavor = *flavor
	for _, p := range sc.Projects {
		if p.Key != jirasim.Demo(now).OutsideProject {
			cfg.Jira.Projects = append(cfg.Jira.Projects, p.Key)
		}
	}
	cfg.Jira.Dependencies = []config.Dependency{{Link: "Blocks", Outward: config.OutwardBlocks}, {Link: "Depends", Outward: config.OutwardDependsOn}}
	cfg.Jira.ReconcileEvery = time.Minute
	cfg.Store.Path = *db
	cfg.Schedule.Sync = fmt.Sprintf("@every %s", *every)
	cfg.HTTP.Listen = *listen
	cfg.Slack.Token = slackToken
	cfg.Slack.APIURL = slackURL + "/api/"
	cfg.Slack.Routes = []config.Route{
		{Channel: "#delivery", MinSeverity: "warning", Audience: "team", Digest: "*/5 * * * *"},
		{Channel: "#leadership", MinSeverity: "critical", Audience: "exec", Kinds: []string{"release_at_risk", "blocker", "dependency_cycle"}},
	}
	// Every section but the schedule, which is faster than a real site
	// would use: the flags (--listen) are checked as serve checks the file.
	if err := cfg.Validate(slices.DeleteFunc(slices.Clone(everything), func(s config.Section) bool { return s == config.SectionSchedule })...); err != nil {
		return fmt.Errorf("demo config: %w", err)
	}

	log := newLogger(e, &cfg)
	svc, err := service.New(ctx, &cfg, service.Options{
		Logger: log,
		// The fake Slack has no rate limit: pace faster than real Slack's
		// one message per second per channel so the demo fills in quickly.
		AlertOptions: []alerts.Option{alerts.WithPacing(100 * time.Millisecond)},
		Listening: func(addr string) {
			fmt.Fprintf(out, `
Radar demo is running.
  Jira simulator  %s  (%s; projects %v)
  fake Slack      %s  (messages print below)
  database        %s
  web UI          http://%s/
  metrics         http://%s/metrics
  findings API    http://%s/api/findings
  versions API    http://%s/api/versions
  health          http://%s/healthz  http://%s/readyz
Radar syncs every %s; the simulated project moves every %s. Ctrl-C stops.

`, jiraURL, *flavor, cfg.Jira.Projects, slackURL, *db, addr, addr, addr, addr, addr, addr, *every, *tick)
		},
		CycleDone: func(c service.Cycle) {
			if c.Err != nil {
				if ctx.Err() == nil {
					fmt.Fprintf(out, "radar: cycle failed: %v\n", c.Err)
				}
				return
			}
			printCycle(out, c)
		},
	})
	if err != nil {
		return err
	}
	defer svc.Close()

	actorCtx, stopActor := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		actDemo(actorCtx, sim, cfg.Jira.Projects, *tick, out)
	}()
	err = svc.Run(ctx)
	stopActor()
	wg.Wait()
	if errors.Is(ctx.Err(), context.DeadlineExceeded) && *duration > 0 {
		return err
	}
	return err
}

// freshDemoDB makes sure the demo starts from an empty database: each run
// generates a new simulated site, and an earlier run's data, watermarks and
// Slack threads would not match it. A database an earlier demo made (it
// leaves a path.demo marker) is removed; any other file is left alone and
// the demo refuses to touch it.
func freshDemoDB(path string) error {
	marker := path + ".demo"
	if _, err := os.Stat(path); err == nil {
		if _, err := os.Stat(marker); err != nil {
			return fmt.Errorf("%s exists and was not made by radar demo; pass --db to give the demo its own file", path)
		}
		// Never pull a database from under a running Radar.
		for _, name := range []string{store.LockServe, store.LockSync, store.LockSlack} {
			l, err := store.TryLockPath(path, name)
			if errors.Is(err, store.ErrLocked) {
				return fmt.Errorf("%s is in use by another radar (a demo still running?); stop it or pass --db", path)
			}
			if err != nil {
				return err
			}
			defer l.Unlock()
		}
		for _, f := range []string{path, path + "-wal", path + "-shm"} {
			if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("remove the previous demo's %s: %w", f, err)
			}
		}
	}
	return os.WriteFile(marker, []byte("made by radar demo; the next demo run replaces this database\n"), 0o644)
}

func printCycle(out *lockedWriter, c service.Cycle) {
	counts := map[string]int{}
	for _, ch := range c.Changes {
		counts[string(ch.Transition)]++
	}
	kinds := map[string]int{}
	for _, f := range c.Report.Findings {
		kinds[string(f.Kind)]++
	}
	names := make([]string, 0, len(kinds))
	for k := range kinds {
		names = append(names, k)
	}
	sort.Strings(names)
	fmt.Fprintf(out, "radar: synced %d issues (%d links, %d changelog items, %d requests) → %d findings (new %d, escalated %d, resolved %d, back %d)\n",
		c.Sync.Issues, c.Sync.Links, c.Sync.Changes, c.Sync.Requests, len(c.Report.Findings),
		counts["new"], counts["escalated"], counts["resolved"], counts["reopened"])
	if c.Sync.Full || counts["new"] > 0 && len(c.Changes) == counts["new"] {
		for _, k := range names {
			fmt.Fprintf(out, "         %-22s %d\n", k, kinds[k])
		}
	}
}

// serveLocal serves h on a loopback port and returns its base URL.
func serveLocal(h http.Handler) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}, nil
}

// actDemo moves the simulated project along, one change a tick in a fixed
// rotation so every kind of change happens within the first minute: an
// issue starts blocking others, a due date slips, work progresses, and a
// blocker added earlier is cleared.
func actDemo(ctx context.Context, sim *jirasim.Server, projects []string, tick time.Duration, out *lockedWriter) {
	rng := rand.New(rand.NewPCG(42, uint64(time.Now().UnixNano())))
	t := time.NewTicker(tick)
	defer t.Stop()
	byCat := map[string][]jirasim.Status{}
	cat := map[string]string{}
	for _, s := range sim.Statuses() {
		byCat[s.CategoryKey] = append(byCat[s.CategoryKey], s)
		cat[s.ID] = s.CategoryKey
	}
	var added []jirasim.Link // links the actor made, to clear later
	for step := 0; ; step++ {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		var open []jirasim.Issue
		for _, is := range sim.Issues() {
			if cat[is.Status] != jirasim.CategoryDone && is.Type != "Epic" && contains(projects, is.Project) {
				open = append(open, is)
			}
		}
		if len(open) < 4 {
			continue
		}
		pick := func() jirasim.Issue { return open[rng.IntN(len(open))] }
		switch step % 4 {
		case 0: // an issue starts blocking three others
			a := pick()
			var blocked []string
			for len(blocked) < 3 {
				b := pick()
				if b.Key == a.Key || contains(blocked, b.Key) {
					continue
				}
				id, err := sim.AddLink("Blocks", b.Key, a.Key) // a blocks b
				if err != nil {
					break
				}
				added = append(added, jirasim.Link{ID: id, Type: "Blocks", Inward: a.Key, Outward: b.Key})
				blocked = append(blocked, b.Key)
			}
			fmt.Fprintf(out, "jira-sim: %s now blocks %s\n", a.Key, strings.Join(blocked, ", "))
		case 1: // a due date slips
			a := pick()
			due := time.Now().UTC().AddDate(0, 0, 3)
			if d, err := time.Parse("2006-01-02", a.DueDate); err == nil {
				due = d.AddDate(0, 0, 7+rng.IntN(14))
			}
			if sim.UpdateIssue(a.Key, func(is *jirasim.Issue) { is.DueDate = due.Format("2006-01-02") }) == nil {
				fmt.Fprintf(out, "jira-sim: %s due date moved to %s\n", a.Key, due.Format("2006-01-02"))
			}
		case 2: // work progresses
			a := pick()
			next := byCat[jirasim.CategoryIndeterminate]
			if cat[a.Status] == jirasim.CategoryIndeterminate {
				next = byCat[jirasim.CategoryDone]
			}
			if len(next) > 0 {
				st := next[rng.IntN(len(next))]
				if sim.Transition(a.Key, st.ID) == nil {
					fmt.Fprintf(out, "jira-sim: %s moved to %q\n", a.Key, st.Name)
				}
			}
		case 3: // a blocker is cleared
			if len(added) == 0 {
				continue
			}
			l := added[0]
			added = added[1:]
			if sim.RemoveLink(l.ID) == nil {
				fmt.Fprintf(out, "jira-sim: %s no longer blocks %s\n", l.Inward, l.Outward)
			}
		}
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// lockedWriter serialises console output from several goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  interface{ Write([]byte) (int, error) }
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
