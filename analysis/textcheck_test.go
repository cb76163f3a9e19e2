package analysis_test

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/analysis"
)

var (
	keyOrDate = regexp.MustCompile(`\b[A-Z][A-Z0-9_]*-\d+\b|\b\d{4}-\d{2}-\d{2}\b`)
	numberRe  = regexp.MustCompile(`\d+(?:\.\d+)?`)
)

// textProblems lists the numbers, issue keys and dates in a finding's title
// and detail that its evidence does not hold (numbers glued to a letter, as
// in P85, are names). A number matches an evidence
// number or list length; "N%" also matches a fraction of N/100; "and N
// more" matches a count or list length less the few keys named before it.
func textProblems(f radar.Finding) []string {
	raw, err := json.Marshal(f.Evidence)
	if err != nil {
		return []string{err.Error()}
	}
	var ev map[string]any
	if err := json.Unmarshal(raw, &ev); err != nil {
		return []string{err.Error()}
	}
	nums := map[float64]bool{}
	strs := []string{f.Issue, f.Project}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			strs = append(strs, x)
		case float64:
			nums[x] = true
		case []any:
			nums[float64(len(x))] = true
			for _, y := range x {
				walk(y)
			}
		case map[string]any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	walk(ev)
	// Text quoting an evidence string (a key, a date, a sprint or version
	// name) is checked by the quote.
	slices.SortFunc(strs, func(a, b string) int { return len(b) - len(a) })
	text := f.Title + "\n" + f.Detail
	for _, s := range strs {
		if strings.ContainsAny(s, "0123456789") {
			text = strings.ReplaceAll(text, s, " ")
		}
	}
	var problems []string
	for _, m := range keyOrDate.FindAllString(text, -1) {
		problems = append(problems, m+" is not in the evidence")
	}
	text = keyOrDate.ReplaceAllString(text, " ")
	for _, loc := range numberRe.FindAllStringIndex(text, -1) {
		if loc[0] > 0 && unicode.IsLetter(rune(text[loc[0]-1])) {
			continue // part of a name such as P85, not a quantity
		}
		v, _ := strconv.ParseFloat(text[loc[0]:loc[1]], 64)
		after := text[loc[1]:]
		ok := nums[v]
		for n := range nums {
			switch {
			case ok:
			case strings.HasPrefix(after, "%") && n >= 0 && n <= 1 && math.Round(n*100) == v:
				ok = true
			case strings.HasPrefix(after, " more") && n-v >= 1 && n-v <= 5:
				ok = true
			}
		}
		if !ok {
			problems = append(problems, text[loc[0]:loc[1]]+" is not in the evidence")
		}
	}
	return problems
}

func checkTexts(t *testing.T, findings []radar.Finding) {
	t.Helper()
	kinds := map[radar.Kind]bool{}
	for _, f := range findings {
		kinds[f.Kind] = true
		if ps := textProblems(f); len(ps) > 0 {
			t.Errorf("%s: %s\n  title:  %s\n  detail: %s\n  evidence: %v", f.ID, strings.Join(ps, "; "), f.Title, f.Detail, f.Evidence)
		}
	}
	if len(kinds) < 8 {
		t.Errorf("only %d finding kinds checked: the scenario is not rich enough", len(kinds))
	}
}

// TestFixtureTextsStateTheirEvidence checks every finding of the hand-built
// scenarios the same way.
func TestFixtureTextsStateTheirEvidence(t *testing.T) {
	var all []radar.Finding
	for _, name := range []string{"network", "hygiene"} {
		body, err := os.ReadFile(filepath.Join("testdata", name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var fx struct {
			Now      time.Time
			Snapshot radar.Snapshot
		}
		if err := json.Unmarshal(body, &fx); err != nil {
			t.Fatal(err)
		}
		all = append(all, analysis.Analyze(fx.Snapshot, analysis.Options{Now: fx.Now}).Findings...)
	}
	checkTexts(t, all)
}

// facts is evidence of no particular kind, as JSON.
func facts(js string) radar.Evidence { return radar.UnknownFacts{Raw: json.RawMessage(js)} }

func TestTextProblems(t *testing.T) {
	tests := []struct {
		name string
		f    radar.Finding
		want int
	}{
		{"matching", radar.Finding{Issue: "P-1", Title: "P-1 is 3 days overdue", Detail: "Due 2026-01-02, blocks P-2 and 4 more.",
			Evidence: facts(`{"days": 3, "due": "2026-01-02", "blocks": ["P-2", "P-3", "P-4", "P-5", "P-6"]}`)}, 0},
		{"a number the evidence lacks", radar.Finding{Issue: "P-1", Title: "P-1 has 0 issues in progress", Evidence: facts(`{"wip": 2}`)}, 1},
		{"a key the evidence lacks", radar.Finding{Issue: "P-1", Title: "P-1 waits on P-7", Evidence: facts(`{}`)}, 1},
		{"a percentage of a fraction", radar.Finding{Title: "31% likely", Evidence: facts(`{"p": 0.31}`)}, 0},
		{"a name, not a quantity", radar.Finding{Title: "P85 2026-04-12", Evidence: facts(`{"p85": "2026-04-12"}`)}, 0},
		{"rounded differently", radar.Finding{Title: "grew 62%", Evidence: facts(`{"growth_pct": 62.5}`)}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := textProblems(tt.f); len(got) != tt.want {
				t.Errorf("problems = %q, want %d", got, tt.want)
			}
		})
	}
}
