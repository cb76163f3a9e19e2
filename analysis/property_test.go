package analysis

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/radarhq/radar"
)

var propNow = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// randomSnapshot builds a small random network: open and done issues, random
// dependency links (self-links, duplicates, cycles and out-of-scope keys
// included), sub-tasks and epics, and versions.
func randomSnapshot(rng *rand.Rand, n int) radar.Snapshot {
	var s radar.Snapshot
	s.Versions = []radar.Version{
		{ID: "1", Project: "P", Name: "1.0", ReleaseDate: propNow.AddDate(0, 0, 10)},
		{ID: "2", Project: "P", Name: "2.0"},
	}
	for i := 1; i <= n; i++ {
		is := radar.Issue{ID: fmt.Sprint(i), Key: fmt.Sprintf("P-%d", i), Project: "P", Type: "Story",
			Status: "To Do", StatusCategory: radar.CategoryNew, Created: propNow.AddDate(0, -2, 0), Updated: propNow.AddDate(0, 0, -1)}
		switch r := rng.IntN(10); {
		case r < 3:
			is.StatusCategory, is.Status = radar.CategoryDone, "Done"
			is.Resolved = propNow.AddDate(0, 0, -rng.IntN(80))
		case r < 5:
			is.StatusCategory, is.Status = radar.CategoryInProgress, "In Progress"
		}
		if rng.IntN(2) == 0 {
			p := float64(1 + rng.IntN(8))
			is.StoryPoints = &p
		}
		if rng.IntN(3) == 0 {
			is.RemainingEstimate = time.Duration(1+rng.IntN(40)) * time.Hour
		}
		if rng.IntN(3) == 0 {
			is.FixVersions = []string{fmt.Sprint(1 + rng.IntN(2))}
		}
		if i > 1 && rng.IntN(6) == 0 {
			is.ParentKey = fmt.Sprintf("P-%d", 1+rng.IntN(i-1))
			is.Subtask = true
		}
		if rng.IntN(12) == 0 {
			is.Due = propNow.AddDate(0, 0, rng.IntN(30)-10).Truncate(24 * time.Hour)
		}
		s.Issues = append(s.Issues, is)
	}
	links := n + rng.IntN(n)
	for k := 0; k < links; k++ {
		a, b := fmt.Sprintf("P-%d", 1+rng.IntN(n)), fmt.Sprintf("P-%d", 1+rng.IntN(n))
		if rng.IntN(20) == 0 {
			a = fmt.Sprintf("EXT-%d", rng.IntN(5))
		}
		s.Dependencies = append(s.Dependencies, radar.Dependency{LinkID: fmt.Sprint(k), Type: "Blocks", Blocker: a, Blocked: b})
	}
	return s
}

// reachable counts, by a plain breadth-first search over the snapshot
// itself, the open issues downstream of key through dependency and parent
// links between open issues.
func reachable(s radar.Snapshot, key string) int {
	open := map[string]bool{}
	for _, is := range s.Issues {
		if !is.Done() {
			open[is.Key] = true
		}
	}
	next := map[string][]string{}
	for _, d := range s.Dependencies {
		if open[d.Blocker] && open[d.Blocked] && d.Blocker != d.Blocked {
			next[d.Blocker] = append(next[d.Blocker], d.Blocked)
		}
	}
	for _, is := range s.Issues {
		if open[is.Key] && open[is.ParentKey] && is.ParentKey != is.Key {
			next[is.Key] = append(next[is.Key], is.ParentKey)
		}
	}
	seen := map[string]bool{key: true}
	queue := []string{key}
	for len(queue) > 0 {
		k := queue[0]
		queue = queue[1:]
		for _, w := range next[k] {
			if !seen[w] {
				seen[w] = true
				queue = append(queue, w)
			}
		}
	}
	return len(seen) - 1
}

func TestPropertyBlastRadiusIsReachability(t *testing.T) {
	for seed := uint64(1); seed <= 60; seed++ {
		rng := rand.New(rand.NewPCG(seed, 7))
		s := randomSnapshot(rng, 5+rng.IntN(40))
		rep := Analyze(s, Options{Now: propNow, Trials: 100})
		blockers := 0
		for _, f := range rep.Findings {
			if f.Kind != radar.KindBlocker {
				continue
			}
			blockers++
			if got, want := f.BlastRadius(), reachable(s, f.Issue); got != want {
				t.Errorf("seed %d: %s blast_radius = %v, want %d", seed, f.Issue, got, want)
			}
		}
		if seed == 1 && blockers == 0 {
			t.Fatalf("seed 1 produced no blockers: the generator tests nothing")
		}
	}
}

