package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/store"
	"github.com/radarhq/radar/store/storetest"
)

// benchRecords builds n issues shaped like a first sync's: 2 dependency
// links, a sprint and about 16 changelog items (8 histories of 2) each.
func benchRecords(n int) []store.IssueRecord {
	t0 := time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC)
	recs := make([]store.IssueRecord, n)
	for i := range recs {
		id, key := fmt.Sprint(10000+i), fmt.Sprintf("PAY-%d", i+1)
		r := &recs[i]
		r.Scope = "PAY"
		r.Issue = radar.Issue{ID: id, Key: key, Project: "PAY", Type: "Story", Summary: "Handle invoice export " + key,
			Status: "In Progress", StatusID: "3", StatusCategory: "indeterminate", Priority: "Medium",
			AssigneeID: "acc-7", AssigneeName: "Dana Reyes", Created: t0, Updated: t0.Add(time.Duration(i) * time.Minute),
			Labels: []string{"backend"}, FixVersions: []string{"10100"}, SprintIDs: []int64{int64(1 + i%20)}}
		for j := range 2 {
			other := 10000 + (i+j+1)%n
			r.Links = append(r.Links, store.LinkRecord{ID: fmt.Sprint(500000 + 2*i + j), Type: "Blocks",
				BlockerID: id, BlockerKey: key, BlockedID: fmt.Sprint(other), BlockedKey: fmt.Sprintf("PAY-%d", other-9999)})
		}
		r.Sprints = []radar.Sprint{{ID: int64(1 + i%20), Name: fmt.Sprintf("Sprint %d", 1+i%20), State: "closed"}}
		for h := range 8 {
			hid := fmt.Sprint(900000 + 8*i + h)
			at := t0.Add(time.Duration(h) * 24 * time.Hour)
			r.Changes = append(r.Changes,
				radar.Change{IssueKey: key, HistoryID: hid, Author: "Dana Reyes", Created: at, Field: "status", FieldID: "status",
					From: "1", FromString: "To Do", To: "3", ToString: "In Progress"},
				radar.Change{IssueKey: key, HistoryID: hid, Author: "Dana Reyes", Created: at, Field: "Sprint", FieldID: "customfield_10020",
					From: "", FromString: "", To: "7", ToString: "Sprint 7"})
		}
	}
	return recs
}

// BenchmarkWriteBatch writes 5,000 issues into a fresh store in batches of
// 1,000, as a first sync's writer does, then the same issues again, as a
// sync that fetched them all again does:
// go test -run '^$' -bench WriteBatch ./store
func BenchmarkWriteBatch(b *testing.B) {
	const n, batch = 5000, 1000
	recs := benchRecords(n)
	ctx := context.Background()
	for _, again := range []bool{false, true} {
		name := "fresh"
		if again {
			name = "again"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				st := storetest.Open(b)
				if again {
					for i := 0; i < n; i += batch {
						if err := st.WriteBatch(ctx, store.Batch{Issues: recs[i : i+batch]}); err != nil {
							b.Fatal(err)
						}
					}
				}
				b.StartTimer()
				for i := 0; i < n; i += batch {
					if err := st.WriteBatch(ctx, store.Batch{Issues: recs[i : i+batch]}); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/issue")
		})
	}
}
