package analysis

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/radarhq/radar"
)

// GraphNode is one issue in an exported network.
type GraphNode struct {
	Key      string               `json:"key"`
	Project  string               `json:"project"`
	Summary  string               `json:"summary"`
	Status   string               `json:"status"`
	Category radar.StatusCategory `json:"category"`
	External bool                 `json:"external"` // outside the synced scope: status unknown
	Blocker  bool                 `json:"blocker"`  // open and blocking open work
	Critical bool                 `json:"critical"` // on a version's or epic's critical path
	Cycle    bool                 `json:"cycle"`    // in a dependency cycle: open issues waiting on each other
	Focus    bool                 `json:"focus"`    // the issue a neighbourhood is centred on
}

// Edge kinds in an exported network.
const (
	EdgeBlocks = "blocks" // From blocks To
	EdgeParent = "parent" // From is a child (sub-task or epic issue) of To
)

// GraphEdge is one dependency or hierarchy edge.
type GraphEdge struct {
	From         string `json:"from"`
	To           string `json:"to"`
	Kind         string `json:"kind"`
	CrossProject bool   `json:"cross_project"`
	Critical     bool   `json:"critical"`
	Cycle        bool   `json:"cycle"` // both ends in the same dependency cycle
}

// GraphView is a rendering-ready part of the network, nodes and edges in a
// stable order.
type GraphView struct {
	Nodes []GraphNode `json:"nodes"`
	Edges []GraphEdge `json:"edges"`
}

// graphAll builds every edge of the snapshot (done and out-of-scope issues
// included, self-links dropped) with the analysis' view of it.
func graphAll(m *model) []GraphEdge {
	var edges []GraphEdge
	project := func(k string) string {
		if i, ok := m.idx[k]; ok {
			return m.iss[i].Project
		}
		p, _ := radar.SplitKey(k)
		return p
	}
	critEdge := func(a, b string) bool {
		i, okA := m.idx[a]
		j, okB := m.idx[b]
		if !okA || !okB || !m.critical[i] || !m.critical[j] {
			return false
		}
		ci, cj := m.comp[i], m.comp[j]
		return ci >= 0 && cj >= 0 && (ci == cj || m.pred[cj] == ci)
	}
	cycleEdge := func(a, b string) bool {
		i, okA := m.idx[a]
		j, okB := m.idx[b]
		return okA && okB && m.inCycle(i) && m.comp[i] == m.comp[j]
	}
	for _, d := range m.snap.Dependencies {
		if d.Blocker == d.Blocked || d.Blocker == "" || d.Blocked == "" {
			continue
		}
		edges = append(edges, GraphEdge{From: d.Blocker, To: d.Blocked, Kind: EdgeBlocks,
			CrossProject: project(d.Blocker) != project(d.Blocked), Critical: critEdge(d.Blocker, d.Blocked),
			Cycle: cycleEdge(d.Blocker, d.Blocked)})
	}
	for _, is := range m.iss {
		for _, p := range [2]string{is.ParentKey, is.EpicKey} {
			if p != "" && p != is.Key {
				edges = append(edges, GraphEdge{From: is.Key, To: p, Kind: EdgeParent,
					CrossProject: project(p) != is.Project, Critical: critEdge(is.Key, p), Cycle: cycleEdge(is.Key, p)})
			}
		}
	}
	slices.SortFunc(edges, func(a, b GraphEdge) int {
		if c := radar.CompareKeys(a.From, b.From); c != 0 {
			return c
		}
		if c := radar.CompareKeys(a.To, b.To); c != 0 {
			return c
		}
		return strings.Compare(a.Kind, b.Kind)
	})
	return slices.CompactFunc(edges, func(a, b GraphEdge) bool { return a.From == b.From && a.To == b.To && a.Kind == b.Kind })
}

func (m *model) node(k string) GraphNode {
	i, ok := m.idx[k]
	if !ok {
		p, _ := radar.SplitKey(k)
		return GraphNode{Key: k, Project: p, External: true}
	}
	is := m.iss[i]
	return GraphNode{Key: k, Project: is.Project, Summary: is.Summary, Status: is.Status, Category: is.StatusCategory,
		Blocker: m.blast[i] >= 0, Critical: m.critical[i], Cycle: m.inCycle(i)}
}

