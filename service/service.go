// Package service runs Radar as a daemon: a sync on a schedule followed by
// analysis and Slack delivery, digests on their own schedules, Prometheus
// metrics and a small HTTP API. It wires the connector, analysis, alerts and
// metrics packages together and owns nothing of their logic.
package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/robfig/cron/v3"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/alerts"
	"github.com/radarhq/radar/analysis"
	"github.com/radarhq/radar/config"
	"github.com/radarhq/radar/connector"
	"github.com/radarhq/radar/metrics"
	"github.com/radarhq/radar/store"
	"github.com/radarhq/radar/webui"
)

// Options are the service's injected dependencies; zero values are defaults.
type Options struct {
	Logger *slog.Logger
	Now    func() time.Time
	// JiraHTTPClient and SlackHTTPClient carry requests to Jira and Slack.
	JiraHTTPClient  *http.Client
	SlackHTTPClient *http.Client
	// Registry receives the metrics; a new one when nil.
	Registry *prometheus.Registry
	// Listening is called with the HTTP address once the server listens.
	Listening func(addr string)
	// CycleDone is called after each sync → analysis → delivery cycle.
	CycleDone func(Cycle)
	// ShutdownGrace bounds how long shutdown waits for a running cycle;
	// default 30 s.
	ShutdownGrace time.Duration
	// ConnectorOptions and AlertOptions are appended to the defaults.
	ConnectorOptions []connector.Option
	AlertOptions     []alerts.Option
	// ReadHeaderTimeout bounds how long an HTTP client may take to send its
	// request line and headers before the connection is closed (slow
	// clients holding connections open); default 5 s.
	ReadHeaderTimeout time.Duration
}

// Cycle is the outcome of one scheduled run.
type Cycle struct {
	Sync    connector.Result
	Report  radar.Report
	Changes []radar.FindingChange
	Err     error
}

// Service is a running Radar.
type Service struct {
	cfg     *config.Config
	opts    Options
	log     *slog.Logger
	now     func() time.Time
	store   *store.Store
	conn    *connector.Connector
	alerter *alerts.Alerter // nil when Slack is not configured
	metrics *metrics.Metrics
	reg     *prometheus.Registry
	// slackOff says why alerter is nil, for /readyz.
	slackOff string
	ui       *webui.UI

	running sync.Mutex // one cycle at a time
	// The forecasts' track record, backtested at most once a day (cycle
	// only, under running).
	track   *radar.TrackRecord
	trackAt time.Time

	mu       sync.RWMutex
	report   *radar.Report
	lastSync time.Time
	health   map[string]*dependencyHealth // by metrics.Dependency*
	analysis analysisHealth

	signins signinThrottle // failed /api and /readyz sign-ins, by client
}

// New opens the store and builds the service's parts. Close it when done.
func New(ctx context.Context, cfg *config.Config, opts Options) (*Service, error) {
	s := &Service{cfg: cfg, opts: opts, log: opts.Logger, now: opts.Now, reg: opts.Registry,
		health: map[string]*dependencyHealth{}, slackOff: cfg.Slack.Off()}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.reg == nil {
		s.reg = prometheus.NewRegistry()
	}
	if s.opts.ShutdownGrace <= 0 {
		s.opts.ShutdownGrace = 30 * time.Second
	}
	if s.opts.ReadHeaderTimeout <= 0 {
		s.opts.ReadHeaderTimeout = 5 * time.Second
	}
	s.metrics = metrics.New(s.reg)
	ui, err := webui.New(webui.Options{JiraURL: cfg.Jira.URL, Token: cfg.HTTP.Token.Value(), CheckToken: func(r *http.Request, got string) bool {
		return s.checkToken(r, got, "")
	}, Logger: s.log,
		SecureCookie: strings.HasPrefix(cfg.HTTP.PublicURL, "https://"),
		Health: func(ctx context.Context) string {
			_, body := s.readiness(ctx)
			return body
		},
		Acks:         func(ctx context.Context) (map[string]radar.Ack, error) { return s.store.Acks(ctx) },
		StatusReport: s.pageReport, Now: s.now})
	if err != nil {
		return nil, fmt.Errorf("web ui: %w", err)
	}
	s.ui = ui
	st, err := store.Open(ctx, cfg.Store.Path, store.WithClock(s.now))
	if err != nil {
		return nil, err
	}
	s.store = st
	copts := append([]connector.Option{connector.WithLogger(s.log), connector.WithClock(s.now), connector.WithMetrics(s.metrics)},
		opts.ConnectorOptions...)
	if s.conn, err = connector.New(connector.SettingsFrom(cfg.Jira), st, opts.JiraHTTPClient, copts...); err != nil {
		st.Close()
		return nil, err
	}
	switch {
	case s.slackOff != "" && (cfg.Slack.Token != "" || cfg.Slack.WebhookURL != ""):
		// Set up but told nowhere to post (deploy/compose.yaml's first
		// start): Validate accepts it, and Radar runs without Slack.
		s.log.Warn("slack "+s.slackOff, "component", "service")
	case s.slackOff == "":
		aopts := append([]alerts.Option{alerts.WithLogger(s.log), alerts.WithClock(s.now), alerts.WithMetrics(s.metrics),
			alerts.WithJiraURL(cfg.Jira.URL), alerts.WithPublicURL(cfg.HTTP.PublicURL)}, opts.AlertOptions...)
		if opts.SlackHTTPClient != nil {
			aopts = append(aopts, alerts.WithHTTPClient(opts.SlackHTTPClient))
		}
		if s.alerter, err = alerts.New(alerts.NewSettings(cfg.Slack), st, aopts...); err != nil {
			st.Close()
			return nil, err
		}
	}
	if run, ok, err := st.LastSuccessfulSync(ctx); err == nil && ok {
		s.lastSync = run.FinishedAt
		s.health[metrics.DependencyJira] = &dependencyHealth{lastSuccess: run.FinishedAt}
		s.metrics.SetLastSyncSuccess(run.FinishedAt)
		s.metrics.SetDependencyLastSuccess(metrics.DependencyJira, run.FinishedAt)
	}
	if n, err := st.PendingOutboxCount(ctx); err == nil {
		s.metrics.OutboxPending(n)
	}
	return s, nil
}

