package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/analysis"
	"github.com/radarhq/radar/jirasim"
	"github.com/radarhq/radar/store/storetest"
)

// runCmd runs one radar subcommand in process.
func runCmd(t *testing.T, getenv func(string) string, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	if code := run(context.Background(), args, &out, &errOut, getenv); code != 0 {
		t.Fatalf("radar %s: exit %d: %s", strings.Join(args, " "), code, errOut.String())
	}
	return out.String()
}

// TestSyncThenAnalyzeFindsPlanted syncs the simulator's scenario and checks
// that radar analyze reports what the scenario planted: the blocker and its
// blast radius, the cycle, the at-risk release, carry-overs, slipped due
// dates, reopens, stale and flagged work.
func TestSyncThenAnalyzeFindsPlanted(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	now := time.Now().UTC()
	sc := jirasim.Generate(jirasim.Demo(now))
	_, srv := storetest.ServeJira(t, sc, jirasim.Options{Email: "radar@example.com", Token: "sim-token"})
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "radar.yaml")
	cfg := fmt.Sprintf(`jira:
  url: %s
  email: radar@example.com
  projects: [PAY, WEB, OPS]
  dependencies:
    - link: Blocks
      outward: blocks
    - link: Depends
      outward: depends on
store:
  path: %s
`, srv.URL, filepath.Join(dir, "radar.db"))
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	getenv := simTokenEnv
	runCmd(t, getenv, "sync", "--config", cfgPath)
	stamp := now.Format(time.RFC3339)
	out := runCmd(t, getenv, "analyze", "--config", cfgPath, "--format", "json", "--now", stamp)
	var rep radar.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("analyze --format json: %v\n%s", err, out)
	}
	byID := map[string]radar.Finding{}
	for _, f := range rep.Findings {
		byID[f.ID] = f
	}
	pl := sc.Planted
	want := []string{string(radar.KindBlocker) + ":" + pl.Blocker, string(radar.KindReleaseAtRisk) + ":PAY:" + pl.AtRiskRelease.Name}
	for _, k := range pl.CarryOvers {
		want = append(want, string(radar.KindSprintCarryover)+":"+k)
	}
	for _, k := range pl.Slipped {
		want = append(want, string(radar.KindDueDateSlipped)+":"+k)
	}
	for _, k := range pl.Reopened {
		want = append(want, string(radar.KindReopened)+":"+k)
	}
	for _, k := range pl.Stale {
		want = append(want, string(radar.KindStale)+":"+k)
	}
	for _, k := range pl.Flagged {
		want = append(want, string(radar.KindFlagged)+":"+k)
	}
	found := false
	for _, f := range rep.Findings {
		if f.Kind == radar.KindDependencyCycle {
			if sameSet(f.Evidence.(radar.DependencyCycleFacts).Members, pl.Cycle) {
				found = true
			}
		}
	}
	if !found {
		t.Errorf("no dependency_cycle finding with members %v", pl.Cycle)
	}
	for _, id := range want {
		if _, ok := byID[id]; !ok {
			t.Errorf("planted finding %s missing", id)
		}
	}
	if b, ok := byID[string(radar.KindBlocker)+":"+pl.Blocker]; ok {
		if got := b.BlastRadius(); got < len(pl.BlastRadius) {
			t.Errorf("blocker %s blast_radius = %d, want at least the %d planted", pl.Blocker, got, len(pl.BlastRadius))
		}
	}

	// Same snapshot, same --now: byte-identical output.
	if again := runCmd(t, getenv, "analyze", "--config", cfgPath, "--format", "json", "--now", stamp); again != out {
		t.Errorf("a second analyze with the same --now gave different output")
	}
	md := runCmd(t, getenv, "analyze", "--config", cfgPath, "--format", "markdown", "--now", stamp)
	if strings.Contains(md, "<!channel>") || strings.Contains(md, "<b>") {
		t.Errorf("markdown carries unescaped Jira text")
	}
	dot := runCmd(t, getenv, "graph", "--config", cfgPath, "--issue", pl.Blocker, "--depth", "2", "--now", stamp)
	for _, k := range append([]string{pl.Blocker}, pl.BlastRadius[:3]...) {
		if !strings.Contains(dot, `"`+k+`"`) {
			t.Errorf("graph of %s lacks %s", pl.Blocker, k)
		}
	}
	// Narrowed to PAY's open dependencies, the planted cycle stays and is
	// marked; parent links and done issues go.
	var js struct {
		Nodes []struct {
			Key, Category string
			Cycle         bool
		}
		Edges []struct{ Kind string }
	}
	out = runCmd(t, getenv, "graph", "--config", cfgPath, "--format", "json", "--project", "pay", "--open-only", "--no-parents", "--now", stamp)
	if err := json.Unmarshal([]byte(out), &js); err != nil {
		t.Fatal(err)
	}
	var inCycle []string
	for _, n := range js.Nodes {
		if n.Category == string(radar.CategoryDone) {
			t.Errorf("--open-only kept done issue %s", n.Key)
		}
		if n.Cycle {
			inCycle = append(inCycle, n.Key)
		}
	}
	for _, e := range js.Edges {
		if e.Kind != "blocks" {
			t.Errorf("--no-parents kept a %s edge", e.Kind)
		}
	}
	if !sameSet(inCycle, pl.Cycle) {
		t.Errorf("nodes marked as a cycle = %v, want the planted %v", inCycle, pl.Cycle)
	}
}

func TestMermaidWarning(t *testing.T) {
	tests := []struct {
		name        string
		edges, size int
		filter      analysis.GraphFilter
		issue       bool
		want        string // "" for no warning
	}{
		{"fits", 500, 50000, analysis.GraphFilter{}, false, ""},
		{"too many edges", 501, 1000, analysis.GraphFilter{}, false, "narrow it with --no-parents, --open-only, --project KEY, --issue KEY --depth 2"},
		{"too much text", 10, 50001, analysis.GraphFilter{NoParents: true, OpenOnly: true}, true, "narrow it with --project KEY, or"},
		{"every filter used", 2675, 300000, analysis.GraphFilter{Project: "PAY", NoParents: true, OpenOnly: true}, true,
			"so Mermaid will refuse to draw it; draw it as DOT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mermaidWarning(tt.edges, tt.size, tt.filter, tt.issue)
			switch {
			case tt.want == "" && got != "":
				t.Errorf("warning %q, want none", got)
			case tt.want != "" && !strings.Contains(got, tt.want):
				t.Errorf("warning %q, want it to contain %q", got, tt.want)
			case tt.want != "" && !strings.Contains(got, "maxEdges 500, maxTextSize 50000"):
				t.Errorf("warning %q does not name Mermaid's limits", got)
			}
		})
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func TestAnalyzeFlags(t *testing.T) {
	tests := []struct {
		args []string
		want int
	}{
		{[]string{"analyze", "--format", "yaml"}, 2},
		{[]string{"analyze", "--now", "yesterday"}, 2},
		{[]string{"graph", "--format", "png"}, 2},
		{[]string{"graph", "--depth", "-1"}, 2},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			if got := run(context.Background(), tt.args, &out, &errOut, func(string) string { return "" }); got != tt.want {
				t.Errorf("exit = %d, want %d (%s)", got, tt.want, errOut.String())
			}
		})
	}
}