// inCycle reports whether open issue i is in a dependency cycle: its
// strongly connected component has more than one member.
func (m *model) inCycle(i int32) bool {
	return m.comp[i] >= 0 && len(m.members.neighbours(m.comp[i])) > 1
}

func (m *model) view(edges []GraphEdge, keys map[string]bool, focus string) GraphView {
	v := GraphView{Nodes: []GraphNode{}, Edges: []GraphEdge{}}
	for _, e := range edges {
		if keys[e.From] && keys[e.To] {
			v.Edges = append(v.Edges, e)
		}
	}
	ks := make([]string, 0, len(keys))
	for k := range keys {
		ks = append(ks, k)
	}
	slices.SortFunc(ks, radar.CompareKeys)
	for _, k := range ks {
		n := m.node(k)
		n.Focus = k == focus
		v.Nodes = append(v.Nodes, n)
	}
	return v
}

// Network returns the whole dependency network: every issue in a dependency
// or hierarchy edge, with blockers and critical paths marked.
func Network(snap radar.Snapshot, opts Options) GraphView {
	m, _ := analyze(&snap, opts)
	edges := graphAll(m)
	keys := map[string]bool{}
	for _, e := range edges {
		keys[e.From], keys[e.To] = true, true
	}
	return m.view(edges, keys, "")
}

// Neighbourhood returns one issue's neighbourhood: what it waits on
// (blockers and children, upstream) and what waits on it (blocked issues and
// parents, downstream), each up to depth edges away (depth ≤ 0: no limit).
// The walk is Links.Walk's, done issues kept and parent links followed.
func Neighbourhood(snap radar.Snapshot, opts Options, key string, depth int) (GraphView, error) {
	m, _ := analyze(&snap, opts)
	links := NewLinks(snap)
	if _, ok := m.idx[key]; !ok && !links.Linked(key) {
		return GraphView{}, fmt.Errorf("issue %s is not in the synced data; check the key or run radar sync", key)
	}
	w := links.Walk(key, WalkOptions{Depth: depth, Parents: true})
	keys := make(map[string]bool, 1+len(w.Upstream)+len(w.Downstream))
	keys[key] = true
	for _, k := range w.Upstream {
		keys[k] = true
	}
	for _, k := range w.Downstream {
		keys[k] = true
	}
	return m.view(graphAll(m), keys, key), nil
}

// WriteJSON writes the view as indented JSON.
func (g GraphView) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(g); err != nil {
		return fmt.Errorf("write graph json: %w", err)
	}
	return nil
}

// maxLabel is how many characters of a summary a node label shows.
const maxLabel = 40

func shortSummary(s string) string { return plainTextN(s, maxLabel) }

var dotReplacer = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// dotString quotes untrusted text as a DOT string literal. It is not cut:
// keys are node ids and must stay distinct.
func dotString(s string) string { return `"` + dotReplacer.Replace(plainText(s)) + `"` }

// WriteDOT writes the view in Graphviz DOT. Critical-path nodes and edges
// are red and bold, cycles purple (edges dashed), blockers orange, done
// issues grey, issues outside the scope dashed, parent links dotted.
func (g GraphView) WriteDOT(w io.Writer) error {
	var b strings.Builder
	b.WriteString("digraph radar {\n  rankdir=LR;\n  node [shape=box, style=\"rounded,filled\", fillcolor=white, fontname=\"Helvetica\"];\n")
	for _, n := range g.Nodes {
		label := dotReplacer.Replace(plainTextN(n.Key, maxName))
		if n.Summary != "" {
			label += `\n` + dotReplacer.Replace(shortSummary(n.Summary))
		}
		attrs := []string{`label="` + label + `"`}
		switch {
		case n.External:
			attrs = append(attrs, `style="rounded,dashed"`)
		case n.Category == radar.CategoryDone:
			attrs = append(attrs, `fillcolor="#e0e0e0"`)
		case n.Blocker:
			attrs = append(attrs, `fillcolor="#ffd8a8"`)
		case n.Category == radar.CategoryInProgress:
			attrs = append(attrs, `fillcolor="#fff3bf"`)
		}
		if n.Critical {
			attrs = append(attrs, "color=red", "penwidth=2")
		}
		if n.Cycle {
			attrs = append(attrs, `color="#862e9c"`, "penwidth=3", `xlabel="cycle"`)
		}
		if n.Focus {
			attrs = append(attrs, "peripheries=2")
		}
		fmt.Fprintf(&b, "  %s [%s];\n", dotString(n.Key), strings.Join(attrs, ", "))
	}
	for _, e := range g.Edges {
		var attrs []string
		if e.Kind == EdgeParent {
			attrs = append(attrs, "style=dotted", `label="parent"`)
		}
		if e.CrossProject {
			attrs = append(attrs, "color=blue")
		}
		if e.Critical {
			attrs = append(attrs, "color=red", "penwidth=2")
		}
		if e.Cycle {
			attrs = append(attrs, `color="#862e9c"`, "penwidth=2", "style=dashed")
		}
		fmt.Fprintf(&b, "  %s -> %s", dotString(e.From), dotString(e.To))
		if len(attrs) > 0 {
			fmt.Fprintf(&b, " [%s]", strings.Join(attrs, ", "))
		}
		b.WriteString(";\n")
	}
	b.WriteString("}\n")
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write graph dot: %w", err)
	}
	return nil
}

