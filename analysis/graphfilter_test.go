package analysis

import (
	"strings"
	"testing"

	"github.com/radarhq/radar"
)

func TestGraphFilter(t *testing.T) {
	f := loadFixture(t, "network")
	full := Network(f.Snapshot, Options{Now: f.Now})
	tests := []struct {
		name   string
		filter GraphFilter
		ok     func(g GraphView, e GraphEdge) bool
	}{
		{"no parents", GraphFilter{NoParents: true}, func(_ GraphView, e GraphEdge) bool { return e.Kind != EdgeParent }},
		{"open only", GraphFilter{OpenOnly: true}, func(g GraphView, e GraphEdge) bool {
			return nodeOf(g, e.From).Category != radar.CategoryDone && nodeOf(g, e.To).Category != radar.CategoryDone
		}},
		{"project", GraphFilter{Project: "web"}, func(g GraphView, e GraphEdge) bool {
			return nodeOf(g, e.From).Project == "WEB" || nodeOf(g, e.To).Project == "WEB"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := full.Filter(tt.filter)
			if len(g.Edges) == 0 || len(g.Edges) >= len(full.Edges) {
				t.Fatalf("%d of %d edges kept; want the filter to narrow the network", len(g.Edges), len(full.Edges))
			}
			used := map[string]bool{}
			for _, e := range g.Edges {
				if !tt.ok(full, e) {
					t.Errorf("edge %s → %s (%s) survives the filter", e.From, e.To, e.Kind)
				}
				used[e.From], used[e.To] = true, true
			}
			for _, n := range g.Nodes {
				if !used[n.Key] {
					t.Errorf("node %s kept without an edge", n.Key)
				}
			}
		})
	}
	if g := full.Filter(GraphFilter{}); len(g.Edges) != len(full.Edges) {
		t.Errorf("the empty filter dropped edges")
	}
}

func TestGraphMarksCycles(t *testing.T) {
	f := loadFixture(t, "network")
	g := Network(f.Snapshot, Options{Now: f.Now})
	var members []string
	for _, n := range g.Nodes {
		if n.Cycle {
			members = append(members, n.Key)
		}
	}
	if len(members) < 2 {
		t.Fatalf("cycle members = %v, want the fixture's cycle", members)
	}
	edges := 0
	for _, e := range g.Edges {
		if e.Cycle {
			edges++
			if !nodeOf(g, e.From).Cycle || !nodeOf(g, e.To).Cycle {
				t.Errorf("cycle edge %s → %s joins a node outside the cycle", e.From, e.To)
			}
		}
	}
	if edges < 2 {
		t.Errorf("%d cycle edges, want the cycle's links", edges)
	}
	var dot strings.Builder
	if err := g.WriteDOT(&dot); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(dot.String(), `xlabel="cycle"`) {
		t.Errorf("DOT does not mark the cycle")
	}
}

func nodeOf(g GraphView, key string) GraphNode {
	for _, n := range g.Nodes {
		if n.Key == key {
			return n
		}
	}
	return GraphNode{}
}
