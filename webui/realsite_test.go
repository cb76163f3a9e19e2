package webui

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/analysis"
	"github.com/radarhq/radar/internal/realexport"
)

// TestRealSite draws every page of a real, years-old site: each blocker's
// picture stays within what a page can show, and the overview and lists
// answer.
func TestRealSite(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 22,371 real issues")
	}
	snap := realexport.Load(t)
	now := realexport.LastUpdated(snap)
	rep := analysis.Analyze(snap, analysis.Options{Now: now})
	u, err := New(Options{JiraURL: "https://jira.appcelerator.org"})
	if err != nil {
		t.Fatal(err)
	}
	u.Update(snap, rep)
	ix := u.data.Load()
	largest, nodes := "", 0
	for key := range ix.blast {
		nb := ix.neighbourhood(key, graphOptions{})
		if len(nb.nodes) > maxGraphNodes+maxGraphReleases {
			t.Errorf("%s: %d nodes, over the cap", key, len(nb.nodes))
		}
		if len(nb.nodes) > nodes {
			largest, nodes = key, len(nb.nodes)
		}
	}
	t.Logf("%d issues, %d dependencies, %d findings, %d blockers; largest picture %s: %d nodes",
		len(snap.Issues), len(snap.Dependencies), len(rep.Findings), len(ix.blast), largest, nodes)
	paths := []string{"/", "/findings", "/findings?severity=critical"}
	if largest != "" {
		paths = append(paths, radar.IssuePath(largest), radar.IssuePath(largest)+"?done=1&parents=1")
	}
	for _, v := range rep.Versions {
		paths = append(paths, radar.ReleasePath(v.Project, v.Name))
	}
	for _, p := range paths {
		code, body := serve(t, u, p)
		if code != http.StatusOK {
			t.Errorf("%s: status %d", p, code)
		}
		if strings.Contains(body, "NaN") {
			t.Errorf("%s: draws NaN", p)
		}
	}
	// The network: Mermaid's default limits are 500 edges and 50,000
	// characters. Leaving out parent links and done issues makes a real
	// site's dependencies fit.
	full := analysis.Network(snap, analysis.Options{Now: now})
	narrow := full.Filter(analysis.GraphFilter{OpenOnly: true, NoParents: true})
	var b bytes.Buffer
	if err := narrow.WriteMermaid(&b); err != nil {
		t.Fatal(err)
	}
	t.Logf("network: %d edges; open dependencies only: %d edges, %d characters of Mermaid", len(full.Edges), len(narrow.Edges), b.Len())
	if len(narrow.Edges) > 500 || b.Len() > 50000 {
		t.Errorf("the open dependencies of a real site (%d edges, %d characters) still exceed Mermaid's limits", len(narrow.Edges), b.Len())
	}
}
