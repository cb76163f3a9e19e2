package webui

import (
	"cmp"
	"slices"
)

// Layered drawing of a directed graph (after Sugiyama): cycles are broken
// by reversing DFS back edges, nodes are put in layers by longest path from
// the sources (each source then moved up to just before its nearest
// successor), edges longer than one layer get dummy points, and each
// layer is ordered by the barycentre of its neighbours in sweeps down and
// up. Layers run left to right; the result is positions, not pixels' style.

// layoutEdge is an edge of the graph to lay out, by node index.
type layoutEdge struct{ from, to int }

// layout is the computed drawing: per node its layer and slot, per edge the
// points it passes through (its dummies), in layer order.
type layout struct {
	layer  []int     // per real node
	slots  [][]int   // per layer, the node ids in order (ids ≥ n are dummies)
	y      []float64 // per node or dummy: centre in slot units
	routes [][]int   // per edge: the dummy ids between its ends
	flip   []bool    // per edge: drawn against the layer order (a cycle's back edge)
	lay    []int     // per node or dummy: its layer
	n      int
}

// layoutSweeps is how many down-and-up barycentre sweeps order the layers.
const layoutSweeps = 6

func layered(n int, edges []layoutEdge) *layout { return layeredSweeps(n, edges, layoutSweeps) }

// layeredSweeps is layered with the given number of ordering sweeps.
func layeredSweeps(n int, edges []layoutEdge, sweeps int) *layout {
	l := &layout{layer: make([]int, n), routes: make([][]int, len(edges)), flip: make([]bool, len(edges)), n: n}
	out := make([][]int, n)
	for i, e := range edges {
		out[e.from] = append(out[e.from], i)
	}
	// Break cycles: an edge to a node on the DFS stack goes backwards.
	state := make([]uint8, n) // 0 new, 1 on stack, 2 done
	type frame struct{ v, next int }
	for s := 0; s < n; s++ {
		if state[s] != 0 {
			continue
		}
		stack := []frame{{s, 0}}
		state[s] = 1
		for len(stack) > 0 {
			f := &stack[len(stack)-1]
			if f.next == len(out[f.v]) {
				state[f.v] = 2
				stack = stack[:len(stack)-1]
				continue
			}
			ei := out[f.v][f.next]
			f.next++
			w := edges[ei].to
			switch state[w] {
			case 0:
				state[w] = 1
				stack = append(stack, frame{w, 0})
			case 1:
				l.flip[ei] = true
			}
		}
	}
	// Longest-path layering over the acyclic orientation (Kahn's order).
	oriented := make([]layoutEdge, len(edges)) // each edge as drawn, left to right
	succ := make([][]int, n)
	indeg := make([]int, n)
	for i, e := range edges {
		oriented[i] = e
		if l.flip[i] {
			oriented[i] = layoutEdge{e.to, e.from}
		}
		if e.from == e.to {
			continue
		}
		succ[oriented[i].from] = append(succ[oriented[i].from], oriented[i].to)
		indeg[oriented[i].to]++
	}
	hasPred := make([]bool, n)
	for v := range n {
		hasPred[v] = indeg[v] > 0
	}
	queue := make([]int, 0, n)
	for v := 0; v < n; v++ {
		if indeg[v] == 0 {
			queue = append(queue, v)
		}
	}
	for q := 0; q < len(queue); q++ {
		v := queue[q]
		for _, w := range succ[v] {
			l.layer[w] = max(l.layer[w], l.layer[v]+1)
			if indeg[w]--; indeg[w] == 0 {
				queue = append(queue, w)
			}
		}
	}
	// A source sits just before its nearest successor rather than in the
	// first layer: an epic's children gather beside it, not far left.
	for i := len(queue) - 1; i >= 0; i-- {
		v := queue[i]
		if hasPred[v] || len(succ[v]) == 0 {
			continue
		}
		nearest := -1
		for _, w := range succ[v] {
			if nearest < 0 || l.layer[w] < nearest {
				nearest = l.layer[w]
			}
		}
		l.layer[v] = nearest - 1
	}
	layers := 0
	for _, ly := range l.layer {
		layers = max(layers, ly+1)
	}
	l.slots = make([][]int, layers)
	for v := 0; v < n; v++ {
		l.slots[l.layer[v]] = append(l.slots[l.layer[v]], v)
	}
	// Dummies for long edges, and the adjacency between neighbouring layers.
	next := n
	var nodeLayer []int
	nodeLayer = append(nodeLayer, l.layer...)
	up := map[int][]int{} // node → neighbours one layer left
	down := map[int][]int{}
	for i, e := range oriented {
		a, b := e.from, e.to
		if a == b {
			continue
		}
		prev := a
		for ly := l.layer[a] + 1; ly < l.layer[b]; ly++ {
			d := next
			next++
			nodeLayer = append(nodeLayer, ly)
			l.slots[ly] = append(l.slots[ly], d)
			l.routes[i] = append(l.routes[i], d)
			down[prev] = append(down[prev], d)
			up[d] = append(up[d], prev)
			prev = d
		}
		down[prev] = append(down[prev], b)
		up[b] = append(up[b], prev)
		if l.flip[i] {
			slices.Reverse(l.routes[i])
		}
	}
	pos := make([]float64, next)
	place := func(ly int) {
		for k, v := range l.slots[ly] {
			pos[v] = float64(k)
		}
	}
	for ly := range l.slots {
		place(ly)
	}
	order := func(ly int, adj map[int][]int) {
		bary := make(map[int]float64, len(l.slots[ly]))
		for _, v := range l.slots[ly] {
			ns := adj[v]
			if len(ns) == 0 {
				bary[v] = pos[v]
				continue
			}
			sum := 0.0
			for _, w := range ns {
				sum += pos[w]
			}
			bary[v] = sum / float64(len(ns))
		}
		slices.SortStableFunc(l.slots[ly], func(a, b int) int { return cmp.Compare(bary[a], bary[b]) })
		place(ly)
	}
	for s := 0; s < sweeps; s++ {
		for ly := 1; ly < len(l.slots); ly++ {
			order(ly, up)
		}
		for ly := len(l.slots) - 2; ly >= 0; ly-- {
			order(ly, down)
		}
	}
	// Vertical centres: real nodes take a full slot, dummies a thin one,
	// and each layer is centred on the tallest.
	l.y = make([]float64, next)
	heights := make([]float64, len(l.slots))
	tallest := 0.0
	for ly, vs := range l.slots {
		for _, v := range vs {
			heights[ly] += l.slotHeight(v)
		}
		tallest = max(tallest, heights[ly])
	}
	for ly, vs := range l.slots {
		y := (tallest - heights[ly]) / 2
		for _, v := range vs {
			h := l.slotHeight(v)
			l.y[v] = y + h/2
			y += h
		}
	}
	l.lay = nodeLayer
	return l
}

// dummySlot is a dummy point's height as a fraction of a node's slot.
const dummySlot = 0.3

func (l *layout) slotHeight(v int) float64 {
	if v < l.n {
		return 1
	}
	return dummySlot
}

// height is the drawing's height in slot units.
func (l *layout) height() float64 {
	h := 0.0
	for _, vs := range l.slots {
		s := 0.0
		for _, v := range vs {
			s += l.slotHeight(v)
		}
		h = max(h, s)
	}
	return h
}
