package storetest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/radarhq/radar/store"
)

// Open opens a new store, radar.db in tb.TempDir(), and closes it when the
// test ends.
func Open(tb testing.TB, opts ...store.Option) *store.Store {
	tb.Helper()
	st, err := store.Open(context.Background(), filepath.Join(tb.TempDir(), "radar.db"), opts...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}
