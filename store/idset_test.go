package store

import (
	"runtime"
	"strconv"
	"testing"
)

func TestIDSet(t *testing.T) {
	s := NewIDSet([]int64{30, 10, 20, 10})
	if s.Len() != 3 {
		t.Errorf("Len = %d, want 3 (duplicates count once)", s.Len())
	}
	for _, tt := range []struct {
		id   string
		want bool
	}{
		{"10", true}, {"20", true}, {"30", true},
		{"15", false}, {"0", false}, {"40", false},
		{"", false}, {"PAY-10", false}, {"10.0", false}, {"99999999999999999999", false},
	} {
		if got := s.Has(tt.id); got != tt.want {
			t.Errorf("Has(%q) = %v, want %v", tt.id, got, tt.want)
		}
	}
	var empty IDSet
	if empty.Has("1") || empty.Len() != 0 {
		t.Error("the zero IDSet is not empty")
	}
}

// BenchmarkListingMemory reports what a listing of 1,000,000 ids holds on
// the heap as an IDSet, beside the map of id strings it replaced:
// go test -run '^$' -bench ListingMemory -benchtime 1x ./store
func BenchmarkListingMemory(b *testing.B) {
	const n = 1_000_000
	ids := make([]string, n)
	for i := range ids {
		ids[i] = strconv.Itoa(10_000 + 3*i)
	}
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	for b.Loop() {
		h0 := heap()
		m := make(map[string]bool)
		for _, id := range ids {
			m[id] = true
		}
		h1 := heap()
		nums := make([]int64, 0)
		for _, id := range ids {
			x, _ := strconv.ParseInt(id, 10, 64)
			nums = append(nums, x)
		}
		s := NewIDSet(nums)
		h2 := heap()
		if len(m) != n || s.Len() != n {
			b.Fatal("lost ids")
		}
		b.ReportMetric(float64(h1-h0)/n, "map-B/id")
		b.ReportMetric(float64(h2-h1)/n, "idset-B/id")
		runtime.KeepAlive(m)
		runtime.KeepAlive(s)
	}
}