// Close closes the store.
func (s *Service) Close() error { return s.store.Close() }

// Store returns the service's store (for tools and tests).
func (s *Service) Store() *store.Store { return s.store }

// AnalysisOptions maps the analysis configuration to analysis.Options.
func AnalysisOptions(cfg *config.Config, now time.Time) analysis.Options {
	return analysis.Options{
		Now:            now,
		StaleAfter:     cfg.Analysis.StaleAfter,
		AbandonedAfter: cfg.Analysis.AbandonedAfter,
		ReopenedWindow: cfg.Analysis.ReopenedWindow,
		WIPLimit:       cfg.Analysis.WIPLimit,
		OverrunRatio:   cfg.Analysis.OverrunRatio,
		Trials:         cfg.Analysis.Trials,
		Seed:           cfg.Analysis.Seed,
		History:        cfg.Analysis.History,
	}
}

// trackRecordEvery is how often the service backtests its forecasts: the
// track record moves only as versions finish.
const trackRecordEvery = 24 * time.Hour

// TrackRecord backtests the forecasts on the snapshot's own history (see
// analysis.Backtest) and returns the summary the forecasts carry.
func TrackRecord(snap radar.Snapshot, opts analysis.Options) *radar.TrackRecord {
	tr := analysis.Backtest(snap, analysis.BacktestOptions{Analysis: opts}).TrackRecord()
	return &tr
}

// refreshTrackRecord keeps the forecasts' track record at most a day old:
// the one recorded last (by a previous run or radar backtest) while it is
// fresh, else a new backtest, recorded for the next start.
func (s *Service) refreshTrackRecord(ctx context.Context, snap radar.Snapshot, opts analysis.Options, at time.Time) {
	if s.track == nil {
		if tr, when, ok, err := s.store.LastTrackRecord(ctx); err != nil {
			s.log.Warn("read the forecast track record", "component", "service", "err", err)
		} else if ok {
			s.track, s.trackAt = &tr, when
		}
	}
	if s.track != nil && at.Sub(s.trackAt) < trackRecordEvery {
		return
	}
	s.track, s.trackAt = TrackRecord(snap, opts), at
	if err := s.store.SaveTrackRecord(ctx, at, *s.track); err != nil {
		s.log.Warn("record the forecast track record", "component", "service", "err", err)
	}
}

