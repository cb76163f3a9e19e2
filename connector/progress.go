package connector

import (
	"context"
	"fmt"
	"time"
)

// Progress is where a running sync is: issues fetched of the total its id
// listings found, requests and retries so far, and an estimate of the time
// left. Total is 0 while no full fetch has listed anything (an incremental
// sync does not know how much changed until it has it).
type Progress struct {
	Issues   int64
	Total    int64
	Requests int64
	Retries  int64
	Elapsed  time.Duration
	// RequestsPerSecond is the average rate since the sync started.
	RequestsPerSecond float64
	// ETA is the estimated time left; 0 when unknown.
	ETA time.Duration
	// Done is set on the last report, when the sync has ended.
	Done bool
}

// String is the progress as one line for a terminal.
func (p Progress) String() string {
	issues := fmt.Sprintf("%d issues", p.Issues)
	if p.Total > 0 {
		issues = fmt.Sprintf("%d of %d issues (%d%%)", p.Issues, p.Total, min(100, p.Issues*100/p.Total))
	}
	s := fmt.Sprintf("syncing: %s, %d requests (%.1f/s), %d retries, %s elapsed", issues, p.Requests,
		p.RequestsPerSecond, p.Retries, p.Elapsed.Round(time.Second))
	if p.ETA > 0 {
		s += fmt.Sprintf(", about %s left", p.ETA.Round(time.Second))
	}
	return s
}

// attrs are the progress as log attributes.
func (p Progress) attrs() []any {
	return []any{"issues", p.Issues, "total", p.Total, "requests", p.Requests,
		"requests_per_second", fmt.Sprintf("%.1f", p.RequestsPerSecond), "retries", p.Retries,
		"elapsed", p.Elapsed.Round(time.Second), "eta", p.ETA.Round(time.Second)}
}

// progressReporter reports a sync's progress every interval while it runs.
type progressReporter struct {
	every  time.Duration
	report func(Progress)
	final  bool // report once more when the sync ends
}

// progressFrom is a snapshot of the connector's counters at a sync's start.
type progressFrom struct {
	start                      time.Time
	requests, retries, fetched int64
	listed                     int64
}

func (c *Connector) progressStart() progressFrom {
	return progressFrom{start: time.Now(), requests: c.requests.Load(), retries: c.retries.Load(),
		fetched: c.fetched.Load(), listed: c.listed.Load()}
}

// progressNow is the progress since from. It reads the real clock: rates
// and estimates are about the wall time the user waits.
func (c *Connector) progressNow(from progressFrom) Progress {
	p := Progress{
		Issues:   c.fetched.Load() - from.fetched,
		Total:    c.listed.Load() - from.listed,
		Requests: c.requests.Load() - from.requests,
		Retries:  c.retries.Load() - from.retries,
		Elapsed:  time.Since(from.start),
	}
	if s := p.Elapsed.Seconds(); s > 0 {
		p.RequestsPerSecond = float64(p.Requests) / s
	}
	if p.Total > 0 && p.Issues > 0 && p.Issues < p.Total {
		p.ETA = time.Duration(float64(p.Elapsed) * float64(p.Total-p.Issues) / float64(p.Issues))
	}
	return p
}

// run reports every interval until ctx ends.
func (r *progressReporter) run(ctx context.Context, now func() Progress) {
	if r.every <= 0 {
		return
	}
	t := time.NewTicker(r.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			r.report(now())
		}
	}
}