// TestPropertyCriticalPathIsLongest checks on random networks that no chain
// of open work ending in a version is longer than the version's reported
// critical path, and that the reported path is a real chain of that length.
func TestPropertyCriticalPathIsLongest(t *testing.T) {
	for seed := uint64(1); seed <= 60; seed++ {
		rng := rand.New(rand.NewPCG(seed, 11))
		s := randomSnapshot(rng, 5+rng.IntN(25))
		m, rep := analyze(&s, Options{Now: propNow, Trials: 100})
		// Brute force over the condensed DAG: longest chain ending at each
		// component, by depth-first search over predecessors.
		memo := map[int32]float64{}
		var best func(c int32) float64
		best = func(c int32) float64 {
			if v, ok := memo[c]; ok {
				return v
			}
			own, up := 0.0, 0.0
			for _, v := range m.members.neighbours(c) {
				own += m.dur[v]
				for _, u := range m.up.neighbours(v) {
					if cu := m.comp[u]; cu != c {
						up = max(up, best(cu))
					}
				}
			}
			memo[c] = own + up
			return own + up
		}
		for _, vf := range rep.Versions {
			var id string
			for _, v := range s.Versions {
				if v.Name == vf.Name {
					id = v.ID
				}
			}
			longest := 0.0
			for i, is := range m.iss {
				if m.open[i] && slices.Contains(is.FixVersions, id) {
					longest = max(longest, best(m.comp[i]))
				}
			}
			got := vf.CriticalPathRemaining.Hours() / 24
			if got+1e-6 < longest || got > longest+1e-6 {
				t.Errorf("seed %d: version %s critical path %.3f days, longest chain %.3f", seed, vf.Name, got, longest)
			}
			// The reported path is a chain: each step an edge (or a cycle's members).
			sum := 0.0
			for k, key := range vf.CriticalPath {
				i := m.idx[key]
				sum += m.dur[i]
				if k == 0 {
					continue
				}
				prev := m.idx[vf.CriticalPath[k-1]]
				if m.comp[prev] == m.comp[i] {
					continue // members of one cycle, worked as one block
				}
				// Consecutive blocks of the chain must be linked by an edge
				// between some members of each.
				linked := false
				for _, v := range m.members.neighbours(m.comp[prev]) {
					for _, w := range m.down.neighbours(v) {
						linked = linked || m.comp[w] == m.comp[i]
					}
				}
				if !linked {
					t.Errorf("seed %d: critical path %v: no edge from %s's block to %s's", seed, vf.CriticalPath, vf.CriticalPath[k-1], key)
				}
			}
			if sum+1e-6 < got || sum > got+1e-6 {
				t.Errorf("seed %d: critical path %v sums to %.3f days, reported %.3f", seed, vf.CriticalPath, sum, got)
			}
		}
	}
}

// TestPropertyDeterministic checks that the same snapshot and clock give
// byte-identical JSON, whatever order the snapshot lists things in.
func TestPropertyDeterministic(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		rng := rand.New(rand.NewPCG(seed, 13))
		s := randomSnapshot(rng, 30+rng.IntN(30))
		var a, b, c bytes.Buffer
		if err := WriteJSON(&a, Analyze(s, Options{Now: propNow})); err != nil {
			t.Fatal(err)
		}
		if err := WriteJSON(&b, Analyze(s, Options{Now: propNow})); err != nil {
			t.Fatal(err)
		}
		shuffled := s
		shuffled.Issues = slices.Clone(s.Issues)
		shuffled.Dependencies = slices.Clone(s.Dependencies)
		rng.Shuffle(len(shuffled.Issues), func(i, j int) { shuffled.Issues[i], shuffled.Issues[j] = shuffled.Issues[j], shuffled.Issues[i] })
		rng.Shuffle(len(shuffled.Dependencies), func(i, j int) {
			shuffled.Dependencies[i], shuffled.Dependencies[j] = shuffled.Dependencies[j], shuffled.Dependencies[i]
		})
		if err := WriteJSON(&c, Analyze(shuffled, Options{Now: propNow})); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Fatalf("seed %d: two runs differ", seed)
		}
		if !bytes.Equal(a.Bytes(), c.Bytes()) {
			t.Fatalf("seed %d: shuffled input differs:\n%s", seed, firstDiff(c.String(), a.String()))
		}
	}
}
