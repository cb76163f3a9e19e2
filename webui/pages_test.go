package webui

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/analysis"
)

// smallSite: A-4 (done) blocks A-1, which blocks A-2, which blocks A-3;
// A-3 blocks block each other; A-2 is in epic A-7;
// A-3 is in release "1.0 <x>", which has too little history to forecast.
func smallSite(t *testing.T) (*UI, radar.Snapshot, radar.Report) {
	t.Helper()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	open := func(key string) radar.Issue {
		return radar.Issue{Key: key, Project: "A", Type: "Story", Summary: "Summary of " + key, Status: "To Do",
			StatusCategory: radar.CategoryNew, Created: now.AddDate(0, 0, -30), Updated: now.AddDate(0, 0, -1)}
	}
	a4 := open("A-4")
	a4.Status, a4.StatusCategory, a4.Resolved = "Done", radar.CategoryDone, now.AddDate(0, 0, -3)
	a2, a3, a7 := open("A-2"), open("A-3"), open("A-7")
	a2.EpicKey, a7.Type = "A-7", "Epic"
	a3.FixVersions = []string{"10"}
	snap := radar.Snapshot{
		Issues: []radar.Issue{open("A-1"), a2, a3, a4, open("A-5"), open("A-6"), a7},
		Dependencies: []radar.Dependency{{Blocker: "A-4", Blocked: "A-1"}, {Blocker: "A-1", Blocked: "A-2"}, {Blocker: "A-2", Blocked: "A-3"},
			{Blocker: "A-3", Blocked: "A-5"}, {Blocker: "A-5", Blocked: "A-6"}, {Blocker: "A-6", Blocked: "A-5"}},
		Versions: []radar.Version{{ID: "10", Project: "A", Name: "1.0 <x>", ReleaseDate: now.AddDate(0, 0, 20), StartDate: now.AddDate(0, 0, -10)},
			{ID: "11", Project: "A", Name: "2026/Q2 & more?", ReleaseDate: now.AddDate(0, 0, 60)}},
		Changes: []radar.Change{{IssueKey: "A-3", Created: now.AddDate(0, 0, -5), Field: "Fix Version", FieldID: "fixVersions", To: "10"}},
	}
	rep := analysis.Analyze(snap, analysis.Options{Now: now})
	u, err := New(Options{JiraURL: "https://jira.example.com/"})
	if err != nil {
		t.Fatal(err)
	}
	u.Update(snap, rep)
	return u, snap, rep
}

func TestNeighbourhoodOptions(t *testing.T) {
	u, _, _ := smallSite(t)
	ix := u.data.Load()
	keys := func(nb *neighbourhood) map[string]graphNode {
		m := map[string]graphNode{}
		for _, n := range nb.nodes {
			m[nodeName(n)] = n
		}
		return m
	}
	tests := []struct {
		name       string
		opt        graphOptions
		want, not  []string
		foldedDone int
	}{
		{"default", graphOptions{}, []string{"A-1", "A-2", "A-3", "A-5", "A-6", "A 1.0 <x>"}, []string{"A-4", "A-7"}, 1},
		{"done shown", graphOptions{done: true}, []string{"A-4"}, []string{"A-7"}, 0},
		{"parents shown", graphOptions{parents: true}, []string{"A-7"}, []string{"A-4"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nb := ix.neighbourhood("A-1", tt.opt)
			got := keys(nb)
			for _, k := range tt.want {
				if _, ok := got[k]; !ok {
					t.Errorf("%s not drawn", k)
				}
			}
			for _, k := range tt.not {
				if _, ok := got[k]; ok {
					t.Errorf("%s drawn", k)
				}
			}
			if nb.foldedDone != tt.foldedDone {
				t.Errorf("folded %d done issues, want %d", nb.foldedDone, tt.foldedDone)
			}
			if !got["A-5"].cycle || !got["A-6"].cycle || got["A-3"].cycle {
				t.Errorf("cycle marks: A-5 %v, A-6 %v, A-3 %v; want A-5 and A-6 only", got["A-5"].cycle, got["A-6"].cycle, got["A-3"].cycle)
			}
			svg := string(u.graphSVG(nb))
			if !strings.Contains(svg, `class="edge blocks cycle"`) {
				t.Errorf("no cycle edge drawn")
			}
			if strings.Contains(svg, "1.0 <x>") || !strings.Contains(svg, "1.0 &lt;x&gt;") {
				t.Errorf("the release name is not escaped in the picture")
			}
		})
	}
}

