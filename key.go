package radar

import (
	"cmp"
	"strconv"
	"strings"
)

// SplitKey splits "PAY-12" into "PAY" and 12; a key without a numeric
// suffix gives itself and -1.
func SplitKey(k string) (string, int64) {
	i := strings.LastIndexByte(k, '-')
	if i < 0 {
		return k, -1
	}
	n, err := strconv.ParseInt(k[i+1:], 10, 64)
	if err != nil {
		return k, -1
	}
	return k[:i], n
}

// CompareKeys orders issue keys as people count: PAY-9 before PAY-10,
// projects by name; anything not PROJECT-N as text.
func CompareKeys(a, b string) int {
	pa, na := SplitKey(a)
	pb, nb := SplitKey(b)
	if c := strings.Compare(pa, pb); c != 0 {
		return c
	}
	if c := cmp.Compare(na, nb); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}
