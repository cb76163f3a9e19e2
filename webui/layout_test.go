package webui

import (
	"math/rand/v2"
	"testing"
)

// crossings counts pairs of edges between adjacent layers that cross.
func crossings(l *layout, edges []layoutEdge) int {
	type seg struct{ a, b float64 }
	byLayer := map[int][]seg{}
	for i, e := range edges {
		pts := append(append([]int{e.from}, l.routes[i]...), e.to)
		if l.flip[i] {
			pts = append(append([]int{e.to}, l.routes[i]...), e.from)
		}
		for k := 1; k < len(pts); k++ {
			byLayer[l.lay[pts[k-1]]] = append(byLayer[l.lay[pts[k-1]]], seg{l.y[pts[k-1]], l.y[pts[k]]})
		}
	}
	n := 0
	for _, ss := range byLayer {
		for i := range ss {
			for j := i + 1; j < len(ss); j++ {
				if (ss[i].a-ss[j].a)*(ss[i].b-ss[j].b) < 0 {
					n++
				}
			}
		}
	}
	return n
}

func TestLayeredLayout(t *testing.T) {
	tests := []struct {
		name  string
		n     int
		edges []layoutEdge
	}{
		{"chain", 4, []layoutEdge{{0, 1}, {1, 2}, {2, 3}}},
		{"long edge", 3, []layoutEdge{{0, 1}, {1, 2}, {0, 2}}},
		{"cycle", 3, []layoutEdge{{0, 1}, {1, 2}, {2, 0}}},
		{"self loop", 2, []layoutEdge{{0, 0}, {0, 1}}},
		{"no edges", 3, nil},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var big []layoutEdge
	for v := 1; v < 80; v++ {
		big = append(big, layoutEdge{rng.IntN(v), v})
		if v%7 == 0 {
			big = append(big, layoutEdge{v, rng.IntN(v)}) // back edges make cycles
		}
	}
	tests = append(tests, struct {
		name  string
		n     int
		edges []layoutEdge
	}{"80 nodes with cycles", 80, big})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := layered(tt.n, tt.edges)
			for i, e := range tt.edges {
				from, to := e.from, e.to
				if l.flip[i] {
					from, to = to, from
				}
				if from != to && l.layer[to] <= l.layer[from] {
					t.Errorf("edge %d→%d (flipped %v) does not run rightwards: layers %d→%d", e.from, e.to, l.flip[i], l.layer[e.from], l.layer[e.to])
				}
				if from != to && len(l.routes[i]) != l.layer[to]-l.layer[from]-1 {
					t.Errorf("edge %d→%d spans %d layers with %d dummies", e.from, e.to, l.layer[to]-l.layer[from], len(l.routes[i]))
				}
			}
			// Longest path: every node with a predecessor has one a layer to
			// its left; a source sits a layer before its nearest successor.
			for v := 0; v < tt.n; v++ {
				hasPred, found, nearest := false, false, -1
				for i, e := range tt.edges {
					from, to := e.from, e.to
					if l.flip[i] {
						from, to = to, from
					}
					if from == to {
						continue
					}
					if to == v {
						hasPred = true
						found = found || l.layer[from] == l.layer[v]-1
					}
					if from == v && (nearest < 0 || l.layer[to] < nearest) {
						nearest = l.layer[to]
					}
				}
				switch {
				case hasPred && !found:
					t.Errorf("node %d in layer %d has no predecessor in layer %d", v, l.layer[v], l.layer[v]-1)
				case !hasPred && nearest >= 0 && l.layer[v] != nearest-1:
					t.Errorf("source %d in layer %d, its nearest successor in %d", v, l.layer[v], nearest)
				case !hasPred && nearest < 0 && l.layer[v] != 0:
					t.Errorf("isolated node %d in layer %d", v, l.layer[v])
				}
			}
			// Nodes of a layer never overlap.
			for _, vs := range l.slots {
				for k := 1; k < len(vs); k++ {
					if l.y[vs[k]]-l.y[vs[k-1]] < (l.slotHeight(vs[k])+l.slotHeight(vs[k-1]))/2-1e-9 {
						t.Errorf("slots %d and %d overlap", vs[k-1], vs[k])
					}
				}
			}
		})
	}
	// Barycentre ordering untangles: fewer crossings than keeping the
	// input order.
	l := layered(80, big)
	ordered := crossings(l, big)
	unordered := layeredSweeps(80, big, 0)
	if ordered >= crossings(unordered, big) {
		t.Errorf("barycentre ordering left %d crossings, no better than the input order's %d", ordered, crossings(unordered, big))
	}
}
