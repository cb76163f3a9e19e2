package connector

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	jira "github.com/andygrunwald/go-jira"
	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/radarhq/radar/config"
)

// Metrics receives the connector's request and retry counts. Reasons are
// bounded: rate_limited, server_error, network, timeout, truncated.
type Metrics interface {
	JiraRequest(code string)
	JiraRetry(reason string)
}

type noMetrics struct{}

func (noMetrics) JiraRequest(string) {}
func (noMetrics) JiraRetry(string)   {}

// Error is a sync failure said in the user's terms: what Jira answered and
// which setting to look at. Status is 0 for transport failures.
type Error struct {
	Op      string // what was being done, e.g. "search PAY"
	Status  int
	Message string // Jira's own errorMessages, joined
	Hint    string // what to do about it
	Err     error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Op)
	if e.Status != 0 {
		fmt.Fprintf(&b, ": jira answered %d %s", e.Status, http.StatusText(e.Status))
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	} else if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	if e.Hint != "" {
		b.WriteString(" (")
		b.WriteString(e.Hint)
		b.WriteString(")")
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// retryAfter parses a Retry-After header: seconds or an HTTP date.
func retryAfter(h string, now time.Time) (time.Duration, bool) {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0, false
	}
	if n, err := strconv.ParseFloat(h, 64); err == nil && n >= 0 {
		return time.Duration(n * float64(time.Second)), true
	}
	if t, err := http.ParseTime(h); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}

// rateLimitReset reads X-RateLimit-Reset, an ISO 8601 time that Jira Cloud
// sometimes sends without seconds, as a wait from now.
func rateLimitReset(h string, now time.Time) (time.Duration, bool) {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0, false
	}
	for _, l := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z0700", "2006-01-02T15:04:05.000Z0700"} {
		if t, err := time.Parse(l, h); err == nil {
			return max(t.Sub(now), 0), true
		}
	}
	return 0, false
}

// call sends one request to Jira with retries and decodes the JSON answer
// into a fresh T. 429 and 503 wait at least Retry-After; other 5xx, resets,
// timeouts and malformed bodies back off exponentially with jitter; 4xx fail
// at once with Jira's own messages.
func call[T any](ctx context.Context, c *Connector, op, method, path string, body any) (*T, error) {
	return callBuilt[T](ctx, c, op, method, func() (string, any) { return path, body })
}

