// Package metrics exposes Radar's Prometheus metrics: the state found by the
// latest analysis (findings, blocked issues, release forecasts) and the health
// of the moving parts (Jira sync, analysis, Slack delivery).
//
// Everything is registered on a registry the caller injects; nothing touches
// prometheus.DefaultRegisterer. Metric names and label sets are a contract
// shared with deploy/grafana and deploy/prometheus: labels carry only
// bounded values (project keys, finding kinds, severities, status
// categories, names of unreleased versions, HTTP status codes and fixed
// reason/result words), never issue keys, summaries, people or user ids.
//
// The package does no I/O of its own beyond serving scrapes through Handler.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promauto"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Retry reasons accepted by JiraRetry. Any other reason is counted as
// ReasonOther so the label stays bounded.
const (
	ReasonRateLimited = "rate_limited"
	ReasonServerError = "server_error"
	ReasonNetwork     = "network"
	ReasonTimeout     = "timeout"
	ReasonTruncated   = "truncated"
	ReasonOther       = "other"
)

// Notification results accepted by Notification. Any other result is counted
// as ResultOther so the label stays bounded.
const (
	ResultSent           = "sent"
	ResultRetried        = "retried"
	ResultFailed         = "failed"
	ResultPermanentError = "permanent_error"
	ResultOther          = "other"
)

// Dependencies accepted by DependencyResult and SetDependencyLastSuccess,
// the services Radar needs: Jira to sync from, Slack to alert in. Reports
// about any other name are ignored so the label stays bounded.
const (
	DependencyJira  = "jira"
	DependencySlack = "slack"
)

// CodeError is the code label JiraRequest uses for requests that got no HTTP
// response (transport failures). Anything that is not an HTTP status code
// (100–599) is counted under it too.
const CodeError = "error"

// retryReasons and notificationResults list the label values pre-initialised
// to zero, in a stable order. ReasonOther and ResultOther appear only once
// something unexpected was reported.
var (
	retryReasons        = []string{ReasonRateLimited, ReasonServerError, ReasonNetwork, ReasonTimeout, ReasonTruncated}
	notificationResults = []string{ResultSent, ResultRetried, ResultFailed, ResultPermanentError}
)

// Metrics holds Radar's collectors. All methods are safe for concurrent use.
type Metrics struct {
	reg      *prometheus.Registry
	analysis *analysisCollector

	syncLastSuccess   prometheus.Gauge
	syncDuration      prometheus.Histogram
	syncIssues        prometheus.Counter
	syncFailures      prometheus.Counter
	jiraRequests      *prometheus.CounterVec
	jiraRetries       *prometheus.CounterVec
	analysisDuration  prometheus.Histogram
	analysisFailures  prometheus.Counter
	slackNotification *prometheus.CounterVec
	slackOutbox       prometheus.Gauge
	dependencyUp      *prometheus.GaugeVec
	dependencySuccess *prometheus.GaugeVec
	unowned           *prometheus.GaugeVec
}

// New registers Radar's metrics, the Go runtime collector and the process
// collector on reg and returns the hooks that update them.
//
// New takes a *prometheus.Registry rather than a bare Registerer because the
// same registry also gathers for Handler; pass prometheus.NewRegistry(), one
// per Metrics. It panics if reg already holds any of these metrics, as
// promauto does: registering twice is a programming error.
func New(reg *prometheus.Registry) *Metrics {
	f := promauto.With(reg)
	m := &Metrics{
		reg:      reg,
		analysis: newAnalysisCollector(),
		syncLastSuccess: f.NewGauge(prometheus.GaugeOpts{
			Name: "radar_sync_last_success_timestamp_seconds",
			Help: "Unix time at which the last successful Jira sync finished; 0 before the first.",
		}),
		syncDuration: f.NewHistogram(prometheus.HistogramOpts{
			Name:    "radar_sync_duration_seconds",
			Help:    "Duration of Jira syncs, successful or not.",
			Buckets: []float64{1, 2.5, 5, 10, 30, 60, 120, 300, 600, 900, 1200, 1800},
		}),
		syncIssues: f.NewCounter(prometheus.CounterOpts{
			Name: "radar_sync_issues_total",
			Help: "Issues written to the store by successful Jira syncs.",
		}),
		syncFailures: f.NewCounter(prometheus.CounterOpts{
			Name: "radar_sync_failures_total",
			Help: "Jira syncs that ended with an error.",
		}),
		jiraRequests: f.NewCounterVec(prometheus.CounterOpts{
			Name: "radar_jira_requests_total",
			Help: "HTTP requests sent to Jira, by response status code (\"error\" when no response came).",
		}, []string{"code"}),
		jiraRetries: f.NewCounterVec(prometheus.CounterOpts{
			Name: "radar_jira_retries_total",
			Help: "Jira requests retried, by reason (rate_limited, server_error, network, timeout, truncated).",
		}, []string{"reason"}),
		analysisDuration: f.NewHistogram(prometheus.HistogramOpts{
			Name:    "radar_analysis_duration_seconds",
			Help:    "Duration of analysis runs (graph analysis and release forecasts).",
			Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300},
		}),
		analysisFailures: f.NewCounter(prometheus.CounterOpts{
			Name: "radar_analysis_failures_total",
			Help: "Analyses that failed: the synced data could not be loaded, or the findings not recorded (a damaged or unwritable database).",
		}),
		slackNotification: f.NewCounterVec(prometheus.CounterOpts{
			Name: "radar_slack_notifications_total",
			Help: "Slack notification attempts, by result (sent, retried, failed, permanent_error).",
		}, []string{"result"}),
		slackOutbox: f.NewGauge(prometheus.GaugeOpts{
			Name: "radar_slack_outbox_pending",
			Help: "Slack notifications waiting in the outbox to be delivered.",
		}),
		dependencyUp: f.NewGaugeVec(prometheus.GaugeOpts{
			Name: "radar_dependency_up",
			Help: "Whether a dependency answers Radar: 1 up, 0 failing (jira: the last sync succeeded; slack: the last request was answered and the credentials taken). Absent until the first exchange.",
		}, []string{"dependency"}),
		dependencySuccess: f.NewGaugeVec(prometheus.GaugeOpts{
			Name: "radar_dependency_last_success_timestamp_seconds",
			Help: "Unix time of Radar's last successful exchange with a dependency (jira: a sync finished; slack: Slack last answered a request).",
		}, []string{"dependency"}),
		unowned: f.NewGaugeVec(prometheus.GaugeOpts{
			Name: "radar_findings_unowned",
			Help: "Open findings nobody has acknowledged (owned), by project and severity; findings marked not a risk do not count.",
		}, []string{"project", "severity"}),
	}
	reg.MustRegister(
		m.analysis,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	// Export zero for every known label value so rate() and alerts see the
	// series from the first scrape on.
	for _, r := range retryReasons {
		m.jiraRetries.WithLabelValues(r)
	}
	for _, r := range notificationResults {
		m.slackNotification.WithLabelValues(r)
	}
	return m
}

