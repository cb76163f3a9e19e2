package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/radarhq/radar/store"
	"github.com/radarhq/radar/store/storetest"
)

// A batch's changelog rows go many to an INSERT; what lands must be what
// one row at a time would give, whatever the batch holds.
func TestWriteBatchChangelogRows(t *testing.T) {
	ctx := context.Background()
	recs := benchRecords(40) // 16 rows an issue: 640 rows, 10 full INSERTs
	// changelog rows as "issue history seq to_string", sorted
	changelog := func(st *store.Store) []string {
		var out []string
		for _, r := range storetest.Rows(t, st, "changelog") {
			out = append(out, fmt.Sprintf("%s %s %s %s", r["issue_id"], r["history_id"], r["seq"], r["to_string"]))
		}
		slices.Sort(out)
		return out
	}
	want := func(recs []store.IssueRecord) []string {
		var out []string
		for _, r := range recs {
			seq := map[string]int{}
			for _, c := range r.Changes {
				out = append(out, fmt.Sprintf("%s %s %d %s", r.Issue.ID, c.HistoryID, seq[c.HistoryID], c.ToString))
				seq[c.HistoryID]++
			}
		}
		slices.Sort(out)
		return out
	}
	t.Run("fresh store", func(t *testing.T) {
		st := storetest.Open(t)
		if err := st.WriteBatch(ctx, store.Batch{Issues: recs}); err != nil {
			t.Fatal(err)
		}
		if got, w := changelog(st), want(recs); !slices.Equal(got, w) {
			t.Errorf("%d changelog rows, want %d", len(got), len(w))
		}
	})
	t.Run("same issue twice in a batch", func(t *testing.T) {
		// The second version of issue 0 has a history of its own and lost
		// the first's histories but one: only its rows may remain.
		st := storetest.Open(t)
		second := recs[0]
		second.Issue.Updated = second.Issue.Updated.Add(1)
		second.Changes = append(recs[0].Changes[:2:2], recs[0].Changes[0])
		second.Changes[2].HistoryID, second.Changes[2].ToString = "999999", "Done"
		batch := append([]store.IssueRecord{recs[0], second}, recs[1:5]...)
		if err := st.WriteBatch(ctx, store.Batch{Issues: batch}); err != nil {
			t.Fatal(err)
		}
		if got, w := changelog(st), want(append(slices.Clone(recs[1:5]), second)); !slices.Equal(got, w) {
			t.Errorf("changelog:\n got %q\nwant %q", got, w)
		}
	})
	t.Run("written again with fewer histories", func(t *testing.T) {
		st := storetest.Open(t)
		if err := st.WriteBatch(ctx, store.Batch{Issues: recs}); err != nil {
			t.Fatal(err)
		}
		again := slices.Clone(recs)
		for i := range again {
			again[i].Issue.Updated = again[i].Issue.Updated.Add(1)
			again[i].Changes = again[i].Changes[:i%3]
		}
		if err := st.WriteBatch(ctx, store.Batch{Issues: again}); err != nil {
			t.Fatal(err)
		}
		if got, w := changelog(st), want(again); !slices.Equal(got, w) {
			t.Errorf("%d changelog rows, want %d", len(got), len(w))
		}
	})
}

// What the store holds of a batch is read 500 ids to a query: a batch of
// more than that, all held, is replaced whole.
func TestWriteBatchManyHeldIssues(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	recs := benchRecords(1300)
	if err := st.WriteBatch(ctx, store.Batch{Issues: recs}); err != nil {
		t.Fatal(err)
	}
	again := slices.Clone(recs)
	for i := range again {
		again[i].Issue.Updated = again[i].Issue.Updated.Add(1)
		again[i].Issue.Summary = "again"
		again[i].Changes = again[i].Changes[:1]
		again[i].Links = nil
	}
	if err := st.WriteBatch(ctx, store.Batch{Issues: again}); err != nil {
		t.Fatal(err)
	}
	if n := len(storetest.Rows(t, st, "changelog")); n != len(again) {
		t.Errorf("%d changelog rows, want %d (one an issue)", n, len(again))
	}
	if n := len(storetest.Rows(t, st, "issue_links")); n != 0 {
		t.Errorf("%d issue links left, want none", n)
	}
	for _, r := range storetest.Rows(t, st, "issues") {
		if r["summary"] != "again" {
			t.Fatalf("issue %s not replaced: summary %q", r["id"], r["summary"])
		}
	}
}