// callBuilt is call with a request rebuilt for every attempt, so a retry
// after a long Retry-After sends a query that is right for when it is sent
// (a relative updated window must not go stale while it waits).
func callBuilt[T any](ctx context.Context, c *Connector, op, method string, build func() (path string, body any)) (*T, error) {
	for attempt := 0; ; attempt++ {
		if err := c.pace.wait(ctx); err != nil {
			return nil, err
		}
		out := new(T)
		path, body := build()
		t0 := time.Now()
		status, hdr, err := c.roundTrip(ctx, method, path, body, out)
		c.requests.Add(1)
		code := "error"
		if status != 0 {
			code = strconv.Itoa(status)
			c.pace.observe(status, hdr)
		}
		c.metrics.JiraRequest(code)
		c.log.Debug("jira request", "op", op, "method", method, "path", trimQuery(path), "status", code,
			"took", time.Since(t0).Round(time.Millisecond), "attempt", attempt+1)
		if err == nil {
			return out, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		reason, wait, asked, permanent := c.classify(status, hdr, err, attempt)
		if permanent != nil {
			permanent.Op = op
			if permanent.Status == http.StatusBadRequest && op != "search" {
				permanent.Hint = "" // jira.jql only shapes searches
			}
			return nil, permanent
		}
		if asked > c.cfg.MaxRetryAfter {
			// Jira asked for a wait longer than the user allows: fail now
			// with what it said rather than sleep for hours.
			return nil, &Error{Op: op, Status: status, Err: err,
				Message: fmt.Sprintf("%v; Jira asked to wait %s before retrying, more than jira.max_retry_after (%s)",
					err, asked.Round(time.Second), c.cfg.MaxRetryAfter),
				Hint: "try again after that wait, or raise jira.max_retry_after"}
		}
		if attempt >= c.cfg.MaxRetries {
			// No wait after the last allowed retry: it would buy nothing.
			hint := "Jira kept failing; try again later or lower jira.concurrency / jira.requests_per_second"
			if reason == "network" || reason == "timeout" {
				hint = "Jira could not be reached; check jira.url and that this machine can connect to it"
			}
			return nil, &Error{Op: op, Message: fmt.Sprintf("gave up after %d retries: %v", attempt, err), Err: err, Hint: hint}
		}
		c.retries.Add(1)
		c.metrics.JiraRetry(reason)
		c.log.Warn("retrying jira request", "op", op, "reason", reason, "status", status, "wait", wait.Round(time.Millisecond),
			"retry", attempt+1, "max_retries", c.cfg.MaxRetries, "rate_limit_reason", hdr.Get("RateLimit-Reason"), "err", err)
		if status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable {
			c.pace.pause(wait) // everyone waits: the limit is per tenant
		}
		if err := c.sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// trimQuery drops a path's query string, which holds the JQL, from log
// lines: the operation name says what was asked.
func trimQuery(path string) string {
	if i := strings.IndexByte(path, '?'); i >= 0 {
		return path[:i]
	}
	return path
}

// httpStatusError carries a non-2xx answer through roundTrip.
type httpStatusError struct {
	status int
	msg    string
}

func (e *httpStatusError) Error() string { return e.msg }

// roundTrip performs one attempt. It returns the HTTP status (0 when none
// arrived), the headers, and an error for anything but a decoded 2xx.
func (c *Connector) roundTrip(ctx context.Context, method, path string, body any, out any) (status int, hdr http.Header, err error) {
	rctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	watch := &bodyWatch{}
	rctx = context.WithValue(rctx, bodyWatchKey{}, watch)
	req, err := c.client.NewRequestWithContext(rctx, method, path, body)
	if err != nil {
		return 0, nil, &Error{Op: "build request", Err: err}
	}
	req.Header.Set("Accept", "application/json")
	// go-jira leaves the body to us when given nothing to decode into:
	// answers are decoded here, in one pass (see decodeWire).
	resp, err := c.client.Do(req, nil)
	if resp == nil {
		return 0, nil, err // transport failure: reset, timeout, refused
	}
	status, hdr = resp.StatusCode, resp.Header
	if err == nil {
		err = decodeWire(resp.Body, out)
		resp.Body.Close()
		if err == nil {
			return status, hdr, nil
		}
	}
	if status >= 200 && status <= 299 {
		if watch.err != nil {
			// The connection broke (or timed out) before the body's end:
			// a transport failure, not a malformed answer.
			return 0, nil, fmt.Errorf("read jira response: %w", watch.err)
		}
		if ct := resp.Header.Get("Content-Type"); strings.Contains(strings.ToLower(ct), "html") {
			// A login page of a single-sign-on proxy, or a web page at a
			// wrong context path: retrying cannot help.
			return status, hdr, fmt.Errorf("%w (Content-Type %q)", errHTML, ct)
		}
		return status, hdr, fmt.Errorf("malformed jira response: %w", err)
	}
	// A non-2xx: let go-jira parse Jira's errorMessages.
	jerr := jira.NewJiraError(resp, err)
	msg := ""
	var je *jira.Error
	if errors.As(jerr, &je) {
		parts := append([]string{}, je.ErrorMessages...)
		for k, v := range je.Errors {
			parts = append(parts, k+": "+v)
		}
		msg = strings.Join(parts, "; ")
	}
	if msg == "" {
		msg = http.StatusText(status)
	}
	return status, hdr, &httpStatusError{status: status, msg: c.redact(msg)}
}

// redact removes the credentials from text Jira sent back: a proxy or a
// debug page in front of it may repeat the request's Authorization header.
func (c *Connector) redact(s string) string {
	tok := c.cfg.Token.Value()
	if tok == "" {
		return s
	}
	return config.RedactSecrets(s, c.cfg.Email+":"+tok, tok)
}

// bodyWatch records why reading a response body stopped short, if it did:
// a JSON decoder reports a connection cut mid-body and a body Jira sent
// truncated alike, as an unexpected EOF.
type bodyWatch struct{ err error }

type bodyWatchKey struct{}

// watchBodies wraps a transport: the body of a response to a request whose
// context carries a *bodyWatch reports its read errors (other than the
// body's clean end) there.
type watchBodies struct{ next http.RoundTripper }

func (t watchBodies) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if w, ok := req.Context().Value(bodyWatchKey{}).(*bodyWatch); ok && resp != nil && resp.Body != nil {
		resp.Body = &watchedBody{ReadCloser: resp.Body, w: w}
	}
	return resp, err
}

type watchedBody struct {
	io.ReadCloser
	w *bodyWatch
}

func (b *watchedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF && b.w.err == nil {
		b.w.err = err
	}
	return n, err
}

// classify decides whether an attempt's failure is worth retrying, how long
// to wait (asked is the part of it Jira asked for with Retry-After or
// X-RateLimit-Reset, zero when it did not), and otherwise returns the
// permanent error to report.
func (c *Connector) classify(status int, hdr http.Header, err error, attempt int) (reason string, wait, asked time.Duration, permanent *Error) {
	backoff := c.backoff(attempt)
	var se *httpStatusError
	errors.As(err, &se)
	msg := ""
	if se != nil {
		msg = se.msg
	}
	switch {
	case status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable:
		reason = "rate_limited"
		if status == http.StatusServiceUnavailable {
			reason = "server_error"
		}
		if d, ok := retryAfter(hdr.Get("Retry-After"), c.now()); ok {
			if d <= 0 {
				return reason, backoff, 0, nil // "now": still back off a little
			}
			// Retry-After is the minimum: add a little jitter above it.
			return reason, d + time.Duration(rand.Float64()*0.1*float64(d)), d, nil
		}
		if d, ok := rateLimitReset(hdr.Get("X-RateLimit-Reset"), c.now()); ok && d > 0 {
			return reason, d, d, nil
		}
		// No wait given (or zero): back off rather than retry at once.
		return reason, backoff, 0, nil
	case status >= 500:
		return "server_error", backoff, 0, nil
	case status >= 200 && status <= 299:
		if errors.Is(err, errHTML) {
			return "", 0, 0, &Error{Message: "jira.url answered an HTML page, not Jira's REST API: check the URL, context path or single-sign-on proxy", Err: err}
		}
		var odd *json.SemanticError
		if errors.As(err, &odd) {
			// Well-formed JSON of a shape Radar cannot read: the same
			// answer comes back on every retry.
			return "", 0, 0, &Error{Status: status, Message: "jira answered in a shape Radar cannot read: " + odd.Error(), Err: err,
				Hint: "a proxy or an app in front of Jira may change its answers; if not, report this message"}
		}
		// Malformed or truncated body.
		return "truncated", backoff, 0, nil
	case status == http.StatusUnauthorized:
		return "", 0, 0, &Error{Status: status, Message: msg, Err: err,
			Hint: "check jira.email and jira.token (or RADAR_JIRA_TOKEN / jira.token_file): Cloud needs your account email plus an API token, Data Center a personal access token without email"}
	case status == http.StatusForbidden:
		return "", 0, 0, &Error{Status: status, Message: msg, Err: err,
			Hint: "the account in jira.email / jira.token may not browse these projects; check jira.projects and the account's permissions"}
	case status == http.StatusGone:
		return "", 0, 0, &Error{Status: status, Message: msg, Err: err,
			Hint: "this Jira removed the endpoint; set jira.flavor: cloud (or auto) so Radar uses /rest/api/3/search/jql"}
	case status == http.StatusNotFound:
		return "", 0, 0, &Error{Status: status, Message: msg, Err: err,
			Hint: "check jira.url and jira.projects"}
	case status >= 400:
		hint := ""
		if c.cfg.JQL != "" {
			hint = "check jira.jql: Radar ANDs it to each project's query"
		}
		return "", 0, 0, &Error{Status: status, Message: msg, Err: err, Hint: hint}
	}
	// No status: a transport failure.
	if why := unreachable(err); why != "" {
		return "", 0, 0, &Error{Err: err,
			Message: fmt.Sprintf("cannot reach jira.url %s: %s", c.siteURL(), why),
			Hint:    "check jira.url (host name, port, http or https) and that this machine can connect to it; radar serve tries again at its next scheduled sync"}
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded) {
		return "timeout", backoff, 0, nil
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return "network", backoff, 0, nil
	}
	var syn *jsontext.SyntacticError
	if errors.As(err, &syn) {
		return "truncated", backoff, 0, nil
	}
	return "network", backoff, 0, nil
}

// unreachable says why err means Jira cannot be reached at all at jira.url
// (no such host, nothing listening, a certificate this machine does not
// trust), or "" when it may be passing. Retrying those only delays the
// message the user needs.
func unreachable(err error) string {
	var dns *net.DNSError
	var unknownCA x509.UnknownAuthorityError
	var host x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	var record tls.RecordHeaderError
	switch {
	case errors.As(err, &dns):
		return "the host name does not resolve (" + dns.Error() + ")"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused: nothing listens at that host and port"
	case errors.As(err, &verify), errors.As(err, &unknownCA), errors.As(err, &host), errors.As(err, &invalid):
		return "its TLS certificate is not trusted here (" + tlsReason(err) + ")"
	case errors.As(err, &record):
		return "it does not speak TLS at that port (is it http://, or another port?)"
	}
	return ""
}

// tlsReason is the innermost message of a certificate error, without the
// request URL the HTTP client wraps around it.
func tlsReason(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err.Error()
		}
		var verify *tls.CertificateVerificationError
		if errors.As(err, &verify) && verify.Err != nil {
			return verify.Err.Error()
		}
		err = next
	}
}

// siteURL is jira.url as it may be shown: without any password.
func (c *Connector) siteURL() string {
	u, err := url.Parse(c.cfg.URL)
	if err != nil {
		return "(unparseable)"
	}
	return u.Redacted()
}

// errHTML marks a 2xx answer whose body is an HTML page.
var errHTML = errors.New("jira answered an HTML page")

// backoff is 2^attempt × base with jitter in [0.7, 1.3], capped.
func (c *Connector) backoff(attempt int) time.Duration {
	d := c.backoffBase << min(attempt, 10)
	if d > c.backoffMax {
		d = c.backoffMax
	}
	return time.Duration(float64(d) * (0.7 + 0.6*rand.Float64()))
}