// Run serves HTTP, runs a first cycle at once and then on schedule, and
// returns when ctx ends, after letting a running cycle finish (bounded by
// the shutdown grace: the sync is then cancelled and rolls back cleanly).
func (s *Service) Run(ctx context.Context) error {
	// One service per database: two would schedule the same work twice.
	lock, err := s.store.TryLock(store.LockServe)
	if errors.Is(err, store.ErrLocked) {
		return fmt.Errorf("another radar serve is running on %s (store.path); stop it or give this one its own database", s.cfg.Store.Path)
	}
	if err != nil {
		return err
	}
	defer lock.Unlock()
	ln, err := net.Listen("tcp", s.cfg.HTTP.Listen)
	if err != nil {
		return fmt.Errorf("http.listen %s: %w (set http.listen, or the demo's --listen, to a free address)", s.cfg.HTTP.Listen, err)
	}
	srv := NewHTTPServer(s.Handler(), s.opts.ReadHeaderTimeout)
	httpDone := make(chan error, 1)
	go func() { httpDone <- srv.Serve(ln) }()
	s.log.Info("radar listening", "component", "service", "addr", ln.Addr().String())
	if ta, ok := ln.Addr().(*net.TCPAddr); ok && !ta.IP.IsLoopback() && s.cfg.HTTP.Token == "" {
		s.log.Warn("the /api endpoints and the web UI answer anyone who can reach this address, and findings name assignees (with emails where Jira shows them); set http.token or RADAR_HTTP_TOKEN",
			"component", "service", "addr", ln.Addr().String())
	}
	if s.opts.Listening != nil {
		s.opts.Listening(ln.Addr().String())
	}

	// Jobs run under jobCtx, which outlives ctx by the shutdown grace.
	jobCtx, cancelJobs := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelJobs()
	c := cron.New(cron.WithLogger(cronLogger{s.log}), cron.WithChain(cron.Recover(cronLogger{s.log}), cron.SkipIfStillRunning(cronLogger{s.log})))
	if _, err := c.AddFunc(s.cfg.Schedule.Sync, func() { s.RunCycle(jobCtx) }); err != nil {
		ln.Close()
		return fmt.Errorf("schedule.sync %q: %w", s.cfg.Schedule.Sync, err)
	}
	if s.alerter != nil {
		// Each route's digest and status report, on the route's schedules.
		for _, job := range []struct {
			key  string
			spec func(route int) string
			run  func(ctx context.Context, route int)
		}{
			{"digest", s.alerter.DigestSpec, s.runDigest},
			{"report", s.alerter.ReportSpec, s.runReport},
		} {
			for i := 0; i < s.alerter.Routes(); i++ {
				spec := job.spec(i)
				if spec == "" {
					continue
				}
				if _, err := c.AddFunc(spec, func() { job.run(jobCtx, i) }); err != nil {
					ln.Close()
					return fmt.Errorf("slack.routes[%d].%s %q: %w", i, job.key, spec, err)
				}
			}
		}
	}
	c.Start()
	first := make(chan struct{})
	go func() {
		defer close(first)
		defer func() {
			if r := recover(); r != nil {
				s.log.Error("first cycle panicked", "component", "service", "panic", r)
			}
		}()
		s.RunCycle(jobCtx)
	}()

	var runErr error
	select {
	case <-ctx.Done():
	case err := <-httpDone:
		runErr = fmt.Errorf("http server: %w", err)
	}
	s.log.Info("shutting down", "component", "service", "grace", s.opts.ShutdownGrace)
	// Cancel the running cycle at once: a sync stops at its next request,
	// commits the pages it holds and leaves its watermark where the data
	// ends, so the next start resumes with nothing lost.
	cancelJobs()
	stopped := c.Stop() // no new jobs; done when running ones end
	grace := time.NewTimer(s.opts.ShutdownGrace)
	defer grace.Stop()
	for _, done := range []<-chan struct{}{stopped.Done(), first} {
		select {
		case <-done:
		case <-grace.C:
			s.log.Warn("grace period over; exiting with a cycle still running", "component", "service")
			runErr = errors.Join(runErr, errors.New("shutdown grace period exceeded"))
			goto shut
		}
	}
shut:
	shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil && runErr == nil {
		runErr = err
	}
	// Clicks answered before the shutdown finish their Slack updates.
	actions := make(chan struct{})
	go func() { s.WaitActions(); close(actions) }()
	select {
	case <-actions:
	case <-shutCtx.Done():
		s.log.Warn("exiting with a Slack update still running; it is in the outbox and goes out on the next start", "component", "service")
	}
	return runErr
}

// RunCycle syncs, analyses, records findings and delivers alerts once. A
// cycle that finds another running skips.
func (s *Service) RunCycle(ctx context.Context) Cycle {
	var cyc Cycle
	if !s.running.TryLock() {
		s.log.Info("previous cycle still running; skipping", "component", "service")
		cyc.Err = errors.New("skipped: a cycle is running")
		return cyc
	}
	defer s.running.Unlock()
	cyc = s.cycle(ctx)
	switch {
	case cyc.Err != nil && ctx.Err() != nil:
		s.log.Info("cycle interrupted by shutdown; the next start resumes", "component", "service", "err", cyc.Err)
	case cyc.Err != nil && store.IsDamaged(cyc.Err):
		s.log.Error("cycle failed", "component", "service", "err", cyc.Err, "fix", store.DamagedHint)
	case cyc.Err != nil:
		s.log.Error("cycle failed", "component", "service", "err", cyc.Err)
	}
	if s.opts.CycleDone != nil {
		s.opts.CycleDone(cyc)
	}
	return cyc
}

