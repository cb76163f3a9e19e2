// Package connector syncs Jira Cloud and Data Center into the store: issues,
// dependency links, full changelogs, sprints, versions and statuses. It
// fetches one-page id ranges side by side, paced by Jira's own rate limit
// signals under a configured cap, survives rate limits and faults with
// retries that end, and advances a scope's watermark only in
// the transaction that lands the last of the data it covers.
package connector

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	jira "github.com/andygrunwald/go-jira"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/internal/wait"
	"github.com/radarhq/radar/store"
)

// Connector syncs one Jira site into one store.
type Connector struct {
	cfg         Settings
	client      *jira.Client
	store       *store.Store
	log         *slog.Logger
	now         func() time.Time
	metrics     Metrics
	pace        *pacer
	waitNow     func() time.Time
	sleep       func(context.Context, time.Duration) error
	progress    *progressReporter
	backoffBase time.Duration
	backoffMax  time.Duration
	batchSize   int

	requests atomic.Int64
	retries  atomic.Int64
	skipped  atomic.Int64
	listed   atomic.Int64 // ids listed by full fetches, the progress total
	fetched  atomic.Int64 // issues fetched and handed to the writer

	mu   sync.Mutex
	site *site // discovered site metadata, refreshed with reconciliation
}

type site struct {
	cloud        bool
	mapper       *mapper
	fieldList    []string // fields asked of search
	discoveredAt time.Time
}

// Option configures a Connector.
type Option func(*Connector)

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(c *Connector) { c.log = l } }

// WithClock sets the clock.
func WithClock(now func() time.Time) Option { return func(c *Connector) { c.now = now } }

// WithMetrics sets where request and retry counts go.
func WithMetrics(m Metrics) Option { return func(c *Connector) { c.metrics = m } }

// WithBackoff sets the base and cap of the exponential backoff (defaults 2 s
// and 1 min, as Atlassian advises); tests shorten them.
func WithBackoff(base, max time.Duration) Option {
	return func(c *Connector) { c.backoffBase, c.backoffMax = base, max }
}

// WithWaits sets the clock and the sleep the connector paces requests and
// waits between retries with (default: the real ones). Tests pass a fake
// clock whose sleep records the wait and moves the clock on. It is not the
// sync's clock (WithClock), which stamps data and renders query windows.
func WithWaits(now func() time.Time, sleep func(ctx context.Context, d time.Duration) error) Option {
	return func(c *Connector) { c.waitNow, c.sleep = now, sleep }
}

// WithProgress sends the sync's progress to report every interval, and
// once more when the sync ends, instead of logging it at INFO.
func WithProgress(every time.Duration, report func(Progress)) Option {
	return func(c *Connector) { c.progress = &progressReporter{every: every, report: report, final: true} }
}

// WithBatchSize sets how many issues the writer puts in one transaction.
func WithBatchSize(n int) Option { return func(c *Connector) { c.batchSize = n } }

// New returns a connector for cfg, settings config.Validate accepted,
// writing into site. httpClient may be nil; its transport is wrapped with the
// configured authentication.
func New(cfg Settings, st *store.Store, httpClient *http.Client, opts ...Option) (*Connector, error) {
	var base http.RoundTripper
	if httpClient != nil && httpClient.Transport != nil {
		base = httpClient.Transport
	} else {
		// Keep a connection per request slot: the default keeps two, so
		// every other request of a sync would open a new connection (a
		// TLS handshake and its round trips, on a real site).
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = max(cfg.Concurrency, cloudConcurrency)
		base = t
	}
	// Response bodies tell a connection cut mid-body from a malformed one.
	base = watchBodies{next: base}
	var rt http.RoundTripper = base
	switch {
	case cfg.Email != "" && cfg.Token != "":
		rt = &jira.BasicAuthTransport{Username: cfg.Email, Password: cfg.Token.Value(), Transport: base}
	case cfg.Token != "":
		rt = &jira.PATAuthTransport{Token: cfg.Token.Value(), Transport: base}
	}
	hc := &http.Client{Transport: rt}
	client, err := jira.NewClient(hc, cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("jira.url: %q is not a valid URL: %w", cfg.URL, err)
	}
	c := &Connector{
		cfg: cfg, client: client, store: st, log: slog.New(slog.DiscardHandler), now: time.Now,
		metrics: noMetrics{}, backoffBase: 2 * time.Second, backoffMax: time.Minute, batchSize: 500, waitNow: time.Now, sleep: wait.Sleep,
	}
	for _, o := range opts {
		o(c)
	}
	c.log = c.log.With("component", "connector")
	if c.progress == nil {
		c.progress = &progressReporter{every: 5 * time.Second, report: func(p Progress) {
			c.log.Info("sync progress", p.attrs()...)
		}}
	}
	// The pacer paces real requests, so it runs on the clock of the waits
	// even when the sync's clock is injected.
	c.pace = newPacer(cfg.RequestsPerSecond, c.waitNow, c.sleep)
	return c, nil
}

