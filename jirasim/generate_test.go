package jirasim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestGenerateDeterministic(t *testing.T) {
	cfg := ScenarioConfig{Seed: 99, Projects: []string{"A", "B"}, IssuesPerProject: 300, Now: testNow, OutsideProject: "X"}
	a, _ := json.Marshal(Generate(cfg))
	b, _ := json.Marshal(Generate(cfg))
	if !bytes.Equal(a, b) {
		t.Fatal("same config gave different scenarios")
	}
	cfg.Seed++
	c, _ := json.Marshal(Generate(cfg))
	if bytes.Equal(a, c) {
		t.Fatal("different seeds gave the same scenario")
	}
}

func TestGenerateRealism(t *testing.T) {
	sc := Generate(ScenarioConfig{Seed: 5, Projects: []string{"A", "B", "C"}, IssuesPerProject: 2000, Now: testNow, OutsideProject: "X"})
	st := scenarioStats(sc)
	for _, tc := range []struct {
		name   string
		got    float64
		lo, hi float64
	}{
		{"issues with links", st.Linked, 0.25, 0.45},
		{"link entries per issue", st.LinkEntries, 0.5, 0.7},
		{"open", st.Open, 0.11, 0.25},
		{"assigned", st.Assigned, 0.70, 0.92},
		{"subtasks", st.Subtasks, 0.03, 0.08},
		{"open→open dependency links", st.DepOpenOpen, 0.001, 0.08},
		{"due dates", st.Due, 0.05, 0.2},
		{"fix versions", st.WithFixVersion, 0.45, 0.7},
		{"in closed sprints", st.InClosedSprints, 0.1, 0.35},
		{"median histories", float64(st.MedianHistories), 3, 7},
		{"max histories", float64(st.MaxHistories), 20, 40},
		{"smallest epic", float64(st.MinEpic), 5, 50},
		{"largest epic", float64(st.MaxEpic), 5, 50},
		{"reopens", float64(st.Reopened), 50, 1e9},
	} {
		if tc.got < tc.lo || tc.got > tc.hi {
			t.Errorf("%s: got %.3f, want in [%v, %v]", tc.name, tc.got, tc.lo, tc.hi)
		}
	}

	types := map[string]int{}
	cross, outside := 0, 0
	proj := func(key string) string { return key[:strings.IndexByte(key, '-')] }
	for _, l := range sc.Links {
		types[l.Type]++
		if proj(l.Inward) != proj(l.Outward) {
			cross++
		}
		if proj(l.Inward) == "X" || proj(l.Outward) == "X" {
			outside++
		}
	}
	for _, lt := range []string{"Relates", "Duplicate", "Cloners", "Blocks", "Depends"} {
		if types[lt] < 50 {
			t.Errorf("link type %s: %d links", lt, types[lt])
		}
	}
	if cross < 50 || outside < 20 {
		t.Errorf("got %d cross-project and %d outside links", cross, outside)
	}

	var flagged, points, overrun, unassignedEmail int
	usedStatus := map[string]bool{}
	for _, is := range sc.Issues {
		usedStatus[is.Status] = true
		if is.Flagged {
			flagged++
		}
		if is.StoryPoints != nil {
			points++
		}
		if is.OriginalEstimate != nil && *is.TimeSpent > *is.OriginalEstimate {
			overrun++
		}
	}
	for _, u := range sc.Users {
		if u.Email == "" {
			unassignedEmail++
		}
	}
	if flagged == 0 || points < 1000 || overrun == 0 || unassignedEmail == 0 {
		t.Errorf("got %d flagged, %d with points, %d overrun, %d users without email", flagged, points, overrun, unassignedEmail)
	}
	for _, id := range []string{stReceived.ID, stVolNeed.ID, stEnCours.ID, stTermine.ID} {
		if !usedStatus[id] {
			t.Errorf("status %s unused", id)
		}
	}
	var released, soon, undated int
	for _, v := range sc.Versions {
		rd, err := time.Parse(dateLayout, v.ReleaseDate)
		switch {
		case v.Released:
			released++
		case err != nil:
			undated++
		case rd.After(testNow) && rd.Before(testNow.AddDate(0, 0, 30)):
			soon++
		}
	}
	if released == 0 || soon != 4 || undated != 4 {
		t.Errorf("versions: %d released, %d due within 30 days, %d undated", released, soon, undated)
	}
}

