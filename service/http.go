package service

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/alerts"
	"github.com/radarhq/radar/analysis"
)

// Limits on what an HTTP client may send. Every endpoint but the two POSTs
// below is a GET with no body, so anything bigger is a mistake or an attack.
const (
	// MaxHeaderBytes caps the request line and headers (net/http adds 4 KiB
	// of slack); larger requests get 431.
	MaxHeaderBytes = 16 << 10
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
		MaxHeaderBytes:    MaxHeaderBytes,
	}
}

// limitRequests refuses request bodies (413) but on the endpoints that
// take a small one (bodyLimit), and query strings longer than
// MaxQueryBytes (414), before any endpoint sees them.
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
		if r.ContentLength != 0 { // a length, or -1 for a chunked body
			w.Header().Set("Connection", "close")
			http.Error(w, "request bodies are not accepted: every endpoint is a GET without one", http.StatusRequestEntityTooLarge)
			return
		}
		if len(r.URL.RawQuery) > MaxQueryBytes {
			http.Error(w, fmt.Sprintf("query string longer than %d bytes", MaxQueryBytes), http.StatusRequestURITooLong)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, 0)
		next.ServeHTTP(w, r)
	})
}

// Handler serves /metrics, /healthz, /readyz and the /api endpoints, within
// the request limits.
func (s *Service) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.metrics.Handler())
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", s.serveReady)
	mux.Handle("GET /api/findings", s.auth(http.HandlerFunc(s.serveFindings)))
	mux.Handle("GET /api/versions", s.auth(http.HandlerFunc(s.serveVersions)))
	mux.Handle("POST /api/findings/{id}/ack", s.auth(http.HandlerFunc(s.serveAck)))
	mux.Handle("POST /slack/interactions", s.slackInteractions())
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

// auth requires the configured bearer token on /api, when one is set.
func (s *Service) auth(next http.Handler) http.Handler {
	token := s.cfg.HTTP.Token.Value()
	if token == "" {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="radar"`)
			http.Error(w, "missing or wrong bearer token (http.token)", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Service) latest(w http.ResponseWriter) (radar.Report, bool) {
	s.mu.RLock()
	r := s.report
	s.mu.RUnlock()
	if r == nil {
		http.Error(w, "no analysis yet: the first sync is still running", http.StatusServiceUnavailable)
		return radar.Report{}, false
	}
	return *r, true
}

// serveFindings answers the same JSON as `radar analyze --format json`,
// optionally filtered by ?project=, ?kind= and ?severity= (minimum).
func (s *Service) serveFindings(w http.ResponseWriter, r *http.Request) {
	rep, ok := s.latest(w)
	if !ok {
		return
	}
	q := r.URL.Query()
	p, k, sev := q.Get("project"), q.Get("kind"), radar.Severity(strings.ToLower(q.Get("severity")))
	if sev != "" && sev.Rank() == 0 {
		http.Error(w, "severity must be info, warning or critical", http.StatusBadRequest)
		return
	}
	if k != "" && !slices.Contains(radar.Kinds, k) {
		http.Error(w, "kind must be one of "+strings.Join(radar.Kinds, ", "), http.StatusBadRequest)
		return
	}
	if p != "" || k != "" || sev != "" {
		kept := make([]radar.Finding, 0, len(rep.Findings))
		for _, f := range rep.Findings {
			if (p == "" || strings.EqualFold(f.Project, p)) && (k == "" || f.Kind == k) && (sev == "" || f.Severity.Rank() >= sev.Rank()) {
				kept = append(kept, f)
			}
		}
		rep.Findings = kept
	}
	var err error
	if rep.Findings, err = s.store.AttachAcks(r.Context(), rep.Findings); err != nil {
		s.log.Error("read acks", "component", "service", "err", err)
		http.Error(w, "database unavailable; try again", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	analysis.WriteJSON(w, rep)
}

// serveVersions answers the release forecasts of the latest analysis.
func (s *Service) serveVersions(w http.ResponseWriter, r *http.Request) {
	rep, ok := s.latest(w)
	if !ok {
		return
	}
	vs := rep.Versions
	if vs == nil {
		vs = []radar.VersionForecast{}
	}
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(struct {
		GeneratedAt time.Time               `json:"generated_at"`
		Versions    []radar.VersionForecast `json:"versions"`
	}{rep.GeneratedAt, vs})
}