// TestNeighbourhoodIsTheAnalysis checks the picture against
// analysis.Neighbourhood (radar graph --issue): with done issues and parent
// links shown, the same issues, walked through EXT-9, an issue outside the
// synced scope that the synced link to.
func TestNeighbourhoodIsTheAnalysis(t *testing.T) {
	u, snap, rep := smallSite(t)
	snap.Issues = append(snap.Issues, radar.Issue{Key: "A-8", Project: "A", Status: "To Do", StatusCategory: radar.CategoryNew},
		radar.Issue{Key: "A-9", Project: "A", Status: "To Do", StatusCategory: radar.CategoryNew})
	snap.Dependencies = append(snap.Dependencies, radar.Dependency{Blocker: "A-3", Blocked: "EXT-9"},
		radar.Dependency{Blocker: "EXT-9", Blocked: "A-8"}, radar.Dependency{Blocker: "A-9", Blocked: "A-4"})
	u.Update(snap, rep)
	ix := u.data.Load()
	for _, key := range []string{"A-1", "A-3", "A-7", "EXT-9"} {
		var drawn []string
		for _, n := range ix.neighbourhood(key, graphOptions{parents: true, done: true}).nodes {
			if n.release == nil {
				drawn = append(drawn, n.key)
			}
		}
		slices.SortFunc(drawn, radar.CompareKeys)
		g, err := analysis.Neighbourhood(snap, analysis.Options{Now: rep.GeneratedAt}, key, 0)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, n := range g.Nodes {
			want = append(want, n.Key)
		}
		if got, want := strings.Join(drawn, ","), strings.Join(want, ","); got != want {
			t.Errorf("%s: picture draws %s, radar graph shows %s", key, got, want)
		}
	}
	if _, body := serve(t, u, "/issues/A-1"); !strings.Contains(body, `href="/issues/A-8"`) || strings.Contains(body, `href="/issues/A-9"`) {
		t.Errorf("A-1's picture: want A-8 (waiting on it through EXT-9) drawn and A-9 (behind done A-4) folded")
	}
}

func serve(t *testing.T, u *UI, path string) (int, string) {
	t.Helper()
	w := httptest.NewRecorder()
	u.Handler().ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
	return w.Code, w.Body.String()
}

// A release without a forecast (the model finds too little history) still
// has its page.
func TestReleaseWithoutForecast(t *testing.T) {
	u, snap, rep := smallSite(t)
	for i := range rep.Versions {
		rep.Versions[i].P50, rep.Versions[i].P85, rep.Versions[i].P95, rep.Versions[i].OnTimeProbability = radar.Date{}, radar.Date{}, radar.Date{}, 0
	}
	u.Update(snap, rep)
	code, body := serve(t, u, radar.ReleasePath("A", "1.0 <x>"))
	if code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	for _, want := range []string{"<title>Release A 1.0 &lt;x&gt; · Radar</title>", "No forecast", `class="release-date"`, "1 added since"} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(body, `class="quantile`) {
		t.Errorf("quantile lines drawn without a forecast")
	}
}

// Jira text shows without bidi overrides, control characters or invalid
// UTF-8, and escaped.
func TestUntrustedSummaryIsCleaned(t *testing.T) {
	u, snap, rep := smallSite(t)
	for i := range snap.Issues {
		if snap.Issues[i].Key == "A-2" {
			snap.Issues[i].Summary = "evil\u202Egnp.exe\x00<b>bold</b>\xff\tend"
		}
	}
	u.Update(snap, rep)
	code, body := serve(t, u, radar.IssuePath("A-2"))
	if code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	if !strings.Contains(body, "evilgnp.exe &lt;b&gt;bold&lt;/b&gt;\uFFFD\tend") {
		t.Errorf("the summary is not shown cleaned and escaped")
	}
	for _, bad := range []string{"\u202E", "\x00", "<b>"} {
		if strings.Contains(body, bad) {
			t.Errorf("the page carries %q", bad)
		}
	}
}

