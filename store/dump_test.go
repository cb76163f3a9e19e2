package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/radarhq/radar/store"
	"github.com/radarhq/radar/store/storetest"
)

func TestDumpIsCanonical(t *testing.T) {
	ctx := context.Background()
	write := func(order []string) string {
		s := storetest.Open(t)
		for _, id := range order {
			if _, err := s.DB().Exec(`INSERT INTO statuses(id, name, category) VALUES (?, ?, 'new')`, id, "S "+id); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.DB().Exec(`INSERT INTO sync_runs(started_at, mode) VALUES (?, 'full')`, len(order)); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		if err := s.Dump(ctx, &b, store.SyncVolatile()); err != nil {
			t.Fatal(err)
		}
		if err := s.IntegrityCheck(ctx); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	a := write([]string{"1", "2", "3"})
	b := write([]string{"3", "1", "2"})
	if a != b {
		t.Errorf("dumps differ with insertion order:\n%s\n---\n%s", a, b)
	}
	for _, want := range []string{`statuses id="1" name="S 1" category="new"`, `schema_migrations version="0001_core" applied_at=*`} {
		if !strings.Contains(a, want+"\n") {
			t.Errorf("dump lacks %q:\n%s", want, a)
		}
	}
	if strings.Contains(a, "sync_runs") {
		t.Errorf("dump holds ignored table sync_runs:\n%s", a)
	}
}