// Result summarises one sync.
type Result struct {
	Flavor   string // cloud | datacenter
	Full     bool   // some scope was fetched whole (asked for, or never synced)
	Issues   int    // issues written
	Links    int    // dependency links written (as reported by issues)
	Changes  int    // changelog items written
	Removed  int    // issues marked gone by reconciliation
	Requests int
	Retries  int
	// Skipped counts issues Jira returned that Radar cannot read (an id
	// that is not a number, a key unlike PROJECT-123): each is logged and
	// left out, and the rest of the sync goes on.
	Skipped  int
	Duration time.Duration
}

// Sync brings the store up to date with Jira: incremental per scope from its
// watermark, or everything when full is set or a scope has never synced.
// The run is recorded in sync_runs whatever happens.
func (c *Connector) Sync(ctx context.Context, full bool) (Result, error) {
	// One sync per database at a time, across processes: two would race
	// each other's pages and watermarks.
	lock, err := c.store.TryLock(store.LockSync)
	if errors.Is(err, store.ErrLocked) {
		return Result{}, fmt.Errorf("another sync is running on this database (radar serve or radar sync); try again when it finishes (%w)", err)
	}
	if err != nil {
		return Result{}, err
	}
	defer lock.Unlock()
	start := c.now()
	req0, ret0, skip0 := c.requests.Load(), c.retries.Load(), c.skipped.Load()
	mode := "incremental"
	if full {
		mode = "full"
	}
	runID, err := c.store.BeginSync(ctx, mode, start)
	if err != nil {
		return Result{}, err
	}
	from := c.progressStart()
	pctx, stopProgress := context.WithCancel(ctx)
	progressDone := make(chan struct{})
	go func() {
		defer close(progressDone)
		c.progress.run(pctx, func() Progress { return c.progressNow(from) })
	}()
	res, syncErr := c.sync(ctx, full)
	stopProgress()
	<-progressDone
	if c.progress.final {
		p := c.progressNow(from)
		p.Done = true
		c.progress.report(p)
	}
	res.Requests = int(c.requests.Load() - req0)
	res.Retries = int(c.retries.Load() - ret0)
	res.Skipped = int(c.skipped.Load() - skip0)
	res.Duration = c.now().Sub(start)
	run := store.SyncRun{ID: runID, FinishedAt: c.now(), Issues: res.Issues, Links: res.Links, Changes: res.Changes,
		Removed: res.Removed, Requests: res.Requests, Retries: res.Retries}
	if syncErr != nil {
		run.Error = syncErr.Error()
	}
	if res.Full {
		run.Mode = "full" // a first sync, or a scope fetched whole
	}
	// Record the run even when ctx was cancelled (shutdown).
	if err := c.store.FinishSync(context.WithoutCancel(ctx), run); err != nil && syncErr == nil {
		syncErr = err
	}
	return res, syncErr
}

