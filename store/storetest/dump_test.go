package storetest_test

import (
	"context"
	"maps"
	"testing"
	"time"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/store"
	"github.com/radarhq/radar/store/storetest"
)

// TestRows reads back, through the canonical dump, values that test its
// parsing: quotes, spaces, '=' and NULL in strings, and NULL columns.
func TestRows(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	odd := `Won't "fix" = done NULL`
	if err := st.PutStatuses(ctx, []radar.Status{{ID: "3", Name: odd, Category: radar.CategoryDone}, {ID: "1", Name: "NULL", Category: radar.CategoryNew}}); err != nil {
		t.Fatal(err)
	}
	id, err := st.BeginSync(ctx, "full", time.UnixMilli(1700000000000))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.FinishSync(ctx, store.SyncRun{ID: id, FinishedAt: time.UnixMilli(1700000005000), Issues: 7, Error: "jira said 500"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.BeginSync(ctx, "incremental", time.UnixMilli(1700000009000)); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		table string
		want  []storetest.Row
	}{
		{"statuses", []storetest.Row{
			{"id": "1", "name": "NULL", "category": "new"},
			{"id": "3", "name": odd, "category": "done"},
		}},
		{"sync_runs", []storetest.Row{
			{"id": "1", "started_at": "1700000000000", "finished_at": "1700000005000", "mode": "full", "issues": "7",
				"links": "0", "changes": "0", "removed": "0", "requests": "0", "retries": "0", "error": "jira said 500"},
			{"id": "2", "started_at": "1700000009000", "mode": "incremental", "issues": "0",
				"links": "0", "changes": "0", "removed": "0", "requests": "0", "retries": "0"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.table, func(t *testing.T) {
			got := storetest.Rows(t, st, tt.table)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d rows %v, want %v", len(got), got, tt.want)
			}
			for i := range got {
				if !maps.Equal(got[i], tt.want[i]) {
					t.Errorf("row %d = %v, want %v", i, got[i], tt.want[i])
				}
			}
			if n := storetest.Count(t, st, tt.table, nil); n != len(tt.want) {
				t.Errorf("Count = %d, want %d", n, len(tt.want))
			}
		})
	}
}
