// Package webui serves Radar's read-only web pages: the overview, the
// findings list with their owners and states, an issue's dependency
// neighbourhood, a release's forecast and the status report. Pages are
// rendered on the server with html/template and inline SVG drawn here; the
// little JavaScript there is only helps and is served as a static file,
// never inline. It reads the snapshot and report the service hands it, and
// what the callbacks in Options answer (acks, status reports); it must not
// do I/O of its own (no store, no Jira, no Slack).
package webui

import (
	"bytes"
	"context"
	"crypto/subtle"
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/report"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// contentSecurityPolicy forbids inline script and anything not served by
// Radar itself; the SVG pictures are inline markup styled by classes.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// Options configure the UI.
type Options struct {
	// JiraURL is the Jira base URL pages link issues to.
	JiraURL string
	// Token, when set, is required on every page: as a bearer header or
	// through the sign-in form's cookie (http.token).
	Token string
	// CheckToken reports whether a token a client presented (a bearer
	// header, or the sign-in form) is Token. The service's checker also
	// logs a failure and slows that client down, as on /api; nil compares
	// in constant time and does nothing else.
	CheckToken func(r *http.Request, token string) bool
	// SecureCookie marks the sign-in cookie Secure (the UI is reached over
	// HTTPS, e.g. behind a proxy); it is also set on TLS requests.
	SecureCookie bool
	// Health describes the sync and Slack health, one line each.
	Health func(ctx context.Context) string
	// Acks returns who owns which open finding (the risk register), by
	// finding id; read on every page that lists findings. Nil shows every
	// finding unowned.
	Acks func(ctx context.Context) (map[string]radar.Ack, error)
	// StatusReport builds the status report GET /report shows, from the
	// analysis and snapshot the pages show; nil leaves the page out.
	StatusReport func(ctx context.Context, rep radar.Report, snap radar.Snapshot, q report.Request) (radar.StatusReport, error)
	// Now is the clock timed snoozes end by; time.Now when nil.
	Now    func() time.Time
	Logger *slog.Logger
}

// UI is the web UI. Its zero value is not usable; call New.
type UI struct {
	opts  Options
	log   *slog.Logger
	pages map[string]*template.Template
	data  atomic.Pointer[index]
}

// New returns a UI with no data yet: pages answer 503 until Update.
func New(opts Options) (*UI, error) {
	u := &UI{opts: opts, log: opts.Logger, pages: map[string]*template.Template{}}
	if u.log == nil {
		u.log = slog.New(slog.DiscardHandler)
	}
	u.opts.JiraURL = strings.TrimRight(opts.JiraURL, "/")
	if u.opts.CheckToken == nil {
		u.opts.CheckToken = func(_ *http.Request, got string) bool {
			return subtle.ConstantTimeCompare([]byte(got), []byte(u.opts.Token)) == 1
		}
	}
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		if n == "templates/layout.html" {
			continue
		}
		t, err := template.New("layout.html").Funcs(u.funcs()).ParseFS(templateFiles, "templates/layout.html", n)
		if err != nil {
			return nil, err
		}
		u.pages[strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")] = t
	}
	return u, nil
}

// Update makes the pages show snap and the report analysed from it. The
// UI keeps both until the next Update; safe to call while serving.
func (u *UI) Update(snap radar.Snapshot, rep radar.Report) {
	u.data.Store(newIndex(snap, rep, u.now()))
}

// Handler serves the pages, the static files and the sign-in form.
func (u *UI) Handler() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(staticFiles, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /signin", u.serveSignIn)
	mux.HandleFunc("POST /signin", u.signIn)
	mux.HandleFunc("POST /signout", u.signOut)
	mux.Handle("GET /{$}", u.auth(u.withData(u.serveOverview)))
	mux.Handle("GET /findings", u.auth(u.withData(u.serveFindings)))
	mux.Handle("GET /issues/{key}", u.auth(u.withData(u.serveIssue)))
	mux.Handle("GET /releases/{project}/{version}", u.auth(u.withData(u.serveRelease)))
	mux.Handle("GET /report", u.auth(u.withData(u.serveReport)))
	mux.Handle("/", u.auth(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.render(w, r, http.StatusNotFound, "message", page{Title: "Not found",
			Message: "There is no page at " + r.URL.Path + ". Start from the overview."})
	})))
	return secureHeaders(mux)
}

// secureHeaders sets the headers every answer carries.
func secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}

// withData hands a page the latest index, or answers 503 before the first
// analysis.
func (u *UI) withData(serve func(http.ResponseWriter, *http.Request, *index)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ix := u.data.Load()
		if ix == nil {
			u.render(w, r, http.StatusServiceUnavailable, "message", page{Title: "No analysis yet",
				Message: "The first sync is still running; this page shows its results when it ends. Reload in a minute."})
			return
		}
		serve(w, r, ix)
	})
}

// page is what every template gets: the title, a message for the plain
// message page, and the page's own view.
type page struct {
	Title    string
	Message  string
	SignedIn bool // show the sign-out button
	View     any
}

// render executes a page template into a buffer first, so a failing
// template never sends half a page.
func (u *UI) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	p.SignedIn = u.opts.Token != "" && u.hasSessionCookie(r)
	var buf bytes.Buffer
	t := u.pages[name]
	if err := t.Execute(&buf, p); err != nil {
		u.log.Error("render page", "component", "webui", "page", name, "err", err)
		http.Error(w, "the page could not be drawn; see the server log", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(cleanPage(buf.Bytes()))
}

// funcs are the templates' helpers.
func (u *UI) funcs() template.FuncMap {
	return template.FuncMap{
		"kindLabel": func(k string) string { return strings.ReplaceAll(k, "_", " ") },
		"hasReport": func() bool { return u.opts.StatusReport != nil },
		// unlisted: a filter value none of a select's options is (several
		// values, as a link or the API may give): the select shows it as
		// one more option, chosen, so sending the form again keeps it.
		"unlisted": func(v string, options []string) bool { return v != "" && !slices.Contains(options, v) },
	}
}
