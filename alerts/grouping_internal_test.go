package alerts

import "testing"

func TestKeyLess(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"PAY-43", "PAY-132", true},
		{"PAY-132", "PAY-43", false},
		{"PAY-9", "WEB-1", true},
		{"PAY-9", "PAY-9", false},
		{"1.0", "2.0", true},
	}
	for _, tt := range tests {
		if got := keyLess(tt.a, tt.b); got != tt.want {
			t.Errorf("keyLess(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