func (c *Connector) sync(ctx context.Context, full bool) (Result, error) {
	var res Result
	wms, err := c.store.Watermarks(ctx)
	if err != nil {
		return res, err
	}
	now := c.now()
	metaDue := full
	for _, p := range c.cfg.Projects {
		w, ok := wms[c.scopeName(p)]
		if !ok || w.ReconciledAt.IsZero() || now.Sub(w.ReconciledAt) >= c.cfg.ReconcileEvery {
			metaDue = true
		}
	}
	site, err := c.discover(ctx, metaDue)
	if err != nil {
		return res, err
	}
	res.Flavor = "datacenter"
	if site.cloud {
		res.Flavor = "cloud"
	}
	res.Full = full
	scopes := make([]string, 0, len(c.cfg.Projects))
	for _, p := range c.cfg.Projects {
		scopes = append(scopes, c.scopeName(p))
		if _, ok := wms[c.scopeName(p)]; !ok {
			res.Full = true // a scope that never synced is fetched whole
		}
	}

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	w := newWriter(c, site, scopes, cancel)
	writerDone := make(chan error, 1)
	go func() { writerDone <- w.run(ctx) }()

	var wg sync.WaitGroup
	sem := make(chan struct{}, c.slots(site.cloud))
	fail := func(err error) { cancel(err) }
	for _, p := range c.cfg.Projects {
		wm, haveWM := wms[c.scopeName(p)]
		scopeFull := full || !haveWM
		if haveWM && now.Before(wm.SyncedUntil) {
			// Radar's clock stepped back past the watermark: a relative
			// window cannot express that, so fetch the scope whole.
			c.log.Warn("clock is behind the sync watermark; fetching the project whole", "project", p,
				"watermark", wm.SyncedUntil, "now", now)
			scopeFull = true
		}
		res.Full = res.Full || scopeFull
		reconcile := scopeFull || wm.ReconciledAt.IsZero() || now.Sub(wm.ReconciledAt) >= c.cfg.ReconcileEvery
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := c.syncScope(ctx, site, w, sem, p, wm, scopeFull, reconcile, now); err != nil {
				fail(fmt.Errorf("project %s: %w", p, err))
			}
		}()
	}
	wg.Wait()
	w.close()
	werr := <-writerDone
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
		err = cause
	} else if werr != nil {
		err = werr
	} else if ctx.Err() != nil {
		err = context.Cause(ctx)
	}
	res.Issues, res.Links, res.Changes, res.Removed = w.issues, len(w.linkIDs), w.changes, w.removed
	return res, err
}

// scopeName keys a project's watermark and issues. It changes with jira.jql,
// so a changed query starts the scope afresh (a full fetch) and the issues
// only the old query held are retired.
func (c *Connector) scopeName(project string) string {
	j := strings.TrimSpace(c.cfg.JQL)
	if j == "" {
		return project
	}
	sum := sha256.Sum256([]byte(j))
	return project + "|" + hex.EncodeToString(sum[:4])
}

// scopeJQL is the project's query, with the user's clause ANDed.
func (c *Connector) scopeJQL(project string) string {
	q := fmt.Sprintf("project = %s", quoteJQL(project))
	if j := strings.TrimSpace(c.cfg.JQL); j != "" {
		q = "(" + q + ") AND (" + j + ")"
	}
	return q
}

