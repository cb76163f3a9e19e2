package main

import (
	"context"
	"fmt"
	"github.com/radarhq/radar/service"
	"strings"

	"github.com/radarhq/radar/analysis"
)

// runGraph exports the dependency network, or one issue's neighbourhood
// (blockers upstream, impact downstream), with critical paths highlighted.
func runGraph(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "graph")
	path := fs.String("config", "", "configuration file (YAML)")
	issue := fs.String("issue", "", "export only this issue's neighbourhood, e.g. PAY-12; default: the whole network")
	depth := fs.Int("depth", 2, "with --issue: how many links to follow each way (0: no limit)")
	format := fs.String("format", "dot", "output format: dot, mermaid or json")
	nowFlag := fs.String("now", "", "analyse as of this time (RFC 3339); default: now")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *format != "dot" && *format != "mermaid" && *format != "json" {
		return fmt.Errorf("%w: --format %q: use dot, mermaid or json", errUsage, *format)
	}
	if *depth < 0 {
		return fmt.Errorf("%w: --depth %d: use 0 (no limit) or more", errUsage, *depth)
	}
	now, err := parseNow(*nowFlag)
	if err != nil {
		return err
	}
	cfg, st, snap, err := loadSynced(ctx, e, *path)
	if err != nil {
		return err
	}
	defer st.Close()
	if snap, _, err = replayAt(snap, *nowFlag, now); err != nil {
		return err
	}
	opts := service.AnalysisOptions(cfg, now)
	var g analysis.GraphView
	if *issue == "" {
		g = analysis.Network(snap, opts)
	} else if g, err = analysis.Neighbourhood(snap, opts, strings.ToUpper(strings.TrimSpace(*issue)), *depth); err != nil {
		return err
	}
	switch *format {
	case "mermaid":
		return g.WriteMermaid(e.stdout)
	case "json":
		return g.WriteJSON(e.stdout)
	}
	return g.WriteDOT(e.stdout)
}
