package analysis

import (
	"reflect"
	"testing"

	"github.com/radarhq/radar"
)

// TestLinksWalk walks A-1's neighbourhood: A-0 blocks A-4 (done), which
// blocks A-1; A-1 blocks blocks blocks EXT-1 (outside the
// scope), which blocks A-5; A-2 is in epic is A-1's sub-task.
func TestLinksWalk(t *testing.T) {
	open := func(key string) radar.Issue {
		return radar.Issue{Key: key, Project: "A", Status: "To Do", StatusCategory: radar.CategoryNew}
	}
	snap := radar.Snapshot{Issues: []radar.Issue{open("A-0"), open("A-1"), open("A-2"), open("A-3"), open("A-5"), open("A-6"), open("A-7")}}
	snap.Issues = append(snap.Issues, radar.Issue{Key: "A-4", Project: "A", Status: "Done", StatusCategory: radar.CategoryDone})
	snap.Issues[2].EpicKey = "A-6"
	snap.Issues[6].ParentKey = "A-1"
	for _, d := range [][2]string{{"A-0", "A-4"}, {"A-4", "A-1"}, {"A-1", "A-2"}, {"A-2", "A-3"}, {"A-3", "EXT-1"}, {"EXT-1", "A-5"}, {"A-1", "A-1"}} {
		snap.Dependencies = append(snap.Dependencies, radar.Dependency{Type: "Blocks", Blocker: d[0], Blocked: d[1]})
	}
	links := NewLinks(snap)
	tests := []struct {
		name string
		opts WalkOptions
		want Walk
	}{
		{"everything", WalkOptions{},
			Walk{Focus: "A-1", Upstream: []string{"A-4", "A-0"}, Downstream: []string{"A-2", "A-3", "EXT-1", "A-5"}}},
		{"done folded", WalkOptions{FoldDone: true},
			Walk{Focus: "A-1", Downstream: []string{"A-2", "A-3", "EXT-1", "A-5"}, Folded: 1}},
		{"parent links", WalkOptions{Parents: true},
			Walk{Focus: "A-1", Upstream: []string{"A-4", "A-7", "A-0"}, Downstream: []string{"A-2", "A-3", "A-6", "EXT-1", "A-5"}}},
		{"depth 1", WalkOptions{Depth: 1, Parents: true},
			Walk{Focus: "A-1", Upstream: []string{"A-4", "A-7"}, Downstream: []string{"A-2"}}},
		{"capped", WalkOptions{MaxIssues: 3},
			Walk{Focus: "A-1", Upstream: []string{"A-4", "A-0"}, NotKept: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := links.Walk("A-1", tt.opts); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Walk(A-1, %+v) = %+v, want %+v", tt.opts, got, tt.want)
			}
		})
	}
	for key, want := range map[string]bool{"A-6": true, "EXT-1": true, "A-1": true, "B-9": false} {
		if got := links.Linked(key); got != want {
			t.Errorf("Linked(%s) = %v, want %v", key, got, want)
		}
	}
}
