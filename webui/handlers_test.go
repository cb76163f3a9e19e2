package webui_test

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/radarhq/radar"
)

func do(t *testing.T, req *http.Request) (*http.Response, string) {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func (w *world) pages() []string {
	return []string{"/", "/findings", radar.IssuePath(w.blocker.Issue), radar.ReleasePath(w.release.Project, w.release.Name),
		"/report?project=" + w.release.Project + "&audience=team"}
}

func TestPagesNeedTheToken(t *testing.T) {
	w := seeded(t)
	for _, path := range w.pages() {
		t.Run(path, func(t *testing.T) {
			for _, tt := range []struct {
				name   string
				header string
				want   int
			}{{"none", "", http.StatusUnauthorized}, {"wrong", "Bearer nope", http.StatusUnauthorized},
				{"basic", "Basic " + uiToken, http.StatusUnauthorized}, {"right", "Bearer " + uiToken, http.StatusOK}} {
				req, _ := http.NewRequest(http.MethodGet, w.url+path, nil)
				if tt.header != "" {
					req.Header.Set("Authorization", tt.header)
				}
				resp, body := do(t, req)
				if resp.StatusCode != tt.want {
					t.Errorf("%s token: status %d, want %d", tt.name, resp.StatusCode, tt.want)
				}
				if tt.want == http.StatusUnauthorized && !strings.Contains(body, `<form method="post" action="/signin"`) {
					t.Errorf("%s token: 401 without the sign-in form:\n%s", tt.name, body)
				}
				if tt.want == http.StatusUnauthorized && strings.Contains(body, w.blocker.Issue) && path == "/" {
					t.Errorf("%s token: the sign-in page shows data", tt.name)
				}
			}
		})
	}
}

func TestSignInSetsAStrictHttpOnlyCookie(t *testing.T) {
	w := seeded(t)
	post := func(token, next string) *http.Response {
		req, _ := http.NewRequest(http.MethodPost, w.url+"/signin", strings.NewReader(url.Values{"token": {token}, "next": {next}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, _ := do(t, req)
		return resp
	}
	if resp := post("wrong", "/findings"); resp.StatusCode != http.StatusUnauthorized || len(resp.Cookies()) != 0 {
		t.Errorf("wrong token: status %d, cookies %v; want 401 and none", resp.StatusCode, resp.Cookies())
	}
	resp := post(uiToken, "/findings")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/findings" {
		t.Fatalf("sign-in: status %d to %q, want 303 to /findings", resp.StatusCode, resp.Header.Get("Location"))
	}
	cs := resp.Cookies()
	if len(cs) != 1 || !cs[0].HttpOnly || cs[0].SameSite != http.SameSiteStrictMode || cs[0].Value == uiToken {
		t.Fatalf("cookie = %+v; want one HttpOnly SameSite=Strict cookie not holding the token", cs)
	}
	req, _ := http.NewRequest(http.MethodGet, w.url+"/findings", nil)
	req.AddCookie(cs[0])
	if resp, _ := do(t, req); resp.StatusCode != http.StatusOK {
		t.Errorf("with the cookie: status %d, want 200", resp.StatusCode)
	}
	forged := *cs[0]
	forged.Value = strings.Repeat("0", len(cs[0].Value))
	req, _ = http.NewRequest(http.MethodGet, w.url+"/findings", nil)
	req.AddCookie(&forged)
	if resp, _ := do(t, req); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("with a forged cookie: status %d, want 401", resp.StatusCode)
	}
	for _, next := range []string{"//evil.example/x", "https://evil.example/", "/\\evil.example"} {
		if resp := post(uiToken, next); resp.Header.Get("Location") != "/" {
			t.Errorf("next=%q redirects to %q, want /", next, resp.Header.Get("Location"))
		}
	}
}

func TestInjectedSummaryIsText(t *testing.T) {
	w := seeded(t)
	for _, path := range []string{radar.IssuePath(w.blocker.Issue), "/findings?q=" + url.QueryEscape(w.blocker.Issue), "/", "/report?project=" + w.blocker.Project} {
		t.Run(path, func(t *testing.T) {
			resp, body := w.get(t, path)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			if strings.Contains(body, "<img") {
				t.Errorf("an <img> element reached the page")
			}
			if !strings.Contains(body, "&lt;img src=x onerror=alert(1)&gt;") {
				t.Errorf("the summary is not shown as escaped text")
			}
			if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
				t.Errorf("Content-Security-Policy = %q, want script only from the site", csp)
			}
			if regexp.MustCompile(`<script(?:\s[^>]*)?>[^<]`).MatchString(body) || strings.Contains(body, " onclick=") {
				t.Errorf("the page carries inline script")
			}
		})
	}
}

var findingRow = regexp.MustCompile(`<tr class="finding sev-(\w+)"><td><span class="sev">\w+</span></td><td>([^<]+)</td><td><a href="([^"]+)">([^<]+)</a>`)

// A link with several values for a filter (as the API takes) shows them
// chosen in the form, so sending the form again keeps them.
func TestFindingsFormKeepsListedValues(t *testing.T) {
	w := seeded(t)
	_, body := w.get(t, "/findings?project=PAY,OPS&kind=blocker&state=unowned,snoozed")
	for _, want := range []string{
		`<option value="PAY,OPS" selected>PAY,OPS</option>`,
		`<option value="blocker" selected>`,
		`<option value="unowned,snoozed" selected>unowned,snoozed</option>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the form lacks %s", want)
		}
	}
	if strings.Count(body, `<option value="blocker"`) != 1 {
		t.Error("a single listed value is shown twice")
	}
}

func TestFindingsFilters(t *testing.T) {
	w := seeded(t)
	_, all := w.get(t, "/findings")
	total := len(findingRow.FindAllStringSubmatch(all, -1))
	if total == 0 {
		t.Fatal("the unfiltered list is empty")
	}
	tests := []struct {
		query string
		check func(m []string) bool
	}{
		{"kind=blocker", func(m []string) bool { return m[2] == "blocker" }},
		{"severity=critical", func(m []string) bool { return m[1] == "critical" }},
		{"project=OPS", func(m []string) bool { return strings.HasPrefix(m[4], "OPS") }},
		{"project=ops,%20", func(m []string) bool { return strings.HasPrefix(m[4], "OPS") }}, // any case, a list as the API takes
		{"severity=critical,warning", func(m []string) bool { return m[1] != "info" }},       // the least severe is the minimum
		{"q=" + url.QueryEscape(w.blocker.Issue), func(m []string) bool { return true }},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			resp, body := w.get(t, "/findings?"+tt.query)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			rows := findingRow.FindAllStringSubmatch(body, -1)
			if len(rows) == 0 || len(rows) >= total {
				t.Errorf("%d rows of %d; want the filter to narrow the list", len(rows), total)
			}
			for _, m := range rows {
				if !tt.check(m) {
					t.Errorf("row %q does not match the filter", m[0])
				}
			}
			if strings.Contains(tt.query, "critical,warning") && !strings.Contains(body, `class="finding sev-warning"`) {
				t.Error("no warning row: the most severe was taken as the minimum, not the least")
			}
		})
	}
	// Most severe first.
	last := 4
	for _, m := range findingRow.FindAllStringSubmatch(all, -1) {
		r := radar.Severity(m[1]).Rank()
		if r > last {
			t.Fatalf("%s after a less severe finding", m[0])
		}
		last = r
	}
	for _, bad := range []string{"severity=urgent", "kind=bogus"} {
		resp, body := w.get(t, "/findings?"+bad)
		name := strings.SplitN(bad, "=", 2)[0]
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, name+" &#34;") {
			t.Errorf("%s: status %d, want 400 naming %s", bad, resp.StatusCode, name)
		}
	}
}

func TestUnknownPagesAre404(t *testing.T) {
	w := seeded(t)
	for _, path := range []string{"/issues/NOPE-404", "/releases/PAY/no-such-version", "/releases/NOPE/1.0", "/nowhere"} {
		resp, body := w.get(t, path)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", path, resp.StatusCode)
		}
		if !strings.Contains(body, "<title>") || !strings.Contains(body, `href="/"`) {
			t.Errorf("%s: 404 without a page leading back", path)
		}
	}
}

func TestIssuePageDrawsDependents(t *testing.T) {
	w := seeded(t)
	_, body := w.get(t, radar.IssuePath(w.blocker.Issue))
	svg := body[strings.Index(body, "<svg class=\"graph\""):]
	svg = svg[:strings.Index(svg, "</svg>")]
	for _, dep := range w.blocker.Evidence.(radar.BlockerFacts).DirectDependents {
		if !strings.Contains(svg, `<a href="`+radar.IssuePath(dep)+`">`) {
			t.Errorf("dependent %s is not drawn with a link to its page", dep)
		}
		if !strings.Contains(svg, `href="`+w.jiraURL+"/browse/"+dep+`"`) {
			t.Errorf("dependent %s has no link to Jira", dep)
		}
	}
	if !strings.Contains(body, "<title>"+w.blocker.Issue+": ") {
		t.Errorf("the title does not name the issue")
	}
}

func TestReleasePageDrawsTheFan(t *testing.T) {
	w := seeded(t)
	_, body := w.get(t, radar.ReleasePath(w.release.Project, w.release.Name))
	for _, q := range []string{"p50", "p85", "p95"} {
		if !strings.Contains(body, `<line class="quantile `+q+`"`) {
			t.Errorf("the fan chart has no %s line", q)
		}
	}
	for _, want := range []string{w.release.P50.String(), w.release.P85.String(), w.release.P95.String(), `class="release-date"`, `class="line total"`, `class="line done"`, `class="line added"`,
		`href="` + w.jiraURL + "/projects/" + w.release.Project + "/versions/"} {
		if !strings.Contains(body, want) {
			t.Errorf("the release page lacks %s", want)
		}
	}
}

// Metrics never carry issue keys or summaries as labels.
func TestMetricsNameNoIssue(t *testing.T) {
	w := seeded(t)
	for _, p := range w.pages() {
		w.get(t, p)
	}
	_, body := w.get(t, "/metrics")
	for _, s := range []string{w.blocker.Issue + `"`, "onerror"} {
		if strings.Contains(body, s) {
			t.Errorf("/metrics contains %q", s)
		}
	}
}

// What people said about findings (acknowledged through the API) shows on
// the pages the service serves, and the state filter finds it.
func TestServedPagesShowOwners(t *testing.T) {
	w := seeded(t)
	for _, path := range []string{"/findings?state=acknowledged", radar.IssuePath(w.blocker.Issue)} {
		t.Run(path, func(t *testing.T) {
			_, body := w.get(t, path)
			if !strings.Contains(body, "ada") || !strings.Contains(body, "vendor fix &lt;img src=x onerror=alert(1)&gt;") {
				t.Errorf("the page does not show ada as the blocker's owner with her note as text")
			}
		})
	}
	_, body := w.get(t, "/findings?state=acknowledged")
	if rows := findingRow.FindAllStringSubmatch(body, -1); len(rows) != 1 || rows[0][4] != w.blocker.Issue {
		t.Errorf("state=acknowledged lists %d findings; want only %s", len(rows), w.blocker.Issue)
	}
	_, body = w.get(t, "/findings?state=unowned&q="+url.QueryEscape(w.blocker.Issue))
	for _, row := range findingRow.FindAllStringSubmatch(body, -1) {
		if row[2] == "blocker" && row[4] == w.blocker.Issue {
			t.Error("the acknowledged blocker is listed as unowned")
		}
	}
}

// The status report page: the report package's sections inside the UI,
// with the forecasts' track record and the owners' next steps.
func TestServedReportPage(t *testing.T) {
	w := seeded(t)
	resp, body := w.get(t, "/report?project="+w.blocker.Project)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for _, want := range []string{"<title>Status report · " + w.blocker.Project, "<h2>Releases</h2>", "<h2>Next steps</h2>",
		"<strong>Track record:</strong> P85 held in", "<strong>ada:</strong> vendor fix &lt;img"} {
		if !strings.Contains(body, want) {
			t.Errorf("the report page lacks %q", want)
		}
	}
	if strings.Contains(body, "<style") || strings.Contains(body, "<img") {
		t.Error("the report page carries inline style or markup from Jira text")
	}
	// Reading the page records nothing: the next one still has no earlier report.
	if _, again := w.get(t, "/report?project="+w.blocker.Project); strings.Contains(again, "(the last report)") {
		t.Error("reading the report page recorded it as the last report")
	}
}