// TestChangelogConsistent checks that each issue's history ends in its
// current state, as Jira's does.
func TestChangelogConsistent(t *testing.T) {
	sc := demoScenario()
	for _, is := range sc.Issues {
		hs := sc.Changelogs[is.Key]
		if len(hs) == 0 {
			if !is.Updated.Equal(is.Created) && !is.Updated.Equal(is.Resolved) {
				t.Errorf("%s: no history but updated %v != created %v", is.Key, is.Updated, is.Created)
			}
			continue
		}
		if !slices.IsSortedFunc(hs, func(a, b History) int { return a.Created.Compare(b.Created) }) {
			t.Errorf("%s: histories out of order", is.Key)
		}
		if last := hs[len(hs)-1].Created; is.Updated.Before(last) || hs[0].Created.Before(is.Created) {
			t.Errorf("%s: histories %v..%v outside created %v..updated %v", is.Key, hs[0].Created, last, is.Created, is.Updated)
		}
		var lastStatus, lastDue string
		for _, h := range hs {
			for _, it := range h.Items {
				switch it.Field {
				case "status":
					lastStatus = it.To
				case "duedate":
					lastDue = it.To
				}
			}
		}
		if lastStatus != "" && lastStatus != is.Status {
			t.Errorf("%s: last status item to %s, issue status %s", is.Key, lastStatus, is.Status)
		}
		if lastDue != "" && lastDue != is.DueDate {
			t.Errorf("%s: last duedate item to %s, issue due %s", is.Key, lastDue, is.DueDate)
		}
	}
}

func TestPlanted(t *testing.T) {
	sc := demoScenario()
	pl := sc.Planted
	ts := newTestServer(t, Cloud)
	issue := func(key string) Issue {
		is, ok := ts.Issue(key)
		if !ok {
			t.Fatalf("planted issue %s missing", key)
		}
		return is
	}
	cat := map[string]string{}
	for _, s := range sc.Statuses {
		cat[s.ID] = s.CategoryKey
	}
	open := func(key string) bool { return cat[issue(key).Status] != CategoryDone }

	// Dependency edges blocker → blocked.
	next := map[string][]string{}
	for _, l := range sc.Links {
		switch l.Type {
		case "Blocks":
			next[l.Inward] = append(next[l.Inward], l.Outward)
		case "Depends":
			next[l.Outward] = append(next[l.Outward], l.Inward)
		}
	}
	reach := map[string]bool{}
	queue := []string{pl.Blocker}
	for len(queue) > 0 {
		k := queue[0]
		queue = queue[1:]
		for _, n := range next[k] {
			if !reach[n] && open(n) {
				reach[n] = true
				queue = append(queue, n)
			}
		}
	}
	if !open(pl.Blocker) || len(pl.BlastRadius) < 10 {
		t.Errorf("blocker %s open=%v, blast radius %d", pl.Blocker, open(pl.Blocker), len(pl.BlastRadius))
	}
	for _, k := range pl.BlastRadius {
		if !reach[k] {
			t.Errorf("blast radius issue %s not held up by %s", k, pl.Blocker)
		}
	}
	for i, k := range pl.Cycle {
		n := pl.Cycle[(i+1)%len(pl.Cycle)]
		if !slices.Contains(next[k], n) || !open(k) {
			t.Errorf("cycle: %s does not block %s", k, n)
		}
	}

	rel := pl.AtRiskRelease
	rd, _ := time.Parse(dateLayout, rel.ReleaseDate)
	openInRelease := 0
	for _, is := range sc.Issues {
		if slices.Contains(is.FixVersions, rel.ID) && cat[is.Status] != CategoryDone {
			openInRelease++
		}
	}
	if rel.Released || rd.Before(testNow) || rd.After(testNow.AddDate(0, 0, 30)) || openInRelease < 10 {
		t.Errorf("at-risk release %+v has %d open issues", rel, openInRelease)
	}

	items := func(key, field string) []Item {
		var out []Item
		for _, h := range ts.Changelog(key) {
			for _, it := range h.Items {
				if it.Field == field {
					out = append(out, it)
				}
			}
		}
		return out
	}
	for _, k := range pl.CarryOvers {
		if is := issue(k); len(is.Sprints) < 3 || !open(k) || len(items(k, "Sprint")) < 3 {
			t.Errorf("carry-over %s: sprints %v", k, is.Sprints)
		}
	}
	for _, k := range pl.Slipped {
		due := items(k, "duedate")
		if len(due) < 3 {
			t.Errorf("slipped %s: %d due date changes", k, len(due))
		}
		for i := 1; i < len(due); i++ {
			if due[i].To <= due[i].From {
				t.Errorf("slipped %s: due moved from %s to %s", k, due[i].From, due[i].To)
			}
		}
	}
	for _, k := range pl.Reopened {
		reopened := false
		for _, it := range items(k, "status") {
			reopened = reopened || cat[it.From] == CategoryDone && cat[it.To] != CategoryDone
		}
		if !reopened {
			t.Errorf("reopened %s: no done → open transition", k)
		}
	}
	for _, k := range pl.Stale {
		if is := issue(k); cat[is.Status] != CategoryIndeterminate || is.Updated.After(testNow.AddDate(0, 0, -30)) {
			t.Errorf("stale %s: status %s updated %v", k, is.Status, is.Updated)
		}
	}
	for _, k := range pl.Flagged {
		if !issue(k).Flagged || !open(k) {
			t.Errorf("flagged %s not an open flagged issue", k)
		}
	}
	if s := issue(pl.Escaping).Summary; !strings.Contains(s, "<!channel> & <b>") || !strings.Contains(s, "\r\n") {
		t.Errorf("escaping summary %q", s)
	}
	if len(pl.OutsideLinks) != 2 {
		t.Errorf("outside links %v", pl.OutsideLinks)
	}

	// The summary survives the wire unescaped, as Jira sends it.
	var p jqlPage
	ts.getJSON(t, "POST", "/rest/api/3/search/jql", map[string]any{"jql": "key = " + pl.Escaping, "fields": []string{"summary"}}, &p)
	var summary string
	json.Unmarshal(p.Issues[0].Fields["summary"], &summary)
	if summary != issue(pl.Escaping).Summary {
		t.Errorf("wire summary %q", summary)
	}
}