func TestOverviewTrackRecord(t *testing.T) {
	u, snap, rep := smallSite(t)
	day := func(d int) time.Time { return time.Date(2026, 1, d, 0, 0, 0, 0, time.UTC) }
	snap.Versions = append(snap.Versions,
		radar.Version{ID: "1", Project: "A", Name: "0.8", Released: true, ReleaseDate: day(5)},
		radar.Version{ID: "2", Project: "A", Name: "0.9", Released: true, ReleaseDate: day(20)})
	snap.VersionDates = []radar.VersionDate{{VersionID: "1", ObservedAt: day(1), ReleaseDate: day(5)},
		{VersionID: "2", ObservedAt: day(1), ReleaseDate: day(10)}, {VersionID: "2", ObservedAt: day(9), ReleaseDate: day(20)}}
	u.Update(snap, rep)
	code, body := serve(t, u, "/")
	if code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	if !strings.Contains(body, "Release dates kept: 1 of the last 2 releases shipped by the date first planned.") {
		t.Errorf("the overview lacks the track record of past releases")
	}
}

// TestOverviewPerAnalysis checks that the overview built once per analysis
// follows each Update, while the health line is asked on every request.
func TestOverviewPerAnalysis(t *testing.T) {
	_, snap, rep := smallSite(t)
	asked := 0
	u, err := New(Options{Health: func(context.Context) string { asked++; return fmt.Sprintf("sync ok, check %d", asked) }})
	if err != nil {
		t.Fatal(err)
	}
	u.Update(snap, rep)
	for _, want := range []string{"sync ok, check 1", "sync ok, check 2"} {
		if _, body := serve(t, u, "/"); !strings.Contains(body, want) {
			t.Errorf("the overview lacks the health of this request, %q", want)
		}
	}
	count := func(n int) string { return fmt.Sprintf("%d open findings.", n) }
	if _, body := serve(t, u, "/"); !strings.Contains(body, count(len(rep.Findings))) || strings.Contains(body, "No open issue blocks") {
		t.Fatalf("the overview does not count %s and list the blockers", count(len(rep.Findings)))
	}
	fewer := rep
	fewer.Findings = slices.DeleteFunc(slices.Clone(rep.Findings), func(f radar.Finding) bool { return f.Kind == radar.KindBlocker })
	u.Update(snap, fewer)
	_, body := serve(t, u, "/")
	if !strings.Contains(body, count(len(fewer.Findings))) || !strings.Contains(body, "No open issue blocks other open work.") {
		t.Errorf("after an Update without blockers the overview still shows the old analysis")
	}
}

// Any version name reaches its page: slashes, spaces, & and ? included.
func TestReleaseNamesInPaths(t *testing.T) {
	u, _, _ := smallSite(t)
	code, body := serve(t, u, radar.ReleasePath("A", "2026/Q2 & more?"))
	if code != http.StatusOK || !strings.Contains(body, "<title>Release A 2026/Q2 &amp; more? · Radar</title>") {
		t.Errorf("status %d; want the page of version 2026/Q2 & more?", code)
	}
}

func TestFanChartHandlesPartialForecasts(t *testing.T) {
	now := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	v := &radar.Version{Project: "A", Name: "1", ReleaseDate: now.AddDate(0, 0, 10)}
	sc := scope{start: now.AddDate(0, 0, -10), points: []scopePoint{{at: now.AddDate(0, 0, -10), total: 4}, {at: now, total: 5, done: 2, added: 1}}}
	tests := []struct {
		name string
		fc   *radar.VersionForecast
		want int // quantile lines
	}{
		{"none", nil, 0},
		{"empty", &radar.VersionForecast{}, 0},
		{"p50 only", &radar.VersionForecast{P50: radar.MustParseDate("2026-03-20")}, 1},
		{"full", &radar.VersionForecast{P50: radar.MustParseDate("2026-03-20"), P85: radar.MustParseDate("2026-04-01"), P95: radar.MustParseDate("2026-04-20")}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svg := string(fanSVG(v, tt.fc, sc, now))
			if got := strings.Count(svg, `<line class="quantile`); got != tt.want {
				t.Errorf("%d quantile lines, want %d", got, tt.want)
			}
			if strings.Contains(svg, "NaN") || strings.Contains(svg, "Inf") {
				t.Errorf("chart has non-numbers: %s", svg)
			}
		})
	}
	if svg := string(fanSVG(&radar.Version{Project: "A", Name: "1"}, nil, scope{}, now)); strings.Contains(svg, "NaN") {
		t.Errorf("an empty release draws NaN")
	}
}

