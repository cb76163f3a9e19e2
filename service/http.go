package service

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/alerts"
	"github.com/radarhq/radar/analysis"
	"github.com/radarhq/radar/metrics"
)

// Limits on what an HTTP client may send. Every endpoint but the two POSTs
// below is a GET with no body, so anything bigger is a mistake or an attack.
const (
	// MaxHeaderBytes caps the request line and headers; larger requests get
	// 431.
	MaxHeaderBytes = 16 << 10
	// headerSlack is what net/http reads beyond http.Server.MaxHeaderBytes
	// before it refuses a request, taken off so the cap is MaxHeaderBytes.
	headerSlack = 4 << 10
	// MaxQueryBytes caps the query string; longer ones get 414.
	MaxQueryBytes = 2 << 10
	// MaxAckBytes caps the JSON body of POST /api/findings/{id}/ack.
	MaxAckBytes = 8 << 10
)

// bodyLimit returns how large a body the request's endpoint accepts: only
// the POSTs that act on findings take one.
func bodyLimit(r *http.Request) int64 {
	if r.Method != http.MethodPost {
		return 0
	}
	switch {
	case r.URL.Path == "/slack/interactions":
		return alerts.MaxInteractionBytes
	case strings.HasPrefix(r.URL.Path, "/api/findings/") && strings.HasSuffix(r.URL.Path, "/ack"):
		return MaxAckBytes
	}
	return 0
}

// NewHTTPServer returns a server for h with Radar's limits: readHeader
// bounds the time to send the request line and headers (slow clients are
// cut off), the whole request must arrive within 10 s, a response be written
// within 30 s, an idle connection is closed after 60 s, and headers are
// capped at MaxHeaderBytes. Handler adds the body and query limits.
func NewHTTPServer(h http.Handler, readHeader time.Duration) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeader,
		ReadTimeout:       max(10*time.Second, readHeader),
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    MaxHeaderBytes - headerSlack,
	}
}

// limitRequests refuses request bodies (413) but on the endpoints that
// take a small one (bodyLimit, and the web UI's sign-in and sign-out forms,
// bounded there), and query strings longer than MaxQueryBytes (414),
// before any endpoint sees them.
func limitRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if limit := bodyLimit(r); limit > 0 {
			if r.ContentLength > limit {
				w.Header().Set("Connection", "close")
				http.Error(w, fmt.Sprintf("request body larger than %d bytes", limit), http.StatusRequestEntityTooLarge)
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
			next.ServeHTTP(w, r)
			return
		}
		form := r.Method == http.MethodPost && (r.URL.Path == "/signin" || r.URL.Path == "/signout")
		if !form && r.ContentLength != 0 { // a length, or -1 for a chunked body
			w.Header().Set("Connection", "close")
			http.Error(w, "request bodies are not accepted: every endpoint is a GET without one", http.StatusRequestEntityTooLarge)
			return
		}
		if len(r.URL.RawQuery) > MaxQueryBytes {
			http.Error(w, fmt.Sprintf("query string longer than %d bytes", MaxQueryBytes), http.StatusRequestURITooLong)
			return
		}
		if !form {
			r.Body = http.MaxBytesReader(w, r.Body, 0)
		}
		next.ServeHTTP(w, r)
	})
}

// Handler serves /metrics, /healthz, /readyz, the /api endpoints and the
// web UI's pages, within the request limits.
func (s *Service) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.metrics.Handler())
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
	mux.Handle("GET /readyz", s.auth(http.HandlerFunc(s.serveReady)))
	mux.Handle("GET /api/findings", s.auth(http.HandlerFunc(s.serveFindings)))
	mux.Handle("GET /api/versions", s.auth(http.HandlerFunc(s.serveVersions)))
	mux.Handle("POST /api/findings/{id}/ack", s.auth(http.HandlerFunc(s.serveAck)))
	mux.Handle("POST /slack/interactions", s.slackInteractions())
	mux.Handle("/", s.ui.Handler()) // the web UI: /, /findings, /issues/…, /releases/…, /report
	return limitRequests(mux)
}

