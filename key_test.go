package radar

import "testing"

func TestCompareKeys(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"PAY-43", "PAY-132", -1},
		{"PAY-132", "PAY-43", 1},
		{"PAY-9", "WEB-1", -1},
		{"PAY-9", "PAY-9", 0},
		{"1.0", "2.0", -1},
		{"PAY", "PAY-1", -1},
	}
	for _, tt := range tests {
		if got := CompareKeys(tt.a, tt.b); got != tt.want {
			t.Errorf("CompareKeys(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
