package analysis

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/radarhq/radar"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// fixture is a hand-built scenario: a snapshot and the analysis clock.
type fixture struct {
	Now      time.Time
	Snapshot radar.Snapshot
}

func loadFixture(tb testing.TB, name string) fixture {
	tb.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", name+".json"))
	if err != nil {
		tb.Fatal(err)
	}
	var f fixture
	if err := json.Unmarshal(body, &f); err != nil {
		tb.Fatalf("decode %s: %v", name, err)
	}
	return f
}

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run go test -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run go test ./analysis -update and review the diff):\n%s", name, firstDiff(string(got), string(want)))
	}
}

func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return "line " + itoa(i+1) + ":\n got: " + gl + "\nwant: " + wl
		}
	}
	return ""
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

func analyzeFixture(t *testing.T, name string) radar.Report {
	t.Helper()
	f := loadFixture(t, name)
	return Analyze(f.Snapshot, Options{Now: f.Now})
}

func TestGoldenReports(t *testing.T) {
	for _, name := range []string{"network", "hygiene"} {
		t.Run(name, func(t *testing.T) {
			rep := analyzeFixture(t, name)
			var js, md, tbl bytes.Buffer
			if err := WriteJSON(&js, rep); err != nil {
				t.Fatal(err)
			}
			if err := WriteMarkdown(&md, rep); err != nil {
				t.Fatal(err)
			}
			if err := WriteTable(&tbl, rep); err != nil {
				t.Fatal(err)
			}
			golden(t, name+".golden.json", js.Bytes())
			golden(t, name+".golden.md", md.Bytes())
			golden(t, name+".golden.txt", tbl.Bytes())
		})
	}
}

func findingByID(rep radar.Report, id string) (radar.Finding, bool) {
	for _, f := range rep.Findings {
		if f.ID == id {
			return f, true
		}
	}
	return radar.Finding{}, false
}

// TestNetworkFindings pins, independently of the golden file, what the
// network scenario must and must not report.
func TestNetworkFindings(t *testing.T) {
	rep := analyzeFixture(t, "network")
	present := []struct {
		id       string
		severity radar.Severity
	}{
		{"blocker:PAY-10", radar.SeverityCritical},
		{"blocker:PAY-11", ""},
		{"blocked_in_progress:PAY-12", radar.SeverityWarning},
		{"dependency_cycle:PAY-14,PAY-15", radar.SeverityCritical},
		{"off_track_dependency:PAY-10:WEB-3", ""},
		{"release_at_risk:PAY:1.0", ""},
	}
	for _, p := range present {
		f, ok := findingByID(rep, p.id)
		if !ok {
			t.Errorf("finding %s missing", p.id)
			continue
		}
		if p.severity != "" && f.Severity != p.severity {
			t.Errorf("%s severity = %s, want %s", p.id, f.Severity, p.severity)
		}
	}
	absent := []string{
		"blocker:PAY-16",                 // a self-link blocks nothing
		"blocker:PAY-9",                  // a done blocker blocks nothing
		"blocked_in_progress:PAY-18",     // blocked only by an issue outside the scope
		"blocker:EXT-5",                  // outside the scope: nothing to report on
		"dependency_cycle:PAY-16",        // a self-link is no cycle
		"release_at_risk:PAY:2.0",        // no release date
		"dependency_cycle:PAY-15,PAY-14", // each cycle once, members sorted
	}
	for _, id := range absent {
		if _, ok := findingByID(rep, id); ok {
			t.Errorf("finding %s reported, want none", id)
		}
	}
	b, _ := findingByID(rep, "blocker:PAY-10")
	// Downstream of PAY-10: PAY-11, PAY-12, WEB-3 directly, PAY-13 through
	// PAY-11, and the epic WEB-1 through its child WEB-3.
	bf, _ := b.Evidence.(radar.BlockerFacts)
	if got, want := bf.BlastRadius, 5; got != want {
		t.Errorf("PAY-10 blast_radius = %v, want %d", got, want)
	}
	if got, want := strings.Join(bf.DirectDependents, ","), "PAY-11,PAY-12,WEB-3"; got != want {
		t.Errorf("PAY-10 direct_dependents = %s, want %s", got, want)
	}
	if got, want := bf.AssigneeEmail, "ann@example.com"; got != want {
		t.Errorf("PAY-10 assignee_email = %v, want %s", got, want)
	}
	if got := bf.CrossProject; got != true {
		t.Errorf("PAY-10 cross_project = %v, want true", got)
	}
	var v2 *radar.VersionForecast
	for k := range rep.Versions {
		if rep.Versions[k].Name == "2.0" {
			v2 = &rep.Versions[k]
		}
		if rep.Versions[k].Name == "0.9" {
			t.Errorf("released version 0.9 forecast, want none")
		}
	}
	if v2 == nil {
		t.Fatalf("version 2.0 (no release date, open work) not forecast")
	}
	if !v2.ReleaseDate.IsZero() || v2.OnTimeProbability != 0 || v2.P50.IsZero() {
		t.Errorf("version 2.0 = %+v, want no release date, no probability, a P50", *v2)
	}
}

