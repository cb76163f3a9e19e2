package connector

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/radarhq/radar/store"
)

// writer is the single goroutine that writes to SQLite: fetchers hand it
// pages; it batches them into transactions and writes a scope's watermark in
// the transaction after the last page of that scope.
type writer struct {
	c      *Connector
	site   *site
	scopes []string // every configured scope; others are retired after a clean sync
	fail   context.CancelCauseFunc
	in     chan writerMsg

	err                      error
	issues, changes, removed int
	linkIDs                  map[string]struct{} // distinct dependency links written
}

type writerMsg struct {
	recs []store.IssueRecord
	done *scopeDone
	ack  chan error
}

// scopeDone closes a scope: its watermark, and the complete listing of its
// issues when reconciliation ran.
type scopeDone struct {
	watermark store.Watermark
	present   *store.IDSet // the complete listing; nil when none was taken
	listedAt  time.Time    // when the listing started: later writes are not judged by it
}

func newWriter(c *Connector, site *site, scopes []string, fail context.CancelCauseFunc) *writer {
	return &writer{c: c, site: site, scopes: scopes, fail: fail, in: make(chan writerMsg, c.slots(site.cloud)*2), linkIDs: map[string]struct{}{}}
}

func (w *writer) send(ctx context.Context, recs []store.IssueRecord) error {
	select {
	case w.in <- writerMsg{recs: recs}:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// finishScope asks the writer to land everything sent so far with the scope's
// watermark, then reconcile, and waits for the outcome.
func (w *writer) finishScope(ctx context.Context, d scopeDone) error {
	ack := make(chan error, 1)
	select {
	case w.in <- writerMsg{done: &d, ack: ack}:
	case <-ctx.Done():
		return context.Cause(ctx)
	}
	select {
	case err := <-ack:
		return err
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

func (w *writer) close() { close(w.in) }

// run writes until the input closes. After a failure it keeps draining so no
// sender blocks, and reports the first error.
func (w *writer) run(ctx context.Context) error {
	var pending []store.IssueRecord
	var reconcile []scopeDone
	// Writes outlive cancellation: a page that arrived is committed whole or
	// not at all, and shutdown waits for it.
	wctx := context.WithoutCancel(ctx)
	flush := func(wms []store.Watermark) error {
		if w.err != nil {
			return w.err
		}
		if len(pending) == 0 && len(wms) == 0 {
			return nil
		}
		if err := w.c.store.WriteBatch(wctx, store.Batch{Issues: pending, Watermarks: wms}); err != nil {
			// Stop the whole sync: fetching on would only pile up pages
			// that cannot land.
			w.err = err
			pending = nil
			w.fail(err)
			return err
		}
		for _, r := range pending {
			w.issues++
			for _, l := range r.Links {
				w.linkIDs[l.ID] = struct{}{}
			}
			w.changes += len(r.Changes)
		}
		pending = pending[:0]
		return nil
	}
	for m := range w.in {
		switch {
		case m.recs != nil:
			if w.err != nil {
				continue // nothing lands after a failed write
			}
			pending = append(pending, m.recs...)
			if len(pending) >= w.c.batchSize {
				flush(nil)
			}
		case m.done != nil:
			if ctx.Err() != nil {
				m.ack <- context.Cause(ctx)
				continue
			}
			err := flush([]store.Watermark{m.done.watermark})
			if err == nil && m.done.present != nil {
				reconcile = append(reconcile, *m.done)
			}
			m.ack <- err
		}
	}
	// Pages of scopes that did not finish still land (idempotently), without
	// a watermark: the next run fetches them again.
	if err := flush(nil); err != nil && !errors.Is(err, w.err) {
		return err
	}
	// Reconcile once every scope's pages have landed, so an issue that moved
	// between two synced projects is seen in its new scope, not as removed.
	if w.err != nil || ctx.Err() != nil {
		return w.err
	}
	for _, d := range reconcile {
		n, err := w.reconcile(ctx, wctx, d)
		if err != nil {
			return err
		}
		w.removed += n
	}
	// Issues of projects no longer configured (or of a jira.jql that
	// changed) leave the snapshot once every configured scope synced.
	n, err := w.c.store.RetireScopes(wctx, w.scopes, w.c.now())
	w.removed += n
	return err
}

// projectOf is the project part of an issue key or scope name.
func projectOf(s string) string {
	if i := strings.IndexByte(s, '|'); i >= 0 {
		s = s[:i] // a scope name with a query hash
	}
	if i := strings.LastIndexByte(s, '-'); i > 0 && strings.IndexFunc(s[i+1:], func(r rune) bool { return r < '0' || r > '9' }) < 0 {
		return s[:i]
	}
	return s
}

// reconcile marks the scope's issues missing from its listing as removed.
// Jira is asked about each: one that still exists moved out of the scope
// (its links stay, under its new key); one that does not was deleted (its
// links go).
func (w *writer) reconcile(ctx, wctx context.Context, d scopeDone) (int, error) {
	gone, err := w.c.store.GoneIssues(wctx, d.watermark.Scope, *d.present, d.listedAt)
	if err != nil {
		return 0, err
	}
	moved := map[string]string{}
	var kept []string // the gone ids that really left
	for _, id := range gone {
		key, found, err := w.c.lookupIssue(ctx, id)
		if err != nil {
			return 0, fmt.Errorf("reconcile %s: %w", d.watermark.Scope, err)
		}
		if found && strings.EqualFold(projectOf(key), projectOf(d.watermark.Scope)) {
			// Still in the project: ask the search itself. If it finds the
			// issue in scope, the listing missed it (a lagging index) and it
			// stays; if not (archived, or no longer matching jira.jql), it
			// left the scope.
			again, err := w.c.listIDs(ctx, w.site, w.c.scopeJQL(projectOf(d.watermark.Scope))+" AND id = "+id)
			if err != nil {
				return 0, fmt.Errorf("reconcile %s: %w", d.watermark.Scope, err)
			}
			if len(again) > 0 {
				w.c.log.Warn("listing missed an issue that is still in scope; keeping it", "issue", key)
				continue
			}
		}
		if found {
			moved[id] = key
		}
		kept = append(kept, id)
	}
	return w.c.store.Reconcile(wctx, d.watermark.Scope, kept, moved, w.c.now())
}
