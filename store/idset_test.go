package store

import "testing"

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
