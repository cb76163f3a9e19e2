package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/radarhq/radar/config"
	"github.com/radarhq/radar/jirasim"
)

// maxSimIssues bounds the simulated site (issues per project times
// projects): the scenario lives in memory, about 5 KB per issue with its
// changelog (20,000 issues took 110 MB), so this keeps it near 500 MB,
// several times the largest real export at hand (22,000 issues).
const maxSimIssues = 100000

// runJiraSim serves the Jira simulator until ctx ends.
func runJiraSim(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "jira-sim")
	listen := fs.String("listen", "127.0.0.1:8089", "address to listen on")
	flavor := fs.String("flavor", "cloud", "Jira flavour to simulate: cloud or datacenter")
	projects := fs.String("projects", "PAY,WEB,OPS", "comma-separated project keys")
	scenario := fs.String("scenario", "demo", "scenario shape: demo (400 days, planted findings) or realistic (five years: zombies, cleanup days, stale versions, plus the planted findings)")
	issues := fs.Int("issues", 150, "issues per project (600 when --scenario realistic and not given)")
	seed := fs.Uint64("seed", 7, "scenario seed (same seed, same data)")
	email := fs.String("email", "radar@example.com", "email accepted for basic auth")
	token := fs.String("token", "", "API token to require (default $RADAR_SIM_TOKEN; empty: no auth)")
	latency := fs.Duration("latency", 0, "latency added to every request")
	outside := fs.String("outside-project", "LEGACY", "project outside the synced scope that links point to (empty: none)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	f := jirasim.Flavor(*flavor)
	if f != jirasim.Cloud && f != jirasim.DataCenter {
		return fmt.Errorf("%w: --flavor %q: use cloud or datacenter", errUsage, *flavor)
	}
	var years int
	switch *scenario {
	case "demo":
	case "realistic":
		long := jirasim.Realistic(time.Time{})
		years = long.Years
		if !flagSet(fs, "issues") {
			*issues = long.IssuesPerProject
		}
	default:
		return fmt.Errorf("%w: --scenario %q: use demo or realistic", errUsage, *scenario)
	}
	if *issues <= 0 {
		return fmt.Errorf("%w: --issues must be positive", errUsage)
	}
	var keys []string
	for _, k := range strings.Split(*projects, ",") {
		if k = strings.ToUpper(strings.TrimSpace(k)); k != "" {
			if !config.ValidProjectKey(k) {
				return fmt.Errorf("%w: --projects: %q is not a Jira project key (a letter, then letters, digits or _, e.g. PAY,WEB)", errUsage, k)
			}
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return fmt.Errorf("%w: --projects is empty", errUsage)
	}
	if *outside != "" && !config.ValidProjectKey(strings.ToUpper(*outside)) {
		return fmt.Errorf("%w: --outside-project: %q is not a Jira project key (a letter, then letters, digits or _)", errUsage, *outside)
	}
	if *issues > maxSimIssues/len(keys) {
		return fmt.Errorf("%w: --issues %d × %d projects is over the simulator's limit of %d issues in all; use --issues %d or fewer", errUsage, *issues, len(keys), maxSimIssues, maxSimIssues/len(keys))
	}
	if *token == "" {
		*token = e.getenv("RADAR_SIM_TOKEN")
	}

	log := slog.New(slog.NewTextHandler(e.stderr, nil))
	cfg := jirasim.ScenarioConfig{Seed: *seed, Projects: keys, IssuesPerProject: *issues, Now: time.Now(), OutsideProject: strings.ToUpper(*outside), Years: years}
	// Generating a large site takes a while: a signal meanwhile stops it.
	sc, err := jirasim.GenerateContext(ctx, cfg)
	if err != nil {
		return fmt.Errorf("stopped while generating the scenario: %w", err)
	}
	sim := jirasim.New(sc, jirasim.Options{Flavor: f, Email: *email, Token: *token, Logger: log})
	if *latency > 0 {
		sim.SetFaults(jirasim.Faults{Latency: *latency})
	}

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (pick another with --listen)", *listen, err)
	}
	srv := &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second}
	auth := "no auth"
	if *token != "" {
		auth = "basic auth " + *email + " + token"
		if f == jirasim.DataCenter {
			auth = "bearer token, or basic auth " + *email + " + token"
		}
	}
	fmt.Fprintf(e.stdout, "Jira simulator (%s, %s scenario, %d projects × %d issues, %s) at http://%s\n", f, *scenario, len(keys), *issues, auth, ln.Addr())

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("jira-sim: shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("jira-sim: serve: %w", err)
	}
	return nil
}

// flagSet reports whether the command line set the named flag.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
