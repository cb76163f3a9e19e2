package store_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/store"
	"github.com/radarhq/radar/store/storetest"
)

// ScopeKeys answers for the ids asked, across its 500-id chunks, leaving
// out removed issues and other scopes' issues.
func TestScopeKeys(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	var recs []store.IssueRecord
	for i := 1; i <= 1200; i++ {
		recs = append(recs, store.IssueRecord{Scope: "PAY", Issue: radar.Issue{ID: strconv.Itoa(i), Key: fmt.Sprintf("PAY-%d", i), Project: "PAY"}})
	}
	recs = append(recs, store.IssueRecord{Scope: "WEB", Issue: radar.Issue{ID: "5000", Key: "WEB-1", Project: "WEB"}})
	if err := st.WriteBatch(ctx, store.Batch{Issues: recs}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Reconcile(ctx, "PAY", []string{"7"}, nil, time.Now()); err != nil {
		t.Fatal(err)
	}
	var ask []string
	for i := 1; i <= 1200; i++ {
		ask = append(ask, strconv.Itoa(i))
	}
	ask = append(ask, "5000", "99999")
	got, err := st.ScopeKeys(ctx, "PAY", ask)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1199 {
		t.Errorf("%d keys, want 1199 (1200 stored, one removed)", len(got))
	}
	for id, want := range map[string]string{"1": "PAY-1", "501": "PAY-501", "1200": "PAY-1200"} {
		if got[id] != want {
			t.Errorf("key of %s = %q, want %q", id, got[id], want)
		}
	}
	for _, id := range []string{"7", "5000", "99999"} {
		if k, ok := got[id]; ok {
			t.Errorf("id %s answered (%q): removed, another scope's or unknown", id, k)
		}
	}
	if got, err := st.ScopeKeys(ctx, "PAY", nil); err != nil || len(got) != 0 {
		t.Errorf("no ids: %v, %v", got, err)
	}
}
