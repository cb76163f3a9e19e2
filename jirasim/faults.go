package jirasim

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"
)

// Faults are failures the server injects. Rates are fractions of the
// requests to the endpoints Only names (all endpoints when empty); one
// random draw per request, from a generator seeded with Seed, picks at most
// one of the rate-based faults.
type Faults struct {
	Seed uint64
	// Only limits the faults to these endpoint names (see Requests).
	Only []string

	// RateLimitRate answers 429 with Retry-After and X-RateLimit-* headers.
	RateLimitRate float64
	// RetryAfter is the wait the 429 and 503 answers ask for, in whole
	// seconds on the wire (0 allowed for fast tests).
	RetryAfter time.Duration
	// RetryAfterHTTPDate sends Retry-After as an HTTP date instead of
	// seconds.
	RetryAfterHTTPDate bool
	// RateLimitReason is the RateLimit-Reason header (default
	// "jira-burst-based").
	RateLimitReason string
	// ServiceUnavailableRate answers 503 with Retry-After.
	ServiceUnavailableRate float64
	// ServerErrorRate answers 500 or 502, with an HTML or JSON body.
	ServerErrorRate float64
	// ResetRate closes the connection in the middle of the response.
	ResetRate float64
	// TruncateRate sends a 200 whose JSON body is cut in half.
	TruncateRate float64
	// SpikeRate delays a fraction of the requests by Spike before they
	// are answered normally; the delay ends early when the request's
	// context ends (the client gave up), so a Spike longer than the
	// client's timeout makes those requests time out.
	SpikeRate float64
	Spike     time.Duration
	// MaxFaults caps how many rate-based faults (429, 503, 5xx, resets,
	// truncations, spikes) are injected from SetFaults on; 0 is no cap.
	// RateLimitRate 1 with MaxFaults 5 is a storm: the first five requests
	// get 429, the rest go through.
	MaxFaults int

	// Latency is added to every request (not only those Only names),
	// ending early when the request's context ends.
	Latency time.Duration
	// BurstLimit, above zero, is a Cloud-like burst limit on every
	// endpoint: a token bucket refilled at BurstLimit requests per second
	// that holds as many. Each request takes a token on arrival; every
	// answer says what is left (X-RateLimit-Limit, X-RateLimit-Remaining,
	// X-RateLimit-NearLimit under 20 %), and a request that finds the
	// bucket empty gets 429 with Retry-After in whole seconds (at least 1),
	// X-RateLimit-Reset and RateLimit-Reason: jira-burst-based. It is not
	// a rate-based fault: MaxFaults does not cap it (see burst.go).
	BurstLimit float64
	// ExpireTokens rejects every Cloud nextPageToken as expired.
	ExpireTokens bool
	// PageCap, above zero, caps every Cloud search page at that many
	// issues whatever maxResults asks, as Cloud does when many fields are
	// requested.
	PageCap int
	// Unauthorized answers 401 as for bad credentials.
	Unauthorized bool
	// Forbidden answers 403.
	Forbidden bool
	// FailNext makes the next N faultable requests fail with 500.
	FailNext int
}

// Fault names, the keys of FaultCounts.
const (
	FaultRateLimit          = "rateLimit"
	FaultServiceUnavailable = "serviceUnavailable"
	FaultServerError        = "serverError"
	FaultReset              = "reset"
	FaultTruncate           = "truncate"
	FaultLatencySpike       = "latencySpike"
	FaultExpiredToken       = "expiredToken"
	FaultUnauthorized       = "unauthorized"
	FaultForbidden          = "forbidden"
	FaultFailNext           = "failNext"
	FaultBurstLimit         = "burstLimit"
)

type faultState struct {
	mu     sync.Mutex
	f      Faults
	rng    *rand.Rand
	counts map[string]int
	// injected counts the rate-based faults since SetFaults, for MaxFaults.
	injected int
	bucket   tokenBucket
}

func (fs *faultState) init() {
	fs.rng = rand.New(rand.NewPCG(0, 0))
	fs.counts = map[string]int{}
}

// SetFaults replaces the faults in effect; it reseeds the generator and
// keeps the counts.
func (s *Server) SetFaults(f Faults) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	f.Only = slices.Clone(f.Only)
	s.faults.f = f
	s.faults.injected = 0
	s.faults.bucket = tokenBucket{rate: f.BurstLimit}
	s.faults.rng = rand.New(rand.NewPCG(f.Seed, f.Seed^0x9e3779b97f4a7c15))
}

// FaultCounts returns how many faults of each kind (Fault* names) were
// injected.
func (s *Server) FaultCounts() map[string]int {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	out := make(map[string]int, len(s.faults.counts))
	for k, v := range s.faults.counts {
		out[k] = v
	}
	return out
}

// decision is the fault chosen for one request ("" for none).
type decision struct {
	kind       string
	retryAfter time.Duration
	httpDate   bool
	reason     string
	altBody    bool
	spike      time.Duration
}

