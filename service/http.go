package service

import (
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/analysis"
)

// Handler serves /metrics, /healthz, /readyz and the /api endpoints.
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
	return mux
}

func (s *Service) serveReady(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := s.store.Ping(r.Context()); err != nil {
		http.Error(w, "database not answering", http.StatusServiceUnavailable)
		return
	}
	s.mu.RLock()
	last := s.lastSync
	s.mu.RUnlock()
	switch {
	case last.IsZero():
		http.Error(w, "no successful sync yet", http.StatusServiceUnavailable)
	case s.now().Sub(last) > s.cfg.HTTP.ReadyMaxAge:
		http.Error(w, "last successful sync at "+last.UTC().Format(time.RFC3339)+" is older than http.ready_max_age", http.StatusServiceUnavailable)
	default:
		w.Write([]byte("ready\n"))
	}
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
