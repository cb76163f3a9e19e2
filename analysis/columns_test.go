package analysis

import (
	"bytes"
	"strings"
	"testing"

	"github.com/radarhq/radar"
)

func TestDisplayWidth(t *testing.T) {
	tests := []struct {
		s    string
		want int
	}{
		{"PAY-1", 5},
		{"支付", 4},
		{"決済システム", 12},
		{"결제", 4},
		{"ｐａｙ", 6},
		{"é", 1},       // precomposed
		{"e\u0301", 1}, // e and a combining acute
		{"Zoë Çelik", 9},
	}
	for _, tt := range tests {
		if got := displayWidth(tt.s); got != tt.want {
			t.Errorf("displayWidth(%q) = %d, want %d", tt.s, got, tt.want)
		}
	}
}

// TestTableAlignsWideNames: with CJK project and assignee names the
// table's columns still start at the same terminal column on every row.
func TestTableAlignsWideNames(t *testing.T) {
	rep := radar.Report{GeneratedAt: propNow, Findings: []radar.Finding{
		{ID: "a", Kind: radar.KindStale, Severity: radar.SeverityWarning, Project: "PAY", Issue: "PAY-1", Title: "ascii",
			Evidence: radar.StaleFacts{IssueFacts: radar.IssueFacts{Summary: "Refunds"}}},
		{ID: "b", Kind: radar.KindStale, Severity: radar.SeverityWarning, Project: "支付", Issue: "支付-12", Title: "wide",
			Evidence: radar.StaleFacts{IssueFacts: radar.IssueFacts{Summary: "退款流程"}}},
		{ID: "c", Kind: radar.KindOverloadedAssignee, Severity: radar.SeverityInfo, Project: "PAY", Issue: "山田太郎", Title: "person"},
	}}
	var b bytes.Buffer
	if err := WriteTable(&b, rep); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(b.String(), "\n")[2:6] // the header and three rows
	var at []int
	for _, l := range lines {
		for _, title := range []string{"TITLE", "ascii", "wide", "person"} {
			if i := strings.Index(l, title); i >= 0 {
				at = append(at, displayWidth(l[:i]))
			}
		}
	}
	if len(at) != 4 || at[1] != at[0] || at[2] != at[0] || at[3] != at[0] {
		t.Errorf("TITLE column starts at terminal columns %v, want one column:\n%s", at, b.String())
	}
}
