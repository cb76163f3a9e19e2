package webui_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/radarhq/radar"
)

var screenshots = flag.Bool("screenshots", false, "rewrite the README's screenshots docs/ui-issue.png and docs/ui-release.png")

// findChromium returns Debian's chromium (or another Chrome) on PATH. The
// browser tests skip without one, except under CI, where they fail.
func findChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if ci := os.Getenv("CI"); ci != "" && ci != "false" && ci != "0" {
		t.Fatal("chromium is not installed, and CI is set: .ci/run installs it (apt-get install chromium)")
	}
	t.Skip("chromium is not installed; apt-get install chromium to run the browser tests")
	return ""
}

// tab is a headless browser tab that records what would show in its
// console: errors, exceptions, failed loads and dialogs.
type tab struct {
	ctx      context.Context
	mu       sync.Mutex
	problems []string
}

func newTab(t *testing.T) *tab {
	t.Helper()
	path := findChromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1100, 800))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	tb := &tab{}
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithListener(tb.listen))
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	tb.ctx = ctx
	if _, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{}); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return tb
}

func (tb *tab) listen(ev any) {
	var p string
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			p = fmt.Sprintf("console.%s", ev.Type)
			for _, a := range ev.Args {
				p += " " + string(a.Value)
			}
		}
	case *runtime.EventExceptionThrown:
		p = "exception: " + ev.ExceptionDetails.Text
		if ev.ExceptionDetails.Exception != nil {
			p += " " + ev.ExceptionDetails.Exception.Description
		}
	case *cdplog.EventEntryAdded:
		if ev.Entry.Level == cdplog.EntryLevelError {
			p = fmt.Sprintf("%s error: %s (%s)", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL)
		}
	case *page.EventJavascriptDialogOpening:
		p = fmt.Sprintf("a %s dialog opened: %q", ev.Type, ev.Message)
	}
	if p != "" {
		tb.mu.Lock()
		tb.problems = append(tb.problems, p)
		tb.mu.Unlock()
	}
}

// clean fails the test with whatever showed in the console so far.
func (tb *tab) clean(t *testing.T, where string) {
	t.Helper()
	tb.mu.Lock()
	defer tb.mu.Unlock()
	for _, p := range tb.problems {
		t.Errorf("%s: %s", where, p)
	}
	tb.problems = nil
}

