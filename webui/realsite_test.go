package webui

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/analysis"
)

// realExport is the real Jira export shared beside the repository (22,371
// TIMOB issues, 2010–2021); absent in a user's clone.
var realExport = filepath.Join("..", "..", "shared", "data", "tidev-timob.jsonl.xz")

// jiraIssue is the part of Jira's REST issue shape the pages need.
type jiraIssue struct {
	ID     string `json:"id"`
	Key    string `json:"key"`
	Fields struct {
		Summary   string `json:"summary"`
		IssueType struct {
			Name    string `json:"name"`
			Subtask bool   `json:"subtask"`
		} `json:"issuetype"`
		Project struct{ Key string } `json:"project"`
		Status  struct {
			ID             string               `json:"id"`
			Name           string               `json:"name"`
			StatusCategory struct{ Key string } `json:"statusCategory"`
		} `json:"status"`
		Created, Updated, ResolutionDate string
		Assignee                         *struct{ DisplayName string } `json:"assignee"`
		Parent                           *struct{ Key string }         `json:"parent"`
		FixVersions                      []struct {
			ID, Name, ReleaseDate string
			Released, Archived    bool
		} `json:"fixVersions"`
		IssueLinks []struct {
			ID           string                         `json:"id"`
			Type         struct{ Name, Outward string } `json:"type"`
			OutwardIssue *struct{ Key string }          `json:"outwardIssue"`
			InwardIssue  *struct{ Key string }          `json:"inwardIssue"`
		} `json:"issuelinks"`
	} `json:"fields"`
}

func jiraTime(s string) time.Time {
	t, _ := time.Parse("2006-01-02T15:04:05.000-0700", s)
	return t.UTC()
}

// loadRealSite reads the export into a snapshot: "Blocks" and "Depends"
// links are dependencies, as jira.dependencies configures them by default.
func loadRealSite(t *testing.T) radar.Snapshot {
	t.Helper()
	if _, err := os.Stat(realExport); err != nil {
		t.Skipf("the real Jira export is not at %s (it sits beside the repository in CI, not in a clone)", realExport)
	}
	out, err := exec.Command("xz", "-dc", realExport).Output()
	if err != nil {
		t.Skipf("cannot decompress %s with xz: %v", realExport, err)
	}
	var snap radar.Snapshot
	versions := map[string]bool{}
	links := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var j jiraIssue
		if err := json.Unmarshal(sc.Bytes(), &j); err != nil {
			t.Fatalf("read the export: %v", err)
		}
		f := j.Fields
		is := radar.Issue{ID: j.ID, Key: j.Key, Project: f.Project.Key, Type: f.IssueType.Name, Subtask: f.IssueType.Subtask,
			Summary: f.Summary, Status: f.Status.Name, StatusID: f.Status.ID, StatusCategory: radar.StatusCategory(f.Status.StatusCategory.Key),
			Created: jiraTime(f.Created), Updated: jiraTime(f.Updated), Resolved: jiraTime(f.ResolutionDate)}
		if f.Assignee != nil {
			is.AssigneeName = f.Assignee.DisplayName
		}
		if f.Parent != nil {
			is.ParentKey = f.Parent.Key
		}
		for _, v := range f.FixVersions {
			is.FixVersions = append(is.FixVersions, v.ID)
			if !versions[v.ID] {
				versions[v.ID] = true
				rd, _ := time.Parse(time.DateOnly, v.ReleaseDate)
				snap.Versions = append(snap.Versions, radar.Version{ID: v.ID, Project: is.Project, Name: v.Name, Released: v.Released, Archived: v.Archived, ReleaseDate: rd})
			}
		}
		for _, l := range f.IssueLinks {
			if links[l.ID] || (l.Type.Name != "Blocks" && l.Type.Name != "Depends") {
				continue
			}
			links[l.ID] = true
			var other string
			outward := true
			switch {
			case l.OutwardIssue != nil:
				other = l.OutwardIssue.Key
			case l.InwardIssue != nil:
				other, outward = l.InwardIssue.Key, false
			default:
				continue
			}
			blocker, blocked := j.Key, other           // "X blocks Y"
			if outward == (l.Type.Name == "Depends") { // "X depends on Y", or Y's view of a block
				blocker, blocked = other, j.Key
			}
			snap.Dependencies = append(snap.Dependencies, radar.Dependency{LinkID: l.ID, Type: l.Type.Name, Blocker: blocker, Blocked: blocked})
		}
		snap.Issues = append(snap.Issues, is)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return snap
}

// TestRealSite draws every page of a real, years-old site: each blocker's
// picture stays within what a page can show, and the overview and lists
// answer.
func TestRealSite(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 22,371 real issues")
	}
	snap := loadRealSite(t)
	var now time.Time
	for _, is := range snap.Issues {
		if is.Updated.After(now) {
			now = is.Updated
		}
	}
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
