package radar

import (
	"encoding/json"
	"fmt"
	"math"
)

// Evidence readers: evidence maps come from the analysis directly (ints,
// []string) or after a JSON round trip through the store (float64, []any).

// EvidenceString reads ev[k] as text; "" when absent.
func EvidenceString(ev map[string]any, k string) string {
	switch v := ev[k].(type) {
	case nil:
		return ""
	case string:
		return v
	case fmt.Stringer:
		return v.String()
	default:
		return fmt.Sprint(v)
	}
}

// EvidenceNumber reads ev[k] as a number; false when absent or not one.
func EvidenceNumber(ev map[string]any, k string) (float64, bool) {
	switch v := ev[k].(type) {
	case int:
		return float64(v), true
	case int64:
		return float64(v), true
	case int32:
		return float64(v), true
	case float64:
		return v, !math.IsNaN(v)
	case float32:
		return float64(v), true
	case json.Number:
		f, err := v.Float64()
		return f, err == nil
	}
	return 0, false
}

// EvidenceStrings reads ev[k] as a list of text; a lone string is a list
// of one.
func EvidenceStrings(ev map[string]any, k string) []string {
	switch v := ev[k].(type) {
	case []string:
		return v
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			if x != nil {
				out = append(out, fmt.Sprint(x))
			}
		}
		return out
	case string:
		if v != "" {
			return []string{v}
		}
	}
	return nil
}