func TestNoDataYetIs503(t *testing.T) {
	u, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/", "/findings", "/issues/A-1", "/releases/A/1"} {
		if code, body := serve(t, u, p); code != http.StatusServiceUnavailable || !strings.Contains(body, "first sync") {
			t.Errorf("%s before the first analysis: status %d, want 503 saying the first sync runs", p, code)
		}
	}
}

// A release without a date has nothing to be on time for: no "0%" in the
// overview, no on-time line on its page.
func TestUndatedReleaseHasNoOnTime(t *testing.T) {
	u, snap, rep := smallSite(t)
	for i := range rep.Versions {
		v := &rep.Versions[i]
		v.ReleaseDate, v.OnTimeProbability = radar.Date{}, 0
		v.P50, v.P85, v.P95 = radar.MustParseDate("2026-04-01"), radar.MustParseDate("2026-04-20"), radar.MustParseDate("2026-05-01")
	}
	u.Update(snap, rep)
	_, body := serve(t, u, "/")
	if !strings.Contains(body, "2026-04-20") {
		t.Fatal("the overview does not show the forecast")
	}
	if strings.Contains(body, `<td class="num">0%</td>`) {
		t.Error("the overview gives an undated release an on-time percentage")
	}
	_, body = serve(t, u, radar.ReleasePath("A", "1.0 <x>"))
	if strings.Contains(body, "likely to make") {
		t.Error("the release page says how likely an undated release is to make its date")
	}
	if !strings.Contains(body, `class="forecast"`) {
		t.Error("the release page lost its forecast")
	}
}

// A link between two cycles is not drawn as a cycle edge: only links
// inside one cycle are, as radar graph marks them.
func TestLinkBetweenTwoCyclesIsNoCycleEdge(t *testing.T) {
	_, snap, rep := smallSite(t)
	now := rep.GeneratedAt
	for _, k := range []string{"A-10", "A-11"} {
		snap.Issues = append(snap.Issues, radar.Issue{Key: k, Project: "A", Type: "Story", Status: "To Do", StatusCategory: radar.CategoryNew,
			Created: now.AddDate(0, 0, -30), Updated: now.AddDate(0, 0, -1)})
	}
	// A-5 ⇄ A-6 is one cycle, A-10 ⇄ A-11 another; A-6 blocks A-10.
	snap.Dependencies = append(snap.Dependencies, radar.Dependency{Blocker: "A-10", Blocked: "A-11"},
		radar.Dependency{Blocker: "A-11", Blocked: "A-10"}, radar.Dependency{Blocker: "A-6", Blocked: "A-10"})
	ix := newIndex(snap, analysis.Analyze(snap, analysis.Options{Now: now}), now)
	nb := ix.neighbourhood("A-6", graphOptions{})
	index := map[string]int{}
	for i, n := range nb.nodes {
		index[nodeName(n)] = i
	}
	edge := func(from, to string) (graphEdge, bool) {
		for _, e := range nb.edges {
			if e.from == index[from] && e.to == index[to] {
				return e, true
			}
		}
		return graphEdge{}, false
	}
	for _, tt := range []struct {
		from, to string
		cycle    bool
	}{{"A-5", "A-6", true}, {"A-10", "A-11", true}, {"A-6", "A-10", false}} {
		e, ok := edge(tt.from, tt.to)
		if !ok {
			t.Errorf("no edge %s → %s", tt.from, tt.to)
			continue
		}
		if e.cycle != tt.cycle {
			t.Errorf("edge %s → %s marked cycle %v, want %v", tt.from, tt.to, e.cycle, tt.cycle)
		}
	}
}
