package webui

import (
	"slices"

	"github.com/radarhq/radar"
)

// maxGraphNodes caps an issue's picture: nearer issues come first, the rest
// are counted and listed as not drawn.
const maxGraphNodes = 250

// maxGraphReleases caps the release nodes one picture ends in.
const maxGraphReleases = 12

// Edge kinds in a neighbourhood picture.
const (
	edgeBlocks  = "blocks"  // from blocks to
	edgeParent  = "parent"  // from is a child of to
	edgeRelease = "release" // from is in release to
)

// graphNode is one issue (or release) in a picture.
type graphNode struct {
	key      string         // issue key; "" for a release
	issue    *radar.Issue   // nil outside the synced scope, and for releases
	release  *radar.Version // set for a release node
	focus    bool
	critical bool
	cycle    bool
	blocker  bool
	side     int // -1 upstream (it waits on), +1 downstream (waits on it), 0 the focus
}

type graphEdge struct {
	from, to int
	kind     string
	critical bool
	cycle    bool
}

// neighbourhood is an issue's picture: what it waits on and what waits on
// it, transitively, ending in the releases it delays.
type neighbourhood struct {
	nodes      []graphNode
	edges      []graphEdge
	upstream   int // issues it waits on, drawn
	downstream int // issues waiting on it, drawn
	foldedDone int // done issues left out (shown with ?done=1)
	notDrawn   int // issues past maxGraphNodes
}

// graphOptions choose what a picture includes.
type graphOptions struct {
	parents bool // parent and epic links as well as dependencies
	done    bool // done issues drawn (faded) rather than folded
}

func (ix *index) neighbourhood(key string, opt graphOptions) *neighbourhood {
	nb := &neighbourhood{}
	at := map[string]int{}
	add := func(k string, side int) int {
		if i, ok := at[k]; ok {
			return i
		}
		is := ix.issues[k]
		n := graphNode{key: k, issue: is, critical: ix.critical[k], cycle: ix.cycle[k], side: side}
		_, n.blocker = ix.blast[k]
		at[k] = len(nb.nodes)
		nb.nodes = append(nb.nodes, n)
		return at[k]
	}
	focus := add(key, 0)
	nb.nodes[focus].focus = true
	folded := map[string]bool{}
	// Breadth first both ways, nearest first, until the cap.
	walk := func(side int, next func(string) []string) {
		frontier := []string{key}
		seen := map[string]bool{key: true}
		for len(frontier) > 0 {
			var nextFrontier []string
			for _, k := range frontier {
				for _, w := range next(k) {
					if seen[w] {
						continue
					}
					seen[w] = true
					is := ix.issues[w]
					if is != nil && is.Done() && !opt.done {
						folded[w] = true
						continue
					}
					if _, drawn := at[w]; !drawn && len(nb.nodes) >= maxGraphNodes {
						nb.notDrawn++
						continue
					}
					if _, drawn := at[w]; !drawn {
						if side < 0 {
							nb.upstream++
						} else {
							nb.downstream++
						}
					}
					add(w, side)
					if is != nil { // a done one here is drawn (opt.done)
						nextFrontier = append(nextFrontier, w)
					}
				}
			}
			frontier = nextFrontier
		}
	}
	walk(-1, func(k string) []string {
		if opt.parents {
			return append(slices.Clip(ix.blockedBy[k]), ix.children[k]...)
		}
		return ix.blockedBy[k]
	})
	walk(+1, func(k string) []string {
		if opt.parents {
			return append(slices.Clip(ix.blocks[k]), ix.parents[k]...)
		}
		return ix.blocks[k]
	})
	nb.foldedDone = len(folded)
	ix.connect(nb, at, opt)
	return nb
}

// connect adds the edges between drawn issues and the releases the focus
// and what waits on it belong to.
func (ix *index) connect(nb *neighbourhood, at map[string]int, opt graphOptions) {
	issues := len(nb.nodes)
	for i := 0; i < issues; i++ {
		k := nb.nodes[i].key
		link := func(to string, kind string) {
			j, ok := at[to]
			if !ok || j == i {
				return
			}
			nb.edges = append(nb.edges, graphEdge{from: i, to: j, kind: kind,
				critical: ix.criticalEdge[[2]string{k, to}], cycle: ix.cycle[k] && ix.cycle[to]})
		}
		for _, w := range ix.blocks[k] {
			link(w, edgeBlocks)
		}
		if opt.parents {
			for _, p := range ix.parents[k] {
				link(p, edgeParent)
			}
		}
	}
	releases := map[string]int{}
	for i := 0; i < issues; i++ {
		n := nb.nodes[i]
		if n.side < 0 || n.issue == nil || n.issue.Done() {
			continue
		}
		for _, id := range n.issue.FixVersions {
			v := ix.versionByID[id]
			if v == nil || v.Released || v.Archived {
				continue
			}
			r, ok := releases[id]
			if !ok {
				if len(releases) >= maxGraphReleases {
					continue
				}
				r = len(nb.nodes)
				releases[id] = r
				nb.nodes = append(nb.nodes, graphNode{release: v, side: 1})
			}
			nb.edges = append(nb.edges, graphEdge{from: i, to: r, kind: edgeRelease})
		}
	}
}