func quoteJQL(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// query is one search of a scope: its fixed clauses and, for incremental
// syncs, the lower bound of the updated window.
type query struct {
	base  string    // scope JQL plus partition or id clauses
	since time.Time // zero: no updated bound
}

// jql renders the query as of now. The updated bound is relative minutes
// (immune to the Jira user's time zone) counted from since on Radar's own
// clock; recomputed for every request, the window never slides past since
// however long the sync takes.
func (c *Connector) jql(q query) string {
	if q.since.IsZero() {
		return q.base
	}
	mins := max(int(math.Ceil(c.now().Sub(q.since).Minutes()))+1, 1)
	return fmt.Sprintf(`%s AND updated >= "-%dm"`, q.base, mins)
}

// syncScope syncs one project: its versions alongside its issues (see
// fetchScope), then hands the scope's watermark, and its listing when one
// was taken, to the writer after the last of its pages.
func (c *Connector) syncScope(ctx context.Context, site *site, w *writer, sem chan struct{}, project string,
	wm store.Watermark, full, reconcile bool, now time.Time) error {
	acquire := func() error {
		select {
		case sem <- struct{}{}:
			return nil
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
	release := func() { <-sem }
	scope := c.scopeName(project)

	// Versions every sync: Jira keeps no history of release dates, so each
	// sync's view is recorded to see releases slip. They are read alongside
	// the issues and must have landed before the scope finishes.
	vctx, stopVersions := context.WithCancel(ctx)
	defer stopVersions()
	versions := make(chan error, 1)
	go func() {
		if err := acquire(); err != nil {
			versions <- err
			return
		}
		err := c.syncVersions(vctx, project, now)
		release()
		versions <- err
	}()
	done, err := c.fetchScope(ctx, site, w, scope, project, wm, full, reconcile, now, acquire, release)
	if err != nil {
		stopVersions()
		<-versions // nothing may write once the sync has returned
		return err
	}
	if err := <-versions; err != nil {
		return err
	}
	return w.finishScope(ctx, done)
}

// fetchScope fetches a scope: a full fetch of one-page id ranges from a
// streamed listing, or an incremental query from the watermark plus, when
// reconciliation is due, a listing and the issues the store lacks.
func (c *Connector) fetchScope(ctx context.Context, site *site, w *writer, scope, project string, wm store.Watermark,
	full, reconcile bool, now time.Time, acquire func() error, release func()) (scopeDone, error) {
	base := c.scopeJQL(project)
	listedAt := c.now()
	done := scopeDone{watermark: store.Watermark{Scope: scope, SyncedUntil: now}, listedAt: listedAt}
	if full {
		present, err := c.fetchFull(ctx, site, w, scope, base, acquire, release)
		done.present = present
		return done, err
	}

	queries := []query{{base: base, since: wm.SyncedUntil.Add(-c.cfg.Overlap)}}
	// Reconciliation lists the scope; issues the listing shows but the
	// store lacks, or holds under an old key (moved), are fetched by id.
	// Each listing page is compared with the store as it arrives, so what
	// stays in memory is the listed ids as numbers (store.IDSet), not the
	// listing and the scope's keys.
	var missing []string
	var nums []int64
	if reconcile {
		if err := acquire(); err != nil {
			return done, err
		}
		var storeErr error
		err := c.streamIDs(ctx, site, base, func(ls []listed) error {
			ids := make([]string, len(ls))
			for i, l := range ls {
				ids[i] = l.id
				nums = append(nums, l.num)
			}
			have, err := c.store.ScopeKeys(ctx, scope, ids)
			if err != nil {
				storeErr = err
				return err
			}
			for _, l := range ls {
				if k, ok := have[l.id]; !ok || k != l.key {
					missing = append(missing, l.id)
				}
			}
			return nil
		}, nil, nil)
		release()
		switch {
		case storeErr != nil:
			return done, storeErr
		case err != nil:
			return done, fmt.Errorf("list issues: %w", err)
		}
		for i := 0; i < len(missing); i += 100 {
			j := min(i+100, len(missing))
			queries = append(queries, query{base: fmt.Sprintf("%s AND id in (%s)", base, strings.Join(missing[i:j], ", "))})
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(queries))
	for _, q := range queries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- c.fetchQuery(ctx, site, w, scope, q, acquire, release)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return done, err
		}
	}
	if reconcile { // a listing was taken, even an empty one
		present := store.NewIDSet(nums)
		done.present = &present
	}
	return done, nil
}

type listed struct {
	id  string
	key string
	num int64
}

func (c *Connector) syncVersions(ctx context.Context, project string, now time.Time) error {
	ws, err := call[[]wireVersion](ctx, c, "read versions of "+project, http.MethodGet,
		"rest/api/2/project/"+project+"/versions", nil)
	if err != nil {
		return err
	}
	vs := make([]radar.Version, 0, len(*ws))
	for _, w := range *ws {
		v, err := toVersion(project, w)
		if err != nil {
			return err
		}
		vs = append(vs, v)
	}
	return c.store.PutVersions(ctx, project, vs, now)
}