// cancelAtLook is a context that cancels itself the at-th time it is
// looked at (Err or Done) and counts every look, so a test can stop the
// generator at any point where it checks, without timing anything. at = 0
// never cancels.
type cancelAtLook struct {
	context.Context
	cancel    context.CancelFunc
	at, looks int
}

func newCancelAtLook(at int) *cancelAtLook {
	ctx, cancel := context.WithCancel(context.Background())
	return &cancelAtLook{Context: ctx, cancel: cancel, at: at}
}

func (c *cancelAtLook) look() {
	c.looks++
	if c.looks == c.at {
		c.cancel()
	}
}

func (c *cancelAtLook) Err() error            { c.look(); return c.Context.Err() }
func (c *cancelAtLook) Done() <-chan struct{} { c.look(); return c.Context.Done() }

// TestGenerateContextStops: a context that ends, before or during
// generation, stops it and says why, however large the scenario asked for.
// Stopping promptly means returning at the next look at the context: after
// the look that sees the cancellation, the generator looks at most once
// more (to return the error) instead of carrying on with the next phase.
func TestGenerateContextStops(t *testing.T) {
	huge := ScenarioConfig{Seed: 1, Projects: []string{"PAY"}, IssuesPerProject: 1_000_000, Now: testNow}
	t.Run("cancelled before it starts", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		sc, err := GenerateContext(ctx, huge)
		if sc != nil || !errors.Is(err, context.Canceled) {
			t.Errorf("got %v, %v; want no scenario and context.Canceled", sc != nil, err)
		}
	})
	t.Run("cancelled while building a million issues", func(t *testing.T) {
		// The first look is before the project, the next ones every
		// thousand issues: the third comes 2000 issues in.
		ctx := newCancelAtLook(3)
		sc, err := GenerateContext(ctx, huge)
		if sc != nil || !errors.Is(err, context.Canceled) {
			t.Errorf("got %v, %v; want no scenario and context.Canceled", sc != nil, err)
		}
		if ctx.looks < ctx.at || ctx.looks > ctx.at+1 {
			t.Errorf("looked at the context %d times, cancelled at look %d: want it to stop at the next look", ctx.looks, ctx.at)
		}
	})
	t.Run("cancelled at every look", func(t *testing.T) {
		// Every phase of a long-lived site with an outside project.
		c := ScenarioConfig{Seed: 3, Projects: []string{"A", "B"}, IssuesPerProject: 1500, Now: testNow, OutsideProject: "X", Years: 3}
		whole := newCancelAtLook(0)
		if sc, err := GenerateContext(whole, c); sc == nil || err != nil {
			t.Fatalf("uncancelled: got %v, %v; want a scenario", sc != nil, err)
		}
		// It looks as it goes, not only between phases: twice the issues,
		// more looks.
		bigger := c
		bigger.IssuesPerProject *= 2
		more := newCancelAtLook(0)
		if _, err := GenerateContext(more, bigger); err != nil {
			t.Fatal(err)
		}
		if more.looks <= whole.looks {
			t.Fatalf("twice the issues, %d looks at the context, not more than %d: generation does not check it inside its loops", more.looks, whole.looks)
		}
		for at := 1; at <= whole.looks; at++ {
			ctx := newCancelAtLook(at)
			sc, err := GenerateContext(ctx, c)
			if sc != nil || !errors.Is(err, context.Canceled) {
				t.Errorf("cancelled at look %d of %d: got %v, %v; want no scenario and context.Canceled", at, whole.looks, sc != nil, err)
			}
			if ctx.looks > at+1 {
				t.Errorf("cancelled at look %d of %d: looked %d times; want it to stop at the next look", at, whole.looks, ctx.looks)
			}
		}
	})
}
