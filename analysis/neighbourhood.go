package analysis

import (
	"slices"

	"github.com/radarhq/radar"
)

// Links are a snapshot's dependency and hierarchy links, indexed both ways
// so that one issue's neighbourhood can be walked without analysing the
// snapshot again. Build them once per snapshot with NewLinks; they are
// read-only afterwards and safe to walk from many goroutines.
type Links struct {
	blocks, blockedBy map[string][]string // blocker → blocked and back, sorted, once each
	parents, children map[string][]string // child → parent or epic and back, in snapshot order
	done              map[string]bool     // issues in the snapshot that are done
}

// NewLinks indexes snap's links: every dependency (self-links and links
// with an empty end dropped) and every parent and epic link, done and
// out-of-scope issues included.
func NewLinks(snap radar.Snapshot) *Links {
	l := &Links{blocks: make(map[string][]string, len(snap.Dependencies)), blockedBy: make(map[string][]string, len(snap.Dependencies)),
		parents: map[string][]string{}, children: map[string][]string{}, done: map[string]bool{}}
	for i := range snap.Issues {
		is := &snap.Issues[i]
		if is.Key == "" {
			continue
		}
		if is.Done() {
			l.done[is.Key] = true
		}
		for _, p := range [2]string{is.ParentKey, is.EpicKey} {
			if p != "" && p != is.Key {
				l.children[p] = append(l.children[p], is.Key)
				l.parents[is.Key] = append(l.parents[is.Key], p)
			}
		}
	}
	for _, d := range snap.Dependencies {
		if d.Blocker == d.Blocked || d.Blocker == "" || d.Blocked == "" {
			continue
		}
		l.blocks[d.Blocker] = append(l.blocks[d.Blocker], d.Blocked)
		l.blockedBy[d.Blocked] = append(l.blockedBy[d.Blocked], d.Blocker)
	}
	for _, adj := range []map[string][]string{l.blocks, l.blockedBy} {
		for k, ks := range adj {
			slices.Sort(ks)
			adj[k] = slices.Compact(ks)
		}
	}
	return l
}

// Blocks lists the issues key blocks, sorted, each once. The slice is
// shared: do not modify it.
func (l *Links) Blocks(key string) []string { return l.blocks[key] }

// BlockedBy lists the issues blocking key, sorted, each once. The slice is
// shared: do not modify it.
func (l *Links) BlockedBy(key string) []string { return l.blockedBy[key] }

// Parents lists key's parent and epic, in that order. The slice is shared:
// do not modify it.
func (l *Links) Parents(key string) []string { return l.parents[key] }

// Linked reports whether key is at either end of any link.
func (l *Links) Linked(key string) bool {
	return len(l.blocks[key]) > 0 || len(l.blockedBy[key]) > 0 || len(l.parents[key]) > 0 || len(l.children[key]) > 0
}

// WalkOptions choose what a neighbourhood walk follows and keeps.
type WalkOptions struct {
	// Depth is how many links away from the focus the walk goes; ≤ 0: no
	// limit.
	Depth int
	// Parents follows parent and epic links as well as dependencies: a
	// child is upstream of its parent (the parent waits on it), the parent
	// downstream of the child.
	Parents bool
	// FoldDone leaves done issues out and does not walk through them; they
	// are counted in Walk.Folded. The focus is kept whatever its status.
	FoldDone bool
	// MaxIssues caps the issues kept, the focus included, nearest first
	// (upstream before downstream); the rest are counted in Walk.NotKept.
	// ≤ 0: no cap.
	MaxIssues int
}

// Walk is one issue's neighbourhood: what it waits on and what waits on
// it, transitively. Each list is in breadth-first order, nearest first.
type Walk struct {
	Focus string
	// Upstream is what the focus waits on: its blockers, theirs, and so on
	// (and children, with WalkOptions.Parents).
	Upstream []string
	// Downstream is what waits on the focus: the issues it blocks, and so
	// on (and parents, with WalkOptions.Parents); an issue both ways (a
	// cycle through the focus) is listed upstream only.
	Downstream []string
	// Folded counts the done issues left out (WalkOptions.FoldDone).
	Folded int
	// NotKept counts the issues past WalkOptions.MaxIssues.
	NotKept int
}

// Walk returns key's neighbourhood: breadth first upstream, then
// downstream, through issues outside the scope too (their links to and
// from synced issues are known).
func (l *Links) Walk(key string, o WalkOptions) Walk {
	w := Walk{Focus: key}
	kept := map[string]bool{key: true}
	folded, dropped := map[string]bool{}, map[string]bool{}
	walk := func(out *[]string, deps, hierarchy map[string][]string) {
		seen := map[string]bool{key: true}
		frontier := []string{key}
		for d := 0; len(frontier) > 0 && (o.Depth <= 0 || d < o.Depth); d++ {
			var next []string
			for _, k := range frontier {
				adj := [2][]string{deps[k]}
				if o.Parents {
					adj[1] = hierarchy[k]
				}
				for _, ns := range adj {
					for _, n := range ns {
						if seen[n] {
							continue
						}
						seen[n] = true
						if o.FoldDone && l.done[n] {
							folded[n] = true
							continue
						}
						if !kept[n] {
							if o.MaxIssues > 0 && len(kept) >= o.MaxIssues {
								dropped[n] = true
								continue
							}
							kept[n] = true
							*out = append(*out, n)
						}
						next = append(next, n)
					}
				}
			}
			frontier = next
		}
	}
	walk(&w.Upstream, l.blockedBy, l.children)
	walk(&w.Downstream, l.blocks, l.parents)
	w.Folded, w.NotKept = len(folded), len(dropped)
	return w
}
