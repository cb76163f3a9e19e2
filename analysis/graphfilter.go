package analysis

import (
	"strings"

	"github.com/radarhq/radar"
)

// GraphFilter narrows an exported network to what a picture of a real site
// can show: most of a years-old network is parent links to done issues.
type GraphFilter struct {
	Project   string // keep only edges with an end in this project
	OpenOnly  bool   // drop done issues and their edges
	NoParents bool   // drop parent and epic links, keeping dependencies
}

// Filter returns the part of g that f keeps: the edges it accepts and the
// nodes they join (and the focus of a neighbourhood, always).
func (g GraphView) Filter(f GraphFilter) GraphView {
	if f == (GraphFilter{}) {
		return g
	}
	nodes := make(map[string]*GraphNode, len(g.Nodes))
	for i := range g.Nodes {
		nodes[g.Nodes[i].Key] = &g.Nodes[i]
	}
	keepNode := func(k string) bool {
		n := nodes[k]
		return n == nil || !f.OpenOnly || n.Category != radar.CategoryDone
	}
	inProject := func(k string) bool {
		n := nodes[k]
		return n != nil && strings.EqualFold(n.Project, f.Project)
	}
	out := GraphView{Nodes: []GraphNode{}, Edges: []GraphEdge{}}
	used := map[string]bool{}
	for _, e := range g.Edges {
		switch {
		case f.NoParents && e.Kind == EdgeParent:
		case !keepNode(e.From) || !keepNode(e.To):
		case f.Project != "" && !inProject(e.From) && !inProject(e.To):
		default:
			out.Edges = append(out.Edges, e)
			used[e.From], used[e.To] = true, true
		}
	}
	for _, n := range g.Nodes {
		if used[n.Key] || n.Focus {
			out.Nodes = append(out.Nodes, n)
		}
	}
	return out
}