// mermaidReplacer escapes untrusted text inside a quoted Mermaid label with
// Mermaid's numeric entity codes.
var mermaidReplacer = strings.NewReplacer(`#`, "#35;", `"`, "#34;", `&`, "#38;", `<`, "#60;", `>`, "#62;", "`", "#96;")

// WriteMermaid writes the view as a Mermaid flowchart. Node ids are
// generated (n0, n1, …); keys and summaries appear only in escaped labels.
func (g GraphView) WriteMermaid(w io.Writer) error {
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	id := map[string]string{}
	var critical, blockers, done, external, cycle []string
	for k, n := range g.Nodes {
		nid := fmt.Sprintf("n%d", k)
		id[n.Key] = nid
		label := plainTextN(n.Key, maxName)
		if n.Summary != "" {
			label += ": " + shortSummary(n.Summary)
		}
		fmt.Fprintf(&b, "  %s[\"%s\"]\n", nid, mermaidReplacer.Replace(label))
		switch {
		case n.External:
			external = append(external, nid)
		case n.Category == radar.CategoryDone:
			done = append(done, nid)
		case n.Blocker:
			blockers = append(blockers, nid)
		}
		if n.Critical {
			critical = append(critical, nid)
		}
		if n.Cycle {
			cycle = append(cycle, nid)
		}
	}
	var critEdges, cycleEdges []string
	for k, e := range g.Edges {
		arrow := "-->"
		if e.Kind == EdgeParent {
			arrow = "-.->|parent|"
		}
		fmt.Fprintf(&b, "  %s %s %s\n", id[e.From], arrow, id[e.To])
		if e.Critical {
			critEdges = append(critEdges, fmt.Sprint(k))
		}
		if e.Cycle {
			cycleEdges = append(cycleEdges, fmt.Sprint(k))
		}
	}
	b.WriteString("  classDef critical stroke:#d00,stroke-width:3px\n  classDef blocker fill:#ffd8a8\n  classDef done fill:#e0e0e0\n  classDef external stroke-dasharray:4 4\n  classDef cycle stroke:#862e9c,stroke-width:3px,stroke-dasharray:6 3\n")
	for _, c := range []struct {
		name  string
		nodes []string
	}{{"blocker", blockers}, {"done", done}, {"external", external}, {"critical", critical}, {"cycle", cycle}} {
		if len(c.nodes) > 0 {
			fmt.Fprintf(&b, "  class %s %s\n", strings.Join(c.nodes, ","), c.name)
		}
	}
	if len(critEdges) > 0 {
		fmt.Fprintf(&b, "  linkStyle %s stroke:#d00,stroke-width:3px\n", strings.Join(critEdges, ","))
	}
	if len(cycleEdges) > 0 {
		fmt.Fprintf(&b, "  linkStyle %s stroke:#862e9c,stroke-width:2px,stroke-dasharray:6 3\n", strings.Join(cycleEdges, ","))
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write graph mermaid: %w", err)
	}
	return nil
}