// Handler serves the registry in the Prometheus text format. Errors while
// gathering are counted in promhttp_metric_handler_errors_total on the same
// registry and answered with HTTP 500.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg, EnableOpenMetrics: false})
}

// JiraRequest counts one HTTP request to Jira. code is the response's status
// code as a string ("200", "429"), or CodeError when no response came.
func (m *Metrics) JiraRequest(code string) {
	m.jiraRequests.WithLabelValues(normaliseCode(code)).Inc()
}

// JiraRetry counts one retried Jira request. reason is one of the Reason
// constants; anything else is counted as ReasonOther.
func (m *Metrics) JiraRetry(reason string) {
	m.jiraRetries.WithLabelValues(oneOf(reason, retryReasons, ReasonOther)).Inc()
}

// SyncFinished records a Jira sync that started at start and took d. On
// success (err == nil) it sets the last success time to start+d and counts
// the issues written; on failure it counts a failure. The duration is
// observed either way.
func (m *Metrics) SyncFinished(start time.Time, d time.Duration, issues int, err error) {
	m.syncDuration.Observe(d.Seconds())
	if err != nil {
		m.syncFailures.Inc()
		return
	}
	m.syncLastSuccess.Set(seconds(start.Add(d)))
	if issues > 0 {
		m.syncIssues.Add(float64(issues))
	}
}

// SetLastSyncSuccess sets the last successful sync time without counting a
// sync. The service calls it at start-up with the time recorded in the store,
// so a restart does not look like a stale sync.
func (m *Metrics) SetLastSyncSuccess(t time.Time) {
	if t.IsZero() {
		return
	}
	m.syncLastSuccess.Set(seconds(t))
}

// AnalysisFinished records the duration of one analysis run. The duration is
// a histogram, so rate(_sum)/rate(_count) gives the mean and
// histogram_quantile the tail; the latest run's figures are in SetAnalysis.
func (m *Metrics) AnalysisFinished(d time.Duration) {
	m.analysisDuration.Observe(d.Seconds())
}

// AnalysisFailed counts one analysis that failed.
func (m *Metrics) AnalysisFailed() {
	m.analysisFailures.Inc()
}

// Notification counts one Slack notification attempt. result is one of the
// Result constants; anything else is counted as ResultOther.
func (m *Metrics) Notification(result string) {
	m.slackNotification.WithLabelValues(oneOf(result, notificationResults, ResultOther)).Inc()
}

// OutboxPending sets the number of Slack notifications waiting for delivery.
func (m *Metrics) OutboxPending(n int) {
	m.slackOutbox.Set(float64(n))
}

// DependencyResult records the outcome of an exchange with a dependency
// (DependencyJira or DependencySlack) finished at at: up is 1 when err is
// nil, and the last success time moves to at; else up is 0. Other
// dependency names are ignored.
func (m *Metrics) DependencyResult(dependency string, at time.Time, err error) {
	if dependency != DependencyJira && dependency != DependencySlack {
		return
	}
	if err != nil {
		m.dependencyUp.WithLabelValues(dependency).Set(0)
		return
	}
	m.dependencyUp.WithLabelValues(dependency).Set(1)
	m.dependencySuccess.WithLabelValues(dependency).Set(seconds(at))
}

// SetDependencyLastSuccess sets a dependency's last success time without
// saying whether it is up, as the service does at start-up from the store.
// A zero time and other dependency names are ignored.
func (m *Metrics) SetDependencyLastSuccess(dependency string, t time.Time) {
	if t.IsZero() || (dependency != DependencyJira && dependency != DependencySlack) {
		return
	}
	m.dependencySuccess.WithLabelValues(dependency).Set(seconds(t))
}

// SetAnalysis replaces the analysis snapshot the next scrapes report. Series
// of projects, kinds or versions absent from s disappear at once.
func (m *Metrics) SetAnalysis(s AnalysisSnapshot) {
	m.analysis.set(s)
}

func normaliseCode(code string) string {
	n, err := strconv.Atoi(code)
	if err != nil || n < 100 || n > 599 || len(code) != 3 {
		return CodeError
	}
	return code
}

func oneOf(v string, allowed []string, other string) string {
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	return other
}

// seconds converts t to fractional Unix seconds, the unit of every
// *_timestamp_seconds metric.
func seconds(t time.Time) float64 {
	return float64(t.UnixNano()) / 1e9
}
