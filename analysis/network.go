package analysis

import "slices"

// csr is a compressed sparse row adjacency: the neighbours of node v are
// to[off[v]:off[v+1]], sorted ascending and without duplicates.
type csr struct {
	off []int32
	to  []int32
}

// neighbours returns v's neighbours.
func (g *csr) neighbours(v int32) []int32 { return g.to[g.off[v]:g.off[v+1]] }

// buildCSR builds the adjacency of n nodes from parallel edge lists,
// dropping duplicate edges.
func buildCSR(n int, from, to []int32) csr {
	off := make([]int32, n+1)
	for _, f := range from {
		off[f+1]++
	}
	for i := 0; i < n; i++ {
		off[i+1] += off[i]
	}
	pos := make([]int32, n)
	copy(pos, off[:n])
	tgt := make([]int32, len(from))
	for k, f := range from {
		tgt[pos[f]] = to[k]
		pos[f]++
	}
	// Sort and deduplicate each row, compacting in place.
	w := int32(0)
	start := int32(0)
	for v := 0; v < n; v++ {
		end := off[v+1]
		row := tgt[start:end]
		slices.Sort(row)
		rowStart := w
		for k, x := range row {
			if k > 0 && x == row[k-1] {
				continue
			}
			tgt[w] = x
			w++
		}
		off[v] = rowStart
		start = end
	}
	off[n] = w
	return csr{off: off, to: tgt[:w:w]}
}

// reverse returns the transpose of g.
func (g *csr) reverse(n int) csr {
	from := make([]int32, 0, len(g.to))
	to := make([]int32, 0, len(g.to))
	for v := int32(0); v < int32(n); v++ {
		for _, w := range g.neighbours(v) {
			from = append(from, w)
			to = append(to, v)
		}
	}
	return buildCSR(n, from, to)
}

// sccs finds the strongly connected components of g restricted to the nodes
// include accepts, with Tarjan's algorithm run iteratively (no recursion, so
// a chain of a million issues cannot overflow the stack). comp[v] is -1 for
// excluded nodes. Components are numbered in reverse topological order: every
// edge between components goes from a higher number to a lower one.
func sccs(g *csr, include []bool) (comp []int32, ncomp int32) {
	n := len(include)
	comp = make([]int32, n)
	index := make([]int32, n)
	low := make([]int32, n)
	onStack := make([]bool, n)
	for i := range index {
		index[i] = -1
		comp[i] = -1
	}
	type frame struct{ v, e int32 }
	var frames []frame
	var stack []int32
	counter := int32(0)
	for s := int32(0); s < int32(n); s++ {
		if !include[s] || index[s] != -1 {
			continue
		}
		index[s], low[s] = counter, counter
		counter++
		stack = append(stack, s)
		onStack[s] = true
		frames = append(frames, frame{s, g.off[s]})
		for len(frames) > 0 {
			f := &frames[len(frames)-1]
			v := f.v
			if f.e < g.off[v+1] {
				w := g.to[f.e]
				f.e++
				if !include[w] {
					continue
				}
				if index[w] == -1 {
					index[w], low[w] = counter, counter
					counter++
					stack = append(stack, w)
					onStack[w] = true
					frames = append(frames, frame{w, g.off[w]})
				} else if onStack[w] && index[w] < low[v] {
					low[v] = index[w]
				}
				continue
			}
			if low[v] == index[v] {
				for {
					w := stack[len(stack)-1]
					stack = stack[:len(stack)-1]
					onStack[w] = false
					comp[w] = ncomp
					if w == v {
						break
					}
				}
				ncomp++
			}
			frames = frames[:len(frames)-1]
			if len(frames) > 0 {
				u := frames[len(frames)-1].v
				if low[v] < low[u] {
					low[u] = low[v]
				}
			}
		}
	}
	return comp, ncomp
}

// groupMembers lists each component's member nodes in ascending order.
func groupMembers(comp []int32, ncomp int32) csr {
	from := make([]int32, 0, len(comp))
	to := make([]int32, 0, len(comp))
	for v, c := range comp {
		if c >= 0 {
			from = append(from, c)
			to = append(to, int32(v))
		}
	}
	return buildCSR(int(ncomp), from, to)
}

// longestPaths runs the critical-path dynamic programme on the condensation
// of g: longest[c] is the most remaining work (days) on any chain ending with
// component c, including c itself (whose duration is the sum of its
// members'); pred[c] is the component before c on that chain, or -1. up is
// the transpose of g. A cycle is thus worked as one block: reported, then
// broken, never followed round.
func longestPaths(up *csr, comp []int32, members *csr, ncomp int32, dur []float64) (longest []float64, pred []int32) {
	longest = make([]float64, ncomp)
	pred = make([]int32, ncomp)
	for c := ncomp - 1; c >= 0; c-- { // topological order
		best, bp := 0.0, int32(-1)
		own := 0.0
		for _, v := range members.neighbours(c) {
			own += dur[v]
			for _, u := range up.neighbours(v) {
				cu := comp[u]
				if cu < 0 || cu == c {
					continue
				}
				if bp == -1 || longest[cu] > best {
					best, bp = longest[cu], cu
				}
			}
		}
		longest[c] = best + own
		pred[c] = bp
	}
	return longest, pred
}

// chain returns the components of the critical chain ending with c, first
// to last.
func chain(pred []int32, c int32) []int32 {
	var out []int32
	for ; c >= 0; c = pred[c] {
		out = append(out, c)
	}
	slices.Reverse(out)
	return out
}

// bfs is a breadth-first walker with a reusable visited stamp, so that
// walking from every blocker allocates nothing per walk.
type bfs struct {
	stamp []int32
	gen   int32
	queue []int32
}

func newBFS(n int) *bfs { return &bfs{stamp: make([]int32, n)} }

// walk visits every node reachable from s through g (s excluded unless it
// lies on a cycle back to itself, which is not counted either), calling
// visit for each. It returns the number of nodes visited.
func (b *bfs) walk(g *csr, s int32, visit func(v int32)) int {
	b.gen++
	b.stamp[s] = b.gen
	b.queue = append(b.queue[:0], s)
	count := 0
	for h := 0; h < len(b.queue); h++ {
		for _, w := range g.neighbours(b.queue[h]) {
			if b.stamp[w] == b.gen {
				continue
			}
			b.stamp[w] = b.gen
			b.queue = append(b.queue, w)
			count++
			if visit != nil {
				visit(w)
			}
		}
	}
	return count
}
