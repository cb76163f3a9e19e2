package webui

import (
	"github.com/radarhq/radar"
	"github.com/radarhq/radar/analysis"
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

// neighbourhood draws key's neighbourhood as analysis.Links.Walk finds it,
// nearest issues first, with the releases it ends in.
func (ix *index) neighbourhood(key string, opt graphOptions) *neighbourhood {
	w := ix.links.Walk(key, analysis.WalkOptions{Parents: opt.parents, FoldDone: !opt.done, MaxIssues: maxGraphNodes})
	nb := &neighbourhood{nodes: make([]graphNode, 0, 1+len(w.Upstream)+len(w.Downstream)),
		upstream: len(w.Upstream), downstream: len(w.Downstream), foldedDone: w.Folded, notDrawn: w.NotKept}
	at := make(map[string]int, cap(nb.nodes))
	add := func(k string, side int) {
		n := graphNode{key: k, issue: ix.issues[k], critical: ix.critical[k], cycle: ix.cycle[k] != 0, side: side, focus: side == 0}
		_, n.blocker = ix.blast[k]
		at[k] = len(nb.nodes)
		nb.nodes = append(nb.nodes, n)
	}
	add(key, 0)
	for _, k := range w.Upstream {
		add(k, -1)
	}
	for _, k := range w.Downstream {
		add(k, +1)
	}
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
				critical: ix.criticalEdge[[2]string{k, to}], cycle: ix.cycle[k] != 0 && ix.cycle[k] == ix.cycle[to]})
		}
		for _, w := range ix.links.Blocks(k) {
			link(w, edgeBlocks)
		}
		if opt.parents {
			for _, p := range ix.links.Parents(k) {
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