// TestHygieneFindings pins the per-issue, sprint, version and assignee kinds
// of the hygiene scenario, independently of the golden file.
func TestHygieneFindings(t *testing.T) {
	rep := analyzeFixture(t, "hygiene")
	tests := []struct {
		id       string
		severity radar.Severity
		key      string
		want     string // the evidence value as JSON
	}{
		{"overdue:OPS-2", radar.SeverityCritical, "days_overdue", "10"},
		{"due_date_slipped:OPS-2", radar.SeverityWarning, "times_moved", "2"},
		{"due_date_slipped:OPS-2", radar.SeverityWarning, "total_days", "19"},
		{"due_date_slipped:version:OPS:3.1", radar.SeverityCritical, "total_days", "30"},
		{"sprint_carryover:OPS-1", radar.SeverityWarning, "carried_over", "2"},
		{"stale:OPS-1", radar.SeverityWarning, "days_since_update", "19"},
		{"stale:OPS-8", radar.SeverityInfo, "p85_cycle_days", "2"},
		{"flagged:OPS-3", radar.SeverityWarning, "flagged_since", `"2026-02-25"`},
		{"reopened:OPS-4", radar.SeverityWarning, "times_reopened", "1"},
		{"scope_creep:sprint:4", radar.SeverityCritical, "added_items", "2"},
		{"scope_creep:sprint:4", radar.SeverityCritical, "growth_pct", "62.5"},
		{"scope_creep:version:OPS:3.1", radar.SeverityCritical, "added_items", "1"},
		{"overloaded_assignee:u-bob", radar.SeverityWarning, "wip", "4"},
		{"overloaded_assignee:u-bob", radar.SeverityWarning, "assignee_email", `"bob@example.com"`},
		{"effort_overrun:OPS-5", radar.SeverityWarning, "overrun_ratio", "2.5"},
	}
	for _, tt := range tests {
		t.Run(tt.id+"/"+tt.key, func(t *testing.T) {
			f, ok := findingByID(rep, tt.id)
			if !ok {
				t.Fatalf("finding %s missing", tt.id)
			}
			if f.Severity != tt.severity {
				t.Errorf("severity = %s, want %s", f.Severity, tt.severity)
			}
			if got := evidenceJSON(t, f)[tt.key]; string(got) != tt.want {
				t.Errorf("evidence %s = %s, want %s", tt.key, got, tt.want)
			}
		})
	}
	if _, ok := findingByID(rep, "sprint_carryover:OPS-6"); ok {
		t.Errorf("OPS-6 (one closed sprint) reported as carried over")
	}
}

// TestGoldenGraphs pins the DOT, Mermaid and JSON renderings of the network
// scenario and of one issue's neighbourhood, with Jira text escaped.
func TestGoldenGraphs(t *testing.T) {
	f := loadFixture(t, "network")
	opts := Options{Now: f.Now}
	full := Network(f.Snapshot, opts)
	hood, err := Neighbourhood(f.Snapshot, opts, "PAY-11", 1)
	if err != nil {
		t.Fatal(err)
	}
	for name, g := range map[string]GraphView{"network": full, "pay-11": hood} {
		var dot, mer, js bytes.Buffer
		if err := g.WriteDOT(&dot); err != nil {
			t.Fatal(err)
		}
		if err := g.WriteMermaid(&mer); err != nil {
			t.Fatal(err)
		}
		if err := g.WriteJSON(&js); err != nil {
			t.Fatal(err)
		}
		golden(t, "graph-"+name+".golden.dot", dot.Bytes())
		golden(t, "graph-"+name+".golden.mmd", mer.Bytes())
		golden(t, "graph-"+name+".golden.json", js.Bytes())
		for _, bad := range []string{"<v2>", `& "refunds"`} {
			if strings.Contains(mer.String(), bad) {
				t.Errorf("%s mermaid contains unescaped %q", name, bad)
			}
		}
		if strings.Contains(dot.String(), `& "refunds"`) {
			t.Errorf("%s dot contains an unescaped quote", name)
		}
	}
	var keys []string
	for _, n := range hood.Nodes {
		keys = append(keys, n.Key)
	}
	// Depth 1 around PAY-11: its blocker PAY-10 and child PAY-19 upstream,
	// the issue it blocks (PAY-13) downstream.
	if got, want := strings.Join(keys, ","), "PAY-10,PAY-11,PAY-13,PAY-19"; got != want {
		t.Errorf("neighbourhood of PAY-11 = %s, want %s", got, want)
	}
	if _, err := Neighbourhood(f.Snapshot, opts, "NOPE-1", 2); err == nil {
		t.Errorf("Neighbourhood of an unknown key succeeded, want an error")
	}
}

func TestMarkdownEscapesJiraText(t *testing.T) {
	rep := radar.Report{GeneratedAt: propNow, Findings: []radar.Finding{{
		ID: "stale:X-1", Kind: radar.KindStale, Severity: radar.SeverityWarning, Project: "X", Issue: "X-1",
		Title: "<!channel> a|b & c", Detail: "line\r\nbreak <script> [click](http://evil.example) *bold* `code`",
	}}}
	var b bytes.Buffer
	if err := WriteMarkdown(&b, rep); err != nil {
		t.Fatal(err)
	}
	got := b.String()
	for _, want := range []string{"&lt;!channel&gt; a\\|b &amp; c", "line  break &lt;script&gt;",
		"\\[click\\](http://evil.example) \\*bold\\* \\`code\\`"} {
		if !strings.Contains(got, want) {
			t.Errorf("markdown lacks %q:\n%s", want, got)
		}
	}
}

// evidenceJSON is a finding's evidence as its JSON contract has it, by key.
func evidenceJSON(t *testing.T, f radar.Finding) map[string]json.RawMessage {
	t.Helper()
	raw, err := json.Marshal(f.Evidence)
	if err != nil {
		t.Fatal(err)
	}
	var ev map[string]json.RawMessage
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	return ev
}