func (s *Service) cycle(ctx context.Context) Cycle {
	var cyc Cycle
	start := s.now()
	res, err := s.conn.Sync(ctx, false)
	cyc.Sync = res
	s.metrics.SyncFinished(start, res.Duration, res.Issues, err)
	// A sync cut short by shutdown, or one that found another sync running,
	// says nothing about Jira; nor does one the damaged database failed,
	// which fails the analysis instead.
	damaged := store.IsDamaged(err)
	if ctx.Err() == nil && !damaged && !errors.Is(err, store.ErrLocked) {
		s.recordDependency(metrics.DependencyJira, s.now(), err)
	}
	if damaged {
		s.recordAnalysis(s.now(), err)
	}
	if err != nil {
		cyc.Err = fmt.Errorf("sync: %w", err)
		// Slack may be fine while Jira is not: send what is pending.
		if s.alerter != nil && ctx.Err() == nil {
			ferr := s.alerter.Flush(ctx)
			s.recordSlack(ctx)
			if ferr != nil {
				cyc.Err = errors.Join(cyc.Err, fmt.Errorf("deliver pending alerts: %w", ferr))
			}
		}
		return cyc
	}
	s.mu.Lock()
	s.lastSync = s.now()
	s.mu.Unlock()
	s.log.Info("synced", "component", "service", "issues", res.Issues, "links", res.Links, "changes", res.Changes,
		"removed", res.Removed, "requests", res.Requests, "retries", res.Retries, "duration", res.Duration)

	at := s.now()
	snap, err := s.store.LoadSnapshot(ctx)
	if err != nil {
		cyc.Err = fmt.Errorf("load snapshot: %w", err)
		if ctx.Err() == nil {
			s.recordAnalysis(s.now(), cyc.Err)
		}
		return cyc
	}
	opts := AnalysisOptions(s.cfg, at)
	s.refreshTrackRecord(ctx, snap, opts, at)
	opts.TrackRecord = s.track
	pass := Pass{Store: s.store, Alerter: s.alerter,
		Analysed: func(report radar.Report) {
			s.metrics.AnalysisFinished(s.now().Sub(at))
			s.metrics.SetAnalysis(metrics.FromReport(report, snap.Issues))
			s.mu.Lock()
			s.report = &report
			s.mu.Unlock()
			s.ui.Update(snap, report)
		},
		Recorded: func(err error) {
			if err == nil || ctx.Err() == nil {
				s.recordAnalysis(s.now(), err)
			}
			if err == nil {
				s.updateUnowned(ctx)
			}
		},
		Delivered: func() { s.recordSlack(ctx) },
	}
	ps := pass.Run(ctx, snap, opts)
	cyc.Report, cyc.Changes, cyc.Err = ps.Report, ps.Changes, ps.Err
	return cyc
}

// latestReport is the latest analysis; nil before the first.
func (s *Service) latestReport() *radar.Report {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.report
}

func (s *Service) runDigest(ctx context.Context, route int) {
	r := s.latestReport()
	if r == nil {
		s.log.Info("no analysis yet; digest skipped", "component", "service", "route", route)
		return
	}
	err := s.alerter.Digest(ctx, route, *r)
	s.recordSlack(ctx)
	if err != nil {
		s.log.Error("digest failed", "component", "service", "route", route, "err", err)
	}
}

// recordSlack notes Slack's health after a delivery, unless shutdown cut
// it short. Health is whether Slack answers and takes
// Radar's credentials, as the alerter's last request found it (no answer, a
// 5xx, rate limits given up on, refused credentials): a message Slack
// refuses for itself (msg_too_long), a channel it refuses, or a store error
// fail the delivery, and leave Slack up. Its last success is when Slack
// last answered, not the delivery's time: a delivery with nothing to send
// asks Slack nothing. A delivery that never reached Slack leaves its
// health as it was.
func (s *Service) recordSlack(ctx context.Context) {
	if ctx.Err() != nil {
		return
	}
	lastOK, down := s.alerter.Health()
	switch {
	case down != nil:
		s.recordDependency(metrics.DependencySlack, s.now(), down)
	case !lastOK.IsZero():
		s.recordDependency(metrics.DependencySlack, lastOK, nil)
	}
}

// cronLogger adapts slog to cron's logger.
type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) {
	c.l.Debug("cron: "+msg, append([]any{"component", "cron"}, kv...)...)
}
func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error("cron: "+msg, append([]any{"component", "cron", "err", err}, kv...)...)
}