func (tb *tab) do(t *testing.T, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(tb.ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

func eval[T any](t *testing.T, tb *tab, js string) T {
	t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// open loads a page and waits until its title says what it shows.
func (tb *tab) open(t *testing.T, url, title string) {
	t.Helper()
	tb.do(t, chromedp.Navigate(url))
	tb.waitTitle(t, title)
}

func (tb *tab) waitTitle(t *testing.T, title string) {
	t.Helper()
	tb.waitLoaded(t, fmt.Sprintf(`document.title.startsWith(%q)`, title), "a title starting with "+title)
}

// waitQuery waits for a loaded page whose query string holds part: a form
// submitted to the page it is on keeps its title.
func (tb *tab) waitQuery(t *testing.T, part string) {
	t.Helper()
	tb.waitLoaded(t, fmt.Sprintf(`location.search.includes(%q)`, part), "an address with "+part)
}

// waitLoaded waits until a page has loaded and js holds on it.
func (tb *tab) waitLoaded(t *testing.T, js, what string) {
	t.Helper()
	js = `document.readyState === "complete" && ` + js
	deadline := time.Now().Add(20 * time.Second)
	for {
		// A navigation in flight destroys the context the check runs in;
		// that is an error to wait out, not a failure.
		if ok, err := chromedp.Run(tb.ctx, chromedp.Evaluate[bool](js)); err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			got, _ := chromedp.Run(tb.ctx, chromedp.Title())
			t.Fatalf("page %q, want %s", got, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestBrowser drives every page of a seeded service in headless Chromium
// and checks what a user sees.
func TestBrowser(t *testing.T) {
	w := seeded(t)
	tb := newTab(t)

	t.Run("sign in", func(t *testing.T) {
		tb.open(t, w.url+"/", "Sign in")
		tb.mu.Lock()
		tb.problems = nil // the 401 that brings the sign-in form is expected
		tb.mu.Unlock()
		tb.do(t, chromedp.SetValue(`input[name="token"]`, uiToken), chromedp.Submit(`form.signin`))
		tb.waitTitle(t, "Radar overview")
		if got := eval[bool](t, tb, `document.cookie.includes("radar_session")`); got {
			t.Error("the session cookie is readable from script; want HttpOnly")
		}
		tb.clean(t, "sign in")
	})

	t.Run("overview", func(t *testing.T) {
		tb.open(t, w.url+"/", "Radar overview")
		text := eval[string](t, tb, `document.body.innerText`)
		for _, want := range []string{"Top blockers by blast radius", w.blocker.Issue, "Project PAY", w.release.Name} {
			if !strings.Contains(text, want) {
				t.Errorf("the overview does not show %q", want)
			}
		}
		tb.clean(t, "overview")
	})

	t.Run("issue", func(t *testing.T) {
		tb.open(t, w.url+radar.IssuePath(w.blocker.Issue), w.blocker.Issue+": ")
		for _, dep := range w.blocker.Evidence.(radar.BlockerFacts).DirectDependents {
			js := fmt.Sprintf(`(() => { const a = document.querySelector('svg.graph a[href=%q] rect');
				if (!a) return false; const r = a.getBoundingClientRect(); return r.width > 100 && r.height > 30; })()`, radar.IssuePath(dep))
			if !eval[bool](t, tb, js) {
				t.Errorf("dependent %s is not drawn as a node linking to its page", dep)
			}
			if !eval[bool](t, tb, fmt.Sprintf(`!!document.querySelector('svg.graph a[href=%q]')`, w.jiraURL+"/browse/"+dep)) {
				t.Errorf("dependent %s has no link to Jira", dep)
			}
		}
		if got := eval[string](t, tb, `document.querySelector("h1").textContent`); !strings.Contains(got, injected) {
			t.Errorf("heading %q does not show the summary as text", got)
		}
		if n := eval[int](t, tb, `document.images.length + document.querySelectorAll("img").length`); n != 0 {
			t.Errorf("%d images on the page: the summary became markup", n)
		}
		if *screenshots {
			tb.screenshot(t, "ui-issue.png")
		}
		// Following a node's link opens that issue's page.
		dep := w.blocker.Evidence.(radar.BlockerFacts).DirectDependents[0]
		href := eval[string](t, tb, fmt.Sprintf(`document.querySelector('svg.graph a[href=%q]').getAttribute("href")`, radar.IssuePath(dep)))
		tb.open(t, w.url+href, dep+": ")
		tb.clean(t, "issue")
	})

	t.Run("release", func(t *testing.T) {
		tb.open(t, w.url+radar.ReleasePath(w.release.Project, w.release.Name), "Release "+w.release.Project+" "+w.release.Name)
		for _, q := range []string{"p50", "p85", "p95"} {
			js := fmt.Sprintf(`(() => { const l = document.querySelector("svg.fan line.quantile.%s");
				return !!l && l.getTotalLength() > 5 && getComputedStyle(l).stroke !== "none"; })()`, q)
			if !eval[bool](t, tb, js) {
				t.Errorf("the fan chart does not draw its %s line", q)
			}
		}
		text := eval[string](t, tb, `document.body.innerText`)
		for _, want := range []string{"P50 " + w.release.P50.String(), "P85 " + w.release.P85.String(), "P95 " + w.release.P95.String(), "Scope over time"} {
			if !strings.Contains(text, want) {
				t.Errorf("the release page does not show %q", want)
			}
		}
		if *screenshots {
			tb.screenshot(t, "ui-release.png")
		}
		tb.clean(t, "release")
	})

	t.Run("findings filter", func(t *testing.T) {
		tb.open(t, w.url+"/findings", "Findings")
		all := eval[int](t, tb, `document.querySelectorAll("tr.finding").length`)
		// Choosing a kind applies the filter at once (radar.js).
		eval[bool](t, tb, `(() => { const s = document.querySelector('select[name="kind"]'); s.value = "blocker";
			s.dispatchEvent(new Event("change")); return true; })()`)
		tb.waitTitle(t, "Findings:")
		rows := eval[[]string](t, tb, `[...document.querySelectorAll("tr.finding td:nth-child(2)")].map(td => td.textContent)`)
		if len(rows) == 0 || len(rows) >= all {
			t.Errorf("the kind filter shows %d of %d rows; want fewer, and some", len(rows), all)
		}
		for _, k := range rows {
			if k != "blocker" {
				t.Errorf("a %q row survives the blocker filter", k)
			}
		}
		tb.do(t, chromedp.SetValue(`input[name="q"]`, w.blocker.Issue), chromedp.Submit(`#filters`))
		tb.waitQuery(t, "q="+w.blocker.Issue)
		if got := eval[string](t, tb, `document.querySelector("td.summary").textContent`); got != injected {
			t.Errorf("the summary next to the key reads %q, want the text %q", got, injected)
		}
		owner := eval[string](t, tb, `[...document.querySelectorAll("tr.finding")].find(tr => tr.cells[1].textContent === "blocker").querySelector("td.owner").textContent`)
		if !strings.HasPrefix(owner, "owner ada") || !strings.Contains(owner, "vendor fix "+injected) {
			t.Errorf("the blocker's owner reads %q; want ada, with her note as text", owner)
		}
		// Choosing a state applies at once: nobody else owns anything.
		eval[bool](t, tb, `(() => { const s = document.querySelector('select[name="state"]'); s.value = "acknowledged";
			s.dispatchEvent(new Event("change")); return true; })()`)
		tb.waitQuery(t, "state=acknowledged")
		if n := eval[int](t, tb, `document.querySelectorAll("tr.finding").length`); n != 1 {
			t.Errorf("%d acknowledged findings listed, want the blocker alone", n)
		}
		tb.clean(t, "findings")
	})

	t.Run("report", func(t *testing.T) {
		tb.open(t, w.url+"/", "Radar overview")
		// The overview links each project's status report.
		href := eval[string](t, tb, fmt.Sprintf(`document.querySelector('a[href="/report?project=%s&audience=team"]').getAttribute("href")`, w.blocker.Project))
		tb.open(t, w.url+href, "Status report · "+w.blocker.Project)
		text := eval[string](t, tb, `document.querySelector(".report").innerText`)
		// The injected summary (of the top blocker) and note show as text.
		for _, want := range []string{"Releases", "Top risks", "Track record: P85 held in", "ada: vendor fix " + injected,
			w.blocker.Issue + ": " + injected + " · "} {
			if !strings.Contains(text, want) {
				t.Errorf("the status report does not show %q:\n%s", want, text)
			}
		}
		if n := eval[int](t, tb, `document.images.length + document.querySelectorAll(".report img, .report script, style").length`); n != 0 {
			t.Errorf("%d images, scripts or inline styles on the report page: Jira text became markup", n)
		}
		// The page is styled by the UI's stylesheet, which the CSP allows.
		if got := eval[string](t, tb, `getComputedStyle(document.querySelector(".report h2")).borderBottomStyle`); got != "solid" {
			t.Errorf("the report's headings are not styled (border %q): its stylesheet did not apply", got)
		}
		// Choosing the other audience shows leadership's report.
		tb.do(t, chromedp.SetValue(`select[name="audience"]`, "exec"), chromedp.Submit(`#report-form`))
		tb.waitQuery(t, "audience=exec")
		if text := eval[string](t, tb, `document.body.innerText`); !strings.Contains(text, "For leadership") {
			t.Error("the exec report is not for leadership")
		}
		tb.clean(t, "report")
	})

	t.Run("print", func(t *testing.T) {
		tb.open(t, w.url+radar.IssuePath(w.blocker.Issue), w.blocker.Issue+": ")
		if _, err := chromedp.Call(tb.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
			t.Fatal(err)
		}
		defer chromedp.Call(tb.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{})
		for sel, want := range map[string]string{"header.top": "none", ".toggles": "none", "footer": "none", ".graph-scroll": "visible"} {
			prop := "display"
			if want == "visible" {
				prop = "overflow"
			}
			if got := eval[string](t, tb, fmt.Sprintf(`getComputedStyle(document.querySelector(%q)).%s`, sel, prop)); got != want {
				t.Errorf("printed, %s has %s %q, want %q", sel, prop, got, want)
			}
		}
		tb.clean(t, "print")
	})

	t.Run("narrow window", func(t *testing.T) {
		tb.do(t, chromedp.EmulateViewport(375, 800))
		for _, p := range w.pages() {
			tb.do(t, chromedp.Navigate(w.url+p))
			if over := eval[int](t, tb, `document.documentElement.scrollWidth - document.documentElement.clientWidth`); over > 1 {
				t.Errorf("%s is %dpx wider than a 375px window", p, over)
			}
		}
		tb.clean(t, "narrow window")
	})
}

// screenshot writes the viewport to docs/name for the README.
func (tb *tab) screenshot(t *testing.T, name string) {
	t.Helper()
	tb.do(t, chromedp.EmulateViewport(1100, 1250))
	png, err := chromedp.Run(tb.ctx, chromedp.CaptureScreenshot())
	tb.do(t, chromedp.EmulateViewport(1100, 800))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("..", "docs", name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}