func (s *Service) serveReady(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := s.store.Ping(r.Context()); err != nil {
		http.Error(w, "database not answering", http.StatusServiceUnavailable)
		return
	}
	// Ready while the data is fresh enough to serve, whatever Jira and Slack
	// do now: the body says which of them is failing (degraded).
	ready, body := s.readiness(r.Context())
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if !ready {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	w.Write([]byte(body))
}

// auth requires the configured bearer token on /api and /readyz, when one
// is set. The scheme is case-insensitive (RFC 9110).
func (s *Service) auth(next http.Handler) http.Handler {
	if s.cfg.HTTP.Token.Value() == "" {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		scheme, got, _ := strings.Cut(h, " ")
		reason := ""
		switch {
		case h == "":
			reason = "no Authorization header"
		case !strings.EqualFold(scheme, "Bearer"):
			reason = "not a Bearer token"
		}
		if !s.checkToken(r, strings.TrimSpace(got), reason) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="radar"`)
			http.Error(w, "missing or wrong bearer token (http.token)", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// checkToken reports whether got is http.token, compared in constant time;
// a non-empty reason fails it outright (no usable token was sent). It is
// the one check for the API, /readyz and the web UI's bearer header and
// sign-in form: a failure is logged (never with what was sent) and
// answered after a delay that grows with that client's recent failures,
// without holding up anyone else.
func (s *Service) checkToken(r *http.Request, got, reason string) bool {
	client := clientHost(r)
	if reason == "" && subtle.ConstantTimeCompare([]byte(got), []byte(s.cfg.HTTP.Token.Value())) == 1 {
		s.signins.succeeded(client)
		return true
	}
	if reason == "" {
		reason = "wrong token"
	}
	delay := s.signins.failed(client, s.now())
	s.log.Warn("http sign-in failed", "component", "service", "client", client, "path", r.URL.Path,
		"reason", reason, "delay", delay)
	t := time.NewTimer(delay)
	select {
	case <-t.C:
	case <-r.Context().Done():
		t.Stop()
	}
	return false
}

// latest returns the latest analysis, or answers 503 saying why there is
// none: the first sync still running or failed, or the analysis failing.
func (s *Service) latest(w http.ResponseWriter) (radar.Report, bool) {
	s.mu.RLock()
	r := s.report
	problem := s.analysis.problem()
	jira := copyHealth(s.health[metrics.DependencyJira])
	s.mu.RUnlock()
	if r != nil {
		return *r, true
	}
	msg := "no analysis yet: the first sync is still running"
	switch {
	case problem != "":
		msg = "no analysis: " + problem
	case !jira.failingSince.IsZero():
		msg = fmt.Sprintf("no analysis yet: every sync since start failed (since %s; last error: %s); Radar tries again on schedule.sync", stamp(jira.failingSince), jira.lastErr)
	}
	http.Error(w, msg, http.StatusServiceUnavailable)
	return radar.Report{}, false
}

// serveFindings answers the same JSON as `radar analyze --format json`,
// optionally filtered by ?project=, ?kind=, ?severity= (minimum) and
// ?state=, each repeated or comma-separated; the project filter applies to
// every part.
func (s *Service) serveFindings(w http.ResponseWriter, r *http.Request) {
	f, err := FilterFromQuery(r.URL.Query())
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	rep, ok := s.latest(w)
	if !ok {
		return
	}
	var aerr error
	if rep.Findings, aerr = s.store.AttachAcks(r.Context(), rep.Findings); aerr != nil {
		s.log.Error("read acks", "component", "service", "err", aerr)
		http.Error(w, "database unavailable; try again", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	analysis.WriteJSON(w, f.Apply(rep, s.now()))
}

// serveVersions answers the release forecasts of the latest analysis,
// optionally filtered by ?project= (repeated or comma-separated).
func (s *Service) serveVersions(w http.ResponseWriter, r *http.Request) {
	f, err := FilterFromQuery(url.Values{"project": r.URL.Query()["project"]})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	rep, ok := s.latest(w)
	if !ok {
		return
	}
	vs := f.Apply(rep, s.now()).Versions
	if vs == nil {
		vs = []radar.VersionForecast{}
	}
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(struct {
		GeneratedAt time.Time               `json:"generated_at"`
		Versions    []radar.VersionForecast `json:"versions"`
		TrackRecord *radar.TrackRecord      `json:"track_record,omitempty"`
	}{rep.GeneratedAt, vs, rep.TrackRecord})
}
