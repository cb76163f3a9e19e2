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
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/config"
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

// Alerter plans and delivers Slack notifications.
type Alerter struct {
	cfg     config.Slack
	routes  []route
	st      *store.Store
	log     *slog.Logger
	now     func() time.Time
	client  *http.Client
	jiraURL string
	// publicURL is the web UI's base URL messages link to; empty: no link.
	publicURL string
	metrics   Metrics

	pace        time.Duration // minimum gap between two sends to one channel
	backoff     time.Duration // first retry wait after a 5xx or network error
	maxBackoff  time.Duration
	maxAttempts int // per message per flush, for 5xx and network errors
	// requestTimeout bounds one Slack request. Requests do not inherit the
	// caller's cancellation: a shutdown must not abort a message Slack may
	// already have accepted.
	requestTimeout time.Duration

	api        *slack.Client // nil with a webhook
	token      string        // secret
	webhookURL string        // secret
	// signingSecret verifies Slack's interaction requests (secret); with
	// it, finding messages carry buttons.
	signingSecret string

	background sync.WaitGroup // work started after answering a request

	noTransport bool // dry runs only

	planMu   sync.Mutex // one plan at a time: plans read, then write, thread state
	flushMu  sync.Mutex
	lastSend map[string]time.Time // by channel

	// Guarded by flushMu: what finding a cut-off send needs.
	channelIDs map[string]string // channel as configured (#name or id) -> id
	warnedLook map[string]bool   // lookup problems already logged, by code
	// settle is how long after an unanswered send its message is left alone
	// before it is looked for (and perhaps sent again): Slack may still be
	// processing the post, and its history may lag.
	settle    time.Duration
	lastTry   map[int64]time.Time // outbox id -> this process's last unanswered send
	lookFails map[int64]int       // outbox id -> failed lookups in this process

	healthMu  sync.Mutex
	healthOK  time.Time // when Slack last answered a request
	healthErr error     // the last request's transport failure; nil once Slack answers
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
func WithPacing(d time.Duration) Option { return func(a *Alerter) { a.pace = d } }

// WithoutTransport lets New succeed without a token or webhook, for dry
// runs: DryRun works, anything that would send returns an error.
func WithoutTransport() Option { return func(a *Alerter) { a.noTransport = true } }

// WithBackoff sets the retry policy for 5xx and network errors: the first
// wait, the longest wait and the attempts per message per flush (defaults
// 1s, 1m, 6). A 429 always waits its Retry-After.
func WithBackoff(first, max time.Duration, attempts int) Option {
	return func(a *Alerter) { a.backoff, a.maxBackoff, a.maxAttempts = first, max, attempts }
}

// WithSettleDelay sets how long a message whose send went unanswered (a
// timeout, a 5xx, a cut connection) is left pending before it is looked for
// in Slack and perhaps sent again (default 30s). Only sends this process
// made are timed: a message left in flight by an earlier process is looked
// for on the first flush.
func WithSettleDelay(d time.Duration) Option { return func(a *Alerter) { a.settle = d } }

// New returns an Alerter for the Slack configuration. The token (or the
// webhook URL) comes from the config value or its *_file; with neither it
// returns an error saying what to set.
func New(cfg config.Slack, st *store.Store, opts ...Option) (*Alerter, error) {
	a := &Alerter{
		cfg:            cfg,
		st:             st,
		log:            slog.Default(),
		now:            time.Now,
		client:         http.DefaultClient,
		pace:           time.Second,
		backoff:        time.Second,
		maxBackoff:     time.Minute,
		maxAttempts:    6,
		requestTimeout: 10 * time.Second, // well inside a 30 s shutdown grace
		lastSend:       map[string]time.Time{},
		channelIDs:     map[string]string{},
		warnedLook:     map[string]bool{},
		settle:         30 * time.Second,
		lastTry:        map[int64]time.Time{},
		lookFails:      map[int64]int{},
	}
	for _, o := range opts {
		o(a)
	}
	a.log = a.log.With("component", "alerts")
	if a.cfg.MaxIndividual <= 0 {
		a.cfg.MaxIndividual = 10
	}
	if a.cfg.APIURL == "" {
		a.cfg.APIURL = slack.APIURL
	}
	if !strings.HasSuffix(a.cfg.APIURL, "/") {
		a.cfg.APIURL += "/"
	}
	if a.cfg.AckReminder <= 0 {
		a.cfg.AckReminder = 7 * 24 * time.Hour
	}
	if a.maxAttempts <= 0 {
		a.maxAttempts = 1
	}
	var errs []error
	token, err := secret(cfg.Token, cfg.TokenFile, "slack.token_file")
	if err != nil {
		errs = append(errs, err)
	}
	hook, err := secret(cfg.WebhookURL, cfg.WebhookURLFile, "slack.webhook_url_file")
	if err != nil {
		errs = append(errs, err)
	}
	if a.signingSecret, err = secret(cfg.SigningSecret, cfg.SigningSecretFile, "slack.signing_secret_file"); err != nil {
		errs = append(errs, err)
	}
	switch {
	case token != "":
		a.token = token
		a.api = slack.New(token, slack.OptionAPIURL(a.cfg.APIURL), slack.OptionHTTPClient(a.client))
	case hook != "":
		a.webhookURL = hook
	case len(errs) == 0 && !a.noTransport:
		errs = append(errs, errNoTransport)
	}
	byKey := map[string]int{}
	for i, rc := range cfg.Routes {
		r, err := newRoute(i, rc, a.api == nil)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if j, dup := byKey[r.key]; dup {
			// Threads are kept by channel and audience: the routes would share them.
			errs = append(errs, fmt.Errorf("slack.routes[%d]: same channel and audience as slack.routes[%d]; merge them: list both projects in one route", i, j))
			continue
		}
		byKey[r.key] = i
		a.routes = append(a.routes, r)
	}
	if len(cfg.Routes) == 0 {
		errs = append(errs, errors.New("slack.routes: empty; add a route such as {channel: \"#delivery\", min_severity: warning}"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("new alerter: %w", err)
	}
	return a, nil
}

var errNoTransport = errors.New("slack: no transport; export RADAR_SLACK_TOKEN (a bot token xoxb-…) or set slack.token_file, or RADAR_SLACK_WEBHOOK_URL / slack.webhook_url for post-only alerts")

// secret returns the value, or the trimmed content of file when the value
// is empty. Errors name the key, never the secret.
func secret(v config.Secret, file, key string) (string, error) {
	if v.Value() != "" || file == "" {
		return strings.TrimSpace(v.Value()), nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("%s: %w; check the path and its permissions", key, err)
	}
	return strings.TrimSpace(string(b)), nil
}

// Webhook reports whether the alerter posts through an incoming webhook
// (no threads, no updates, no mentions) rather than a bot token.
func (a *Alerter) Webhook() bool { return a.api == nil }

// route is one configured route, ready to match.
type route struct {
	index    int
	key      string // stable name in the store: channel and audience
	channel  string
	audience string
	minRank  int
	projects map[string]bool
	kinds    map[string]bool
	digest   string
	report   string // cron spec of the route's status report
}

func newRoute(i int, rc config.Route, webhook bool) (route, error) {
	r := route{index: i, channel: rc.Channel, audience: rc.Audience, digest: rc.Digest, report: rc.Report}
	var errs []error
	if r.channel == "" {
		if !webhook {
			errs = append(errs, fmt.Errorf("slack.routes[%d].channel: empty; set the channel id (C…) or #name", i))
		}
		r.channel = "webhook"
	}
	switch r.audience {
	case "":
		r.audience = AudienceTeam
	case AudienceTeam, AudienceExec:
	default:
		errs = append(errs, fmt.Errorf("slack.routes[%d].audience: %q; use team or exec", i, rc.Audience))
	}
	sev := radar.Severity(rc.MinSeverity)
	if sev == "" {
		sev = radar.SeverityWarning
	}
	if r.minRank = sev.Rank(); r.minRank == 0 {
		errs = append(errs, fmt.Errorf("slack.routes[%d].min_severity: %q; use info, warning or critical", i, rc.MinSeverity))
	}
	for _, k := range rc.Kinds {
		if !slices.Contains(radar.Kinds, radar.Kind(k)) {
			errs = append(errs, fmt.Errorf("slack.routes[%d].kinds: unknown kind %q; known kinds: %s", i, k, strings.Join(radar.KindNames(), ", ")))
		}
	}
	r.projects = set(rc.Projects)
	r.kinds = set(rc.Kinds)
	r.key = r.channel + "|" + r.audience
	return r, errors.Join(errs...)
}

func set(xs []string) map[string]bool {
	if len(xs) == 0 {
		return nil
	}
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// inScope reports whether the route covers the finding's project and kind,
// whatever its severity.
func (r route) inScope(f radar.Finding) bool {
	return (r.projects == nil || r.projects[f.Project]) && (r.kinds == nil || r.kinds[string(f.Kind)])
}

// matches reports whether the route wants to hear about the finding now.
func (r route) matches(f radar.Finding) bool {
	return r.inScope(f) && f.Severity.Rank() >= r.minRank
}

func (a *Alerter) notification(result string) {
	if a.metrics != nil {
		a.metrics.Notification(result)
	}
}
