// Command radar syncs Jira into SQLite, analyses the dependency network for
// delivery risk, and tells people in Slack and Prometheus.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"sort"
	"strings"
	"syscall"

	"github.com/radarhq/radar/config"
	"github.com/radarhq/radar/store"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// env is what every subcommand gets from the process: its output streams
// and environment. Tests run subcommands in process with their own.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string
}

// command is one subcommand: it parses its own flags from args.
type command struct {
	summary string
	run     func(ctx context.Context, e *env, args []string) error
}

func commands() map[string]command {
	return map[string]command{
		"sync":       {"sync Jira into the database once", runSync},
		"check":      {"test the configuration, Jira and Slack without syncing; say what to fix", runCheck},
		"analyze":    {"analyse the synced data and print findings", runAnalyze},
		"ack":        {"acknowledge, snooze or dismiss a finding (as Slack's buttons do)", runAck},
		"graph":      {"export the dependency network (dot, mermaid, json)", runGraph},
		"backtest":   {"replay past release forecasts and score them", runBacktest},
		"alert":      {"analyse and deliver Slack alerts once", runAlert},
		"slack-test": {"send a test message to each route's channel", runSlackTest},
		"outbox":     {"list pending Slack notifications; drop ones to give up on", runOutbox},
		"report":     {"write the status report: releases, risks, what changed and why", runReport},
		"backup":     {"copy the database consistently while Radar runs (--to FILE)", runBackup},
		"serve":      {"run on a schedule with metrics and an HTTP API", runServe},
		"demo":       {"run Radar against the built-in Jira simulator", runDemo},
		"jira-sim":   {"serve the Jira simulator over HTTP", runJiraSim},
		"version":    {"print the version (also radar --version)", runVersion},
		"completion": {"print a shell completion script (bash or zsh)", runCompletion},
	}
}

// errUsage marks errors that come from a bad command line (exit code 2).
var errUsage = errors.New("usage")

func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	e := &env{stdout: stdout, stderr: stderr, getenv: getenv}
	cmds := commands()
	if len(args) == 0 {
		usage(stderr, cmds)
		return 2
	}
	switch args[0] {
	case "--version", "-version", "-v":
		args = []string{"version"}
	case "help", "-h", "--help", "-help":
		if len(args) < 2 {
			usage(stdout, cmds)
			return 0
		}
		// radar help CMD is radar CMD --help.
		if _, ok := cmds[args[1]]; !ok {
			fmt.Fprintf(stderr, "radar help: unknown command %q\n\n", args[1])
			usage(stderr, cmds)
			return 2
		}
		args = []string{args[1], "--help"}
	}
	c, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "radar: unknown command %q\n\n", args[0])
		usage(stderr, cmds)
		return 2
	}
	if err := c.run(ctx, e, args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "radar %s: %s\n", args[0], explain(err))
		if errors.Is(err, errUsage) {
			return 2
		}
		return 1
	}
	return 0
}

// explain renders an error for the terminal: a configuration's problems one
// per line under a header, and a hint for errors whose cause is outside
// Radar.
func explain(err error) string {
	var ve *config.ValidationError
	if errors.As(err, &ve) {
		lines := strings.Split(strings.TrimSpace(ve.Error()), "\n")
		prefix := strings.TrimSuffix(err.Error(), ve.Error()) // context wrapped around it, if any
		return fmt.Sprintf("%sthe configuration has %d problem(s):\n  %s", prefix, len(lines), strings.Join(lines, "\n  "))
	}
	msg := err.Error()
	if store.IsDamaged(err) {
		msg += "\n" + store.DamagedHint
	}
	if strings.Contains(msg, "readonly database") && !strings.Contains(msg, "store.path") {
		msg += " (check store.path: this user must be able to write the file and its directory)"
	}
	return msg
}

func usage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "usage: radar <command> [flags]\n\ncommands:")
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-11s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nradar help COMMAND (or radar COMMAND --help) shows a command's flags; radar --version the version.")
}

func runVersion(ctx context.Context, e *env, args []string) error {
	fmt.Fprintf(e.stdout, "radar %s\n", buildVersion())
	return nil
}

// buildVersion is the -ldflags version, or the VCS revision Go recorded.
func buildVersion() string {
	v := version
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	var rev, when, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			when = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	if v == "dev" && info.Main.Version != "" && info.Main.Version != "(devel)" {
		v = info.Main.Version
	}
	if rev != "" {
		v += fmt.Sprintf(" (%.12s%s %s)", rev, dirty, when)
	}
	return v + " " + info.GoVersion
}

// newFlags returns a flag set that reports errors instead of exiting. Its
// usage names the command and says what it does.
func newFlags(e *env, name string) *flag.FlagSet {
	fs := flag.NewFlagSet("radar "+name, flag.ContinueOnError)
	fs.SetOutput(flagOutput{e})
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "usage: radar %s [flags]\n\n", name)
		if c, ok := commands()[name]; ok {
			fmt.Fprintf(w, "%s\n\n", c.summary)
		}
		fmt.Fprintln(w, "flags:")
		fs.PrintDefaults()
	}
	return fs
}

// flagOutput is where a flag set reports bad command lines (stderr); it
// keeps the env so that help asked for goes to stdout.
type flagOutput struct{ e *env }

func (o flagOutput) Write(p []byte) (int, error) { return o.e.stderr.Write(p) }

// parseFlags parses args, marking bad command lines as usage errors. Asked
// for help (-h, --help), it prints the usage on stdout and returns
// flag.ErrHelp.
func parseFlags(fs *flag.FlagSet, args []string) error {
	for _, a := range args {
		if a == "--" {
			break
		}
		if a == "-h" || a == "--help" || a == "-help" {
			if o, ok := fs.Output().(flagOutput); ok {
				fs.SetOutput(o.e.stdout) // asked for: not an error
			}
			fs.Usage()
			return flag.ErrHelp
		}
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: %w", errUsage, extraArgError{fs.Arg(0)})
	}
	return nil
}

// extraArgError is a positional argument a command does not take; radar
// ack, which takes one, tells it from other flag errors with errors.As.
type extraArgError struct{ arg string }

func (e extraArgError) Error() string { return fmt.Sprintf("unexpected argument %q", e.arg) }