func (s *Server) decide(endpoint string) (decision, time.Duration) {
	fs := &s.faults
	fs.mu.Lock()
	defer fs.mu.Unlock()
	f := &fs.f
	if len(f.Only) > 0 && !slices.Contains(f.Only, endpoint) {
		return decision{}, f.Latency
	}
	d := decision{retryAfter: f.RetryAfter, httpDate: f.RetryAfterHTTPDate, reason: f.RateLimitReason, spike: f.Spike}
	switch {
	case f.FailNext > 0:
		f.FailNext--
		d.kind = FaultFailNext
	case f.Unauthorized:
		d.kind = FaultUnauthorized
	case f.Forbidden:
		d.kind = FaultForbidden
	case f.MaxFaults > 0 && fs.injected >= f.MaxFaults:
		// The budget is spent: no more rate-based faults.
	default:
		u := fs.rng.Float64()
		d.altBody = fs.rng.IntN(2) == 0
		for _, c := range []struct {
			rate float64
			kind string
		}{
			{f.RateLimitRate, FaultRateLimit},
			{f.ServiceUnavailableRate, FaultServiceUnavailable},
			{f.ServerErrorRate, FaultServerError},
			{f.ResetRate, FaultReset},
			{f.TruncateRate, FaultTruncate},
			{f.SpikeRate, FaultLatencySpike},
		} {
			if u < c.rate {
				d.kind = c.kind
				break
			}
			u -= c.rate
		}
		if d.kind != "" {
			fs.injected++
		}
	}
	if d.kind != "" {
		fs.counts[d.kind]++
	}
	return d, f.Latency
}

func (s *Server) countFault(kind string) {
	s.faults.mu.Lock()
	s.faults.counts[kind]++
	s.faults.mu.Unlock()
}

func (s *Server) pageCap() int {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	return s.faults.f.PageCap
}

func (s *Server) expireTokens() bool {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	return s.faults.f.ExpireTokens
}

const notAuthenticated = "You are not authenticated. Authentication required to perform this operation."

// endpoint wraps a handler with request counting, latency, auth and fault
// injection.
func (s *Server) endpoint(name string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.count(name)
		d, latency := s.decide(name)
		if !s.takeBurstToken(w) {
			writeError(w, http.StatusTooManyRequests, "Rate limit exceeded.")
			return
		}
		s.log.Debug("request", "endpoint", name, "method", r.Method, "path", r.URL.Path, "fault", d.kind)
		if d.kind == FaultLatencySpike {
			latency += d.spike
		}
		if latency > 0 {
			// Read the body first: the server notices a client that gave up
			// (and ends the request's context) only once the body is read.
			if r.Body != nil && r.Body != http.NoBody {
				body, err := io.ReadAll(r.Body)
				r.Body.Close()
				if err != nil {
					return
				}
				r.Body = io.NopCloser(bytes.NewReader(body))
			}
			t := time.NewTimer(latency)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		switch d.kind {
		case FaultFailNext:
			writeError(w, http.StatusInternalServerError, "Internal server error")
			return
		case FaultUnauthorized:
			writeError(w, http.StatusUnauthorized, notAuthenticated)
			return
		case FaultForbidden:
			writeError(w, http.StatusForbidden, "You do not have permission to perform this operation.")
			return
		}
		if !s.authorized(r) {
			w.Header().Set("WWW-Authenticate", `Basic realm="protected-area"`)
			writeError(w, http.StatusUnauthorized, notAuthenticated)
			return
		}
		switch d.kind {
		case FaultRateLimit:
			s.setRetryAfter(w, d)
			reason := d.reason
			if reason == "" {
				reason = "jira-burst-based"
			}
			reset := s.now().Add(max(d.retryAfter, time.Second)).UTC()
			w.Header().Set("X-RateLimit-Limit", "100")
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-NearLimit", "true")
			if d.altBody {
				w.Header().Set("X-RateLimit-Reset", reset.Format("2006-01-02T15:04Z"))
			} else {
				w.Header().Set("X-RateLimit-Reset", reset.Format("2006-01-02T15:04:05.000Z"))
			}
			w.Header().Set("RateLimit-Reason", reason)
			writeError(w, http.StatusTooManyRequests, "Rate limit exceeded.")
			return
		case FaultServiceUnavailable:
			s.setRetryAfter(w, d)
			writeError(w, http.StatusServiceUnavailable, "Service Unavailable")
			return
		case FaultServerError:
			if d.altBody {
				w.Header().Set("Content-Type", "text/html;charset=UTF-8")
				w.WriteHeader(http.StatusBadGateway)
				fmt.Fprint(w, "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>")
				return
			}
			writeError(w, http.StatusInternalServerError, "Internal server error")
			return
		case FaultReset, FaultTruncate:
			buf := &bufferedResponse{header: http.Header{}, code: http.StatusOK}
			h(buf, r)
			body := buf.body.Bytes()
			half := body[:len(body)/2]
			if d.kind == FaultTruncate {
				for k, v := range buf.header {
					w.Header()[k] = v
				}
				w.Header().Set("Content-Length", strconv.Itoa(len(half)))
				w.WriteHeader(http.StatusOK)
				w.Write(half)
				return
			}
			hj, ok := w.(http.Hijacker)
			if !ok {
				panic(http.ErrAbortHandler) // closes the connection on HTTP/1 and resets the stream on HTTP/2
			}
			conn, rw, err := hj.Hijack()
			if err != nil {
				panic(http.ErrAbortHandler)
			}
			fmt.Fprintf(rw, "HTTP/1.1 200 OK\r\nContent-Type: application/json;charset=UTF-8\r\nContent-Length: %d\r\n\r\n", len(body))
			rw.Write(half)
			rw.Flush()
			conn.Close()
			return
		}
		h(w, r)
	}
}

func (s *Server) setRetryAfter(w http.ResponseWriter, d decision) {
	if d.httpDate {
		w.Header().Set("Retry-After", s.now().Add(d.retryAfter).UTC().Format(http.TimeFormat))
		return
	}
	w.Header().Set("Retry-After", strconv.Itoa(int(d.retryAfter/time.Second)))
}

// bufferedResponse collects a handler's response so that a fault can cut
// it.
type bufferedResponse struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header         { return b.header }
func (b *bufferedResponse) WriteHeader(code int)        { b.code = code }
func (b *bufferedResponse) Write(p []byte) (int, error) { return b.body.Write(p) }
