package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/radarhq/radar/analysis"
	"github.com/radarhq/radar/service"
)

// Mermaid's default limits (mermaid.js.org config schema: maxEdges,
// maxTextSize): past either, Mermaid refuses to draw the diagram.
const (
	mermaidMaxEdges    = 500
	mermaidMaxTextSize = 50000
)

// runGraph exports the dependency network, or one issue's neighbourhood
// (blockers upstream, impact downstream), with critical paths and cycles
// highlighted, optionally narrowed to a project, open issues and
// dependencies.
func runGraph(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "graph")
	path := fs.String("config", "", "configuration file (YAML)")
	issue := fs.String("issue", "", "export only this issue's neighbourhood, e.g. PAY-12; default: the whole network")
	depth := fs.Int("depth", 2, "with --issue: how many links to follow each way (0: no limit)")
	format := fs.String("format", "dot", "output format: dot, mermaid or json")
	nowFlag := fs.String("now", "", "analyse as of this time (RFC 3339); default: now")
	project := fs.String("project", "", "keep only links with an end in this project, e.g. PAY")
	openOnly := fs.Bool("open-only", false, "leave out done issues and their links")
	noParents := fs.Bool("no-parents", false, "leave out parent and epic links, keeping dependencies")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *format != "dot" && *format != "mermaid" && *format != "json" {
		return fmt.Errorf("%w: --format %q: use dot, mermaid or json", errUsage, *format)
	}
	if *depth < 0 {
		return fmt.Errorf("%w: --depth %d: use 0 (no limit) or more", errUsage, *depth)
	}
	sy, err := loadSyncedAt(ctx, e, *path, *nowFlag)
	if err != nil {
		return err
	}
	cfg, st, snap, now := sy.cfg, sy.st, sy.snap, sy.now
	defer st.Close()
	opts := service.AnalysisOptions(cfg, now)
	var g analysis.GraphView
	if *issue == "" {
		g = analysis.Network(snap, opts)
	} else if g, err = analysis.Neighbourhood(snap, opts, strings.ToUpper(strings.TrimSpace(*issue)), *depth); err != nil {
		return err
	}
	filter := analysis.GraphFilter{Project: strings.ToUpper(strings.TrimSpace(*project)), OpenOnly: *openOnly, NoParents: *noParents}
	g = g.Filter(filter)
	switch *format {
	case "mermaid":
		var buf bytes.Buffer
		if err := g.WriteMermaid(&buf); err != nil {
			return err
		}
		if w := mermaidWarning(len(g.Edges), buf.Len(), filter, *issue != ""); w != "" {
			fmt.Fprintln(e.stderr, w)
		}
		_, err := e.stdout.Write(buf.Bytes())
		return err
	case "json":
		return g.WriteJSON(e.stdout)
	}
	return g.WriteDOT(e.stdout)
}

// mermaidWarning says when Mermaid will refuse a diagram of edges edges and
// size bytes, and which of the filters not yet used would shrink it; ""
// when it fits.
func mermaidWarning(edges, size int, f analysis.GraphFilter, neighbourhood bool) string {
	if edges <= mermaidMaxEdges && size <= mermaidMaxTextSize {
		return ""
	}
	var try []string
	if !f.NoParents {
		try = append(try, "--no-parents")
	}
	if !f.OpenOnly {
		try = append(try, "--open-only")
	}
	if f.Project == "" {
		try = append(try, "--project KEY")
	}
	if !neighbourhood {
		try = append(try, "--issue KEY --depth 2")
	}
	hint := "draw it as DOT (--format dot) or raise maxEdges and maxTextSize in your Mermaid configuration"
	if len(try) > 0 {
		hint = "narrow it with " + strings.Join(try, ", ") + ", or " + hint
	}
	return fmt.Sprintf("warning: this Mermaid diagram has %d edges and %d characters, over Mermaid's default limits (maxEdges %d, maxTextSize %d), so Mermaid will refuse to draw it; %s",
		edges, size, mermaidMaxEdges, mermaidMaxTextSize, hint)
}
