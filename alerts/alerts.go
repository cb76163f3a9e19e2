// Package alerts tells people in Slack about findings: it routes each
// finding change to the channels whose route matches, follows one problem in
// one thread (new → escalated → resolved → back again), summarises backlogs
// instead of flooding a channel, sends digests, and delivers everything
// through an outbox in the store so nothing is sent twice or dropped.
//
// It consumes domain types (radar.FindingChange, radar.Report) only: it must
// not depend on the analysis or the connector, and it never logs the Slack
// token or webhook URL.
package alerts

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/radarhq/radar/store"
)

// Audiences a route can address.
const (
	AudienceTeam = "team" // details and owners
	AudienceExec = "exec" // decisions, risk and business impact
)

// Metrics receives delivery counts. Results are "sent", "retried",
// "failed" and "permanent_error". A nil Metrics records nothing.
type Metrics interface {
	Notification(result string)
	OutboxPending(n int)
}

// Alerter plans and delivers Slack notifications. It ties the delivery
// stages together: the flush's scheduler (flush.go) sends each message
// through one attempt (attempt.go, send.go), whose failures classify
// sorts (classify.go), paced per channel (pace.go); a send whose answer
// was lost is found again by lostSends (lostsend.go); health records what
// the requests found (health.go).
type Alerter struct {
	settings Settings
	routes   []route
	st       *store.Store
	log      *slog.Logger
	now      func() time.Time
	client   *http.Client
	jiraURL  string
	// publicURL is the web UI's base URL messages link to; empty: no link.
	publicURL string
	metrics   Metrics

	api      *slack.Client // nil with a webhook
	redactor               // the secrets: token, webhookURL, signingSecret

	noTransport bool // dry runs only

	background sync.WaitGroup // work started after answering a request

	planMu  sync.Mutex // one plan at a time: plans read, then write, thread state
	flushMu sync.Mutex // one flush at a time

	retry  retryPolicy
	pace   pacer
	settle time.Duration // see WithSettleDelay
	lost   *lostSends
	health health
}

// Option configures an Alerter.
type Option func(*Alerter)

// WithLogger sets the logger; a "component" key is added.
func WithLogger(l *slog.Logger) Option { return func(a *Alerter) { a.log = l } }

// WithClock sets the clock.
func WithClock(now func() time.Time) Option { return func(a *Alerter) { a.now = now } }

// WithHTTPClient sets the HTTP client used to reach Slack.
func WithHTTPClient(c *http.Client) Option { return func(a *Alerter) { a.client = c } }

// WithJiraURL sets the Jira base URL issue links point to.
func WithJiraURL(u string) Option {
	return func(a *Alerter) { a.jiraURL = strings.TrimRight(u, "/") }
}

// WithPublicURL sets the web UI's base URL (http.public_url): each
// finding message then links to the page of its issue or release.
func WithPublicURL(u string) Option {
	return func(a *Alerter) { a.publicURL = strings.TrimRight(u, "/") }
}

// WithMetrics sets where delivery counts go.
func WithMetrics(m Metrics) Option { return func(a *Alerter) { a.metrics = m } }

// WithPacing sets the minimum gap between two messages to one channel
// (default 1s, Slack's chat.postMessage limit).
func WithPacing(d time.Duration) Option { return func(a *Alerter) { a.pace.gap = d } }

// WithoutTransport lets New succeed without a token or webhook, for dry
// runs: DryRun works, anything that would send returns an error.
func WithoutTransport() Option { return func(a *Alerter) { a.noTransport = true } }

// WithBackoff sets the retry policy for 5xx and network errors: the first
// wait, the longest wait and the attempts per message per flush (defaults
// 1s, 1m, 6). A 429 always waits its Retry-After.
func WithBackoff(first, max time.Duration, attempts int) Option {
	return func(a *Alerter) { a.retry.first, a.retry.max, a.retry.attempts = first, max, attempts }
}

// WithSettleDelay sets how long a message whose send went unanswered (a
// timeout, a 5xx, a cut connection) is left pending before it is looked for
// in Slack and perhaps sent again (default 30s). Only sends this process
// made are timed: a message left in flight by an earlier process is looked
// for on the first flush.
func WithSettleDelay(d time.Duration) Option { return func(a *Alerter) { a.settle = d } }

// New returns an Alerter for settings that are already valid (see
// Settings). It fails only when it could never send: no token or webhook
// (unless WithoutTransport), or no route.
func New(s Settings, st *store.Store, opts ...Option) (*Alerter, error) {
	a := &Alerter{
		settings: s,
		st:       st,
		log:      slog.Default(),
		now:      time.Now,
		client:   http.DefaultClient,
		retry:    retryPolicy{first: time.Second, max: time.Minute, attempts: 6, timeout: 10 * time.Second}, // well inside a 30 s shutdown grace
		pace:     pacer{gap: time.Second},
		settle:   30 * time.Second,
		redactor: redactor{token: s.Token.Value(), webhookURL: s.WebhookURL.Value(), signingSecret: s.SigningSecret.Value()},
	}
	for _, o := range opts {
		o(a)
	}
	a.log = a.log.With("component", "alerts")
	a.retry.attempts = max(a.retry.attempts, 1)
	var errs []error
	switch {
	case a.token != "":
		a.api = slack.New(a.token, slack.OptionAPIURL(s.APIURL), slack.OptionHTTPClient(a.client))
	case a.webhookURL == "" && !a.noTransport:
		errs = append(errs, errNoTransport)
	}
	if len(s.Routes) == 0 {
		errs = append(errs, errNoRoutes)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("new alerter: %w", err)
	}
	for i, r := range s.Routes {
		a.routes = append(a.routes, newRoute(i, r))
	}
	a.pace.now = a.now
	a.health = health{now: a.now, secrets: a.redactor}
	a.lost = newLostSends(a.api, a.now, a.log, &a.health, a.redactor, a.settle)
	return a, nil
}

var (
	errNoTransport = errors.New("slack: no transport; export RADAR_SLACK_TOKEN (a bot token xoxb-…) or set slack.token_file, or RADAR_SLACK_WEBHOOK_URL / slack.webhook_url for post-only alerts")
	errNoRoutes    = errors.New("slack.routes: empty; add a route such as {channel: \"#delivery\", min_severity: warning}")
)

// Webhook reports whether the alerter posts through an incoming webhook
// (no threads, no updates, no mentions) rather than a bot token.
func (a *Alerter) Webhook() bool { return a.api == nil }

func (a *Alerter) notification(result string) {
	if a.metrics != nil {
		a.metrics.Notification(result)
	}
}
