package webui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/radarhq/radar"
)

type field struct{ Name, Value string }

type link struct{ Text, Path string }

// findingDetail is a finding with its evidence, on an issue or release page.
type findingDetail struct {
	Severity, Kind, Title, Detail string
	Evidence                      []field
	Ack                           ackView // its owner and state
}

type issueView struct {
	Key, Summary, Status, Type, Assignee, Project, Priority string
	Category                                                string
	External                                                bool
	JiraURL                                                 string
	Dates                                                   []field
	Releases                                                []link
	Findings                                                []findingDetail
	Critical, Cycle                                         bool
	Blast                                                   int
	Graph                                                   template.HTML
	Upstream, Downstream, FoldedDone, NotDrawn              int
	ShowDone, ShowParents                                   bool
	DoneURL, ParentsURL                                     string
}

func (u *UI) serveIssue(w http.ResponseWriter, r *http.Request, ix *index) {
	key := strings.ToUpper(strings.TrimSpace(r.PathValue("key")))
	is := ix.issues[key]
	linked := len(ix.links.BlockedBy(key)) > 0 || len(ix.links.Blocks(key)) > 0
	if is == nil && !linked {
		u.render(w, r, http.StatusNotFound, "message", page{Title: "Issue " + key + " not found",
			Message: "Issue " + key + " is not in the synced data. Check the key, or whether its project is in jira.projects and synced."})
		return
	}
	q := r.URL.Query()
	opt := graphOptions{parents: q.Get("parents") == "1", done: q.Get("done") == "1"}
	v := issueView{Key: key, External: is == nil, JiraURL: u.jiraLink(key), Critical: ix.critical[key], Cycle: ix.cycle[key] != 0,
		Blast: ix.blast[key], ShowDone: opt.done, ShowParents: opt.parents}
	if is != nil {
		v.Summary, v.Status, v.Type, v.Project, v.Priority = is.Summary, is.Status, is.Type, is.Project, is.Priority
		v.Category = string(is.StatusCategory)
		v.Assignee = is.AssigneeName
		if v.Assignee == "" {
			v.Assignee = "unassigned"
		}
		for _, d := range []struct {
			name string
			t    time.Time
		}{{"Created", is.Created}, {"Updated", is.Updated}, {"Start", is.StartDate}, {"Due", is.Due}, {"Resolved", is.Resolved}} {
			if !d.t.IsZero() {
				v.Dates = append(v.Dates, field{d.name, d.t.UTC().Format(time.DateOnly)})
			}
		}
		for _, id := range is.FixVersions {
			if ver := ix.versionByID[id]; ver != nil {
				v.Releases = append(v.Releases, link{ver.Project + " " + ver.Name, radar.ReleasePath(ver.Project, ver.Name)})
			}
		}
	}
	acks, msg := u.acks(r)
	now := u.now()
	for _, i := range ix.findingsOf[key] {
		v.Findings = append(v.Findings, detail(ix.finding(i), acks, now))
	}
	nb := ix.neighbourhood(key, opt)
	v.Graph = u.graphSVG(nb)
	v.Upstream, v.Downstream, v.FoldedDone, v.NotDrawn = nb.upstream, nb.downstream, nb.foldedDone, nb.notDrawn
	// toggle is this page's address with one option flipped.
	toggle := func(parents, done bool) string {
		qq := url.Values{}
		if parents {
			qq.Set("parents", "1")
		}
		if done {
			qq.Set("done", "1")
		}
		if len(qq) == 0 {
			return radar.IssuePath(key)
		}
		return radar.IssuePath(key) + "?" + qq.Encode()
	}
	v.DoneURL, v.ParentsURL = toggle(opt.parents, !opt.done), toggle(!opt.parents, opt.done)
	title := key
	if is != nil {
		title = key + ": " + cut(is.Summary, 80)
	}
	u.render(w, r, http.StatusOK, "issue", page{Title: title, Message: msg, View: v})
}

// detail renders a finding's evidence as name/value pairs sorted by name,
// the names as the JSON contract spells them, and its owner and state from
// acks at now. The summary and email are left out: the page shows the
// summary, and emails are not for display.
func detail(f *radar.Finding, acks map[string]radar.Ack, now time.Time) findingDetail {
	d := findingDetail{Severity: string(f.Severity), Kind: string(f.Kind), Title: f.Title, Detail: f.Detail, Ack: describeAck(ackOf(acks, f), now)}
	if f.Evidence == nil {
		return d
	}
	raw, err := json.Marshal(f.Evidence)
	if err != nil {
		return d
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var facts map[string]any
	if dec.Decode(&facts) != nil {
		return d
	}
	keys := slices.Sorted(maps.Keys(facts))
	for _, k := range keys {
		if k == "summary" || k == "assignee_email" {
			continue
		}
		var val string
		switch x := facts[k].(type) {
		case nil:
		case []any:
			parts := make([]string, 0, len(x))
			for _, v := range x {
				parts = append(parts, fmt.Sprint(v))
			}
			val = strings.Join(parts, ", ")
		default:
			val = fmt.Sprint(x)
		}
		d.Evidence = append(d.Evidence, field{strings.ReplaceAll(k, "_", " "), cut(val, 400)})
	}
	return d
}
