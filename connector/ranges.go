package connector

import (
	"context"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/radarhq/radar/store"
)

const (
	// bulkMax is how many issues one changelog bulkfetch call takes.
	bulkMax = 1000
	// cloudPageMax is the most issues Cloud returns in a search page that
	// names fields, whatever maxResults asks.
	cloudPageMax = 100
)

// idRange is one page's worth of a project's id listing: the issues with
// ids from lo up to hi (exclusive). lo 0 is open below and hi 0 open above,
// so issues created while the sync runs are not missed at either end.
type idRange struct {
	lo, hi int64
	ids    []int64 // what the listing found there
}

func (r idRange) clause() string {
	var cs []string
	if r.lo > 0 {
		cs = append(cs, fmt.Sprintf("id >= %d", r.lo))
	}
	if r.hi > 0 {
		cs = append(cs, fmt.Sprintf("id < %d", r.hi))
	}
	if len(cs) == 0 {
		return ""
	}
	return " AND " + strings.Join(cs, " AND ")
}

// rangeCutter cuts a listing that arrives page by page, in ascending id
// order, into ranges of size issues, and hands them on in groups of up to
// perGroup ranges as soon as each group is known: the fetch starts while
// the listing still pages.
type rangeCutter struct {
	size, perGroup int
	emit           func([]idRange) error

	pending []listed
	group   []idRange
	last    int64
	cut     int // ranges cut so far
}

func (rc *rangeCutter) add(ls []listed) error {
	for _, l := range ls {
		if l.num <= rc.last {
			return fmt.Errorf("jira listed issue id %d after %d, out of the id order asked for; cannot cut the project into ranges", l.num, rc.last)
		}
		rc.last = l.num
		rc.pending = append(rc.pending, l)
		if len(rc.pending) > rc.size {
			// The id after a full range is known: that range is closed.
			next := rc.pending[rc.size]
			if err := rc.cutRange(rc.pending[:rc.size], next.num); err != nil {
				return err
			}
			rc.pending = append(make([]listed, 0, rc.size+1), next)
		}
	}
	return nil
}

// finish cuts the last range, open above, once the listing is complete.
func (rc *rangeCutter) finish() error {
	if len(rc.pending) > 0 || rc.cut == 0 {
		// An empty listing still searches once: issues may have been
		// created since.
		if err := rc.cutRange(rc.pending, 0); err != nil {
			return err
		}
	}
	if len(rc.group) > 0 {
		g := rc.group
		rc.group = nil
		return rc.emit(g)
	}
	return nil
}

func (rc *rangeCutter) cutRange(ls []listed, hi int64) error {
	r := idRange{hi: hi, ids: make([]int64, len(ls))}
	if rc.cut > 0 && len(ls) > 0 {
		r.lo = ls[0].num
	}
	for i, l := range ls {
		r.ids[i] = l.num
	}
	rc.cut++
	rc.group = append(rc.group, r)
	if len(rc.group) < rc.perGroup {
		return nil
	}
	g := rc.group
	rc.group = nil
	return rc.emit(g)
}

// fetchFull fetches a whole scope: it lists every id in the scope and,
// while the listing pages, fetches one-page id ranges of it side by side
// (within jira.concurrency). On Cloud the ranges go in groups of 1,000
// issues, whose changelogs one bulkfetch call reads alongside their pages.
// It returns the set of listed ids, complete only when err is nil.
func (c *Connector) fetchFull(ctx context.Context, site *site, w *writer, scope, base string,
	acquire func() error, release func()) (*store.IDSet, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	slots := c.slots(site.cloud)
	size, perGroup, workers := c.cfg.PageSize, 1, slots
	if site.cloud {
		// A range is what one page holds, so it is one request.
		size = min(size, cloudPageMax)
		perGroup = max(1, bulkMax/size)
		// Enough groups fetching to keep every request slot busy, and
		// one more queued behind them. A fetched group makes way for the
		// next before it is mapped and handed to the writer.
		workers = (slots+perGroup-1)/perGroup + 1
	}
	// The listing never waits for the fetch: it holds a request slot
	// while it hands a page on, and the fetch needs slots too.
	groups := newGroupQueue(ctx)
	defer groups.stop()
	var (
		wg, finishing sync.WaitGroup
		failOnce      sync.Once
		fetchErr      error
	)
	fail := func(err error) { failOnce.Do(func() { fetchErr = err; cancel(err) }) }
	// Groups fetched and not yet handed to the writer, bounded so that a
	// slow writer cannot pile up fetched issues without end.
	waiting := make(chan struct{}, 2*workers)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				g, ok := groups.pop()
				if !ok {
					return
				}
				issues, logs, err := c.fetchGroup(ctx, site, w, scope, base, g, acquire, release)
				if err != nil {
					fail(err)
					continue
				}
				if len(issues) == 0 {
					continue
				}
				select {
				case waiting <- struct{}{}:
				case <-ctx.Done():
					continue
				}
				finishing.Add(1)
				go func() {
					defer finishing.Done()
					defer func() { <-waiting }()
					if err := c.land(ctx, site, w, scope, issues, logs); err != nil {
						fail(err)
					}
				}()
			}
		}()
	}
	var present []int64 // listed ids, 8 bytes each (store.IDSet)
	cut := &rangeCutter{size: size, perGroup: perGroup, emit: func(g []idRange) error {
		for _, r := range g {
			present = append(present, r.ids...)
			c.listed.Add(int64(len(r.ids)))
		}
		groups.push(g)
		return nil
	}}
	listErr := c.streamIDs(ctx, site, base, cut.add, acquire, release)
	if listErr == nil {
		listErr = cut.finish()
	}
	if listErr != nil {
		// Stop the fetch too, unless a failed fetch stopped the listing.
		fail(fmt.Errorf("list issues: %w", listErr))
	}
	groups.close()
	wg.Wait()
	finishing.Wait()
	if fetchErr != nil {
		return nil, fetchErr
	}
	set := store.NewIDSet(present)
	return &set, nil
}

// fetchGroup fetches a group of ranges side by side and checks that each
// came back whole. Data Center pages carry their changelogs and go to the
// writer as they come. On Cloud one bulkfetch call reads the changelogs of
// the ids the listing put in the group while their pages are fetched; an
// issue created in the group's ranges since the listing gets a call of its
// own, and so does one whose page says it was edited after that call was
// made (its history may lack the change its page shows). It returns the
// group's issues, in range order, and their changelogs for land.
func (c *Connector) fetchGroup(ctx context.Context, site *site, w *writer, scope, base string, g []idRange,
	acquire func() error, release func()) ([]wireIssue, map[string][]wireHistory, error) {
	var mu sync.Mutex
	got := map[int64]bool{} // the fetched ids, as numbers like the listing's
	// Kept per range and joined in range order, so that what the group
	// lands is the same whichever range answers first.
	fetched := make([][]wireIssue, len(g))
	errs := make([]error, len(g)+1)
	var logs map[string][]wireHistory
	var asked time.Time // when the changelogs were asked for
	var wg sync.WaitGroup
	if site.cloud {
		asked = c.now()
		var listed []string
		for _, r := range g {
			for _, n := range r.ids {
				listed = append(listed, strconv.FormatInt(n, 10))
			}
		}
		if len(listed) > 0 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				logs, errs[len(g)] = c.changelogs(ctx, listed, acquire, release)
			}()
		}
	}
	for i, r := range g {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = c.page(ctx, site, query{base: base + r.clause()}, site.fieldList, c.cfg.PageSize, !site.cloud, func(is []wireIssue) error {
				mu.Lock()
				for j := range is {
					if n, err := strconv.ParseInt(is[j].ID, 10, 64); err == nil {
						got[n] = true
					}
				}
				mu.Unlock()
				if site.cloud {
					fetched[i] = append(fetched[i], is...)
				}
				if !site.cloud {
					return c.land(ctx, site, w, scope, is, nil) // the page carries its changelogs
				}
				return nil
			}, acquire, release)
		}()
	}
	wg.Wait()
	if err := firstNonNil(errs); err != nil {
		return nil, nil, err
	}
	if err := c.checkWhole(ctx, site, base, g, got); err != nil {
		return nil, nil, err
	}
	var issues []wireIssue
	for _, is := range fetched {
		issues = append(issues, is...)
	}
	if !site.cloud {
		return issues, nil, nil
	}
	// Issues the changelog call may have missed: created since the
	// listing, in an open range, or edited since the call was made. Jira's
	// clock may differ from ours: "since" allows jira.overlap, the margin
	// incremental syncs allow.
	listed := map[int64]bool{}
	for _, r := range g {
		for _, n := range r.ids {
			listed[n] = true
		}
	}
	var extra []string
	for _, is := range issues {
		n, err := strconv.ParseInt(is.ID, 10, 64)
		edited, perr := parseTime(is.Fields.Updated)
		if err != nil || !listed[n] || perr == nil && !edited.Before(asked.Add(-c.cfg.Overlap)) {
			extra = append(extra, is.ID)
		}
	}
	if len(extra) > 0 {
		more, err := c.changelogs(ctx, extra, acquire, release)
		if err != nil {
			return nil, nil, err
		}
		if logs == nil {
			logs = more
		} else {
			maps.Copy(logs, more)
		}
	}
	return issues, logs, nil
}

// changelogs reads the full changelogs of ids with bulkfetch, holding a
// request slot.
func (c *Connector) changelogs(ctx context.Context, ids []string, acquire func() error, release func()) (map[string][]wireHistory, error) {
	if err := acquire(); err != nil {
		return nil, err
	}
	defer release()
	return c.bulkChangelog(ctx, ids)
}

// checkWhole fails loudly when a range came back short: an issue the
// listing put there that the range's search did not return, and that a
// search for it alone still finds in scope. Issues deleted, moved or out of
// jira.jql since the listing are not a fault; more than a few missing is
// one without asking.
func (c *Connector) checkWhole(ctx context.Context, site *site, base string, g []idRange, got map[int64]bool) error {
	var missing []string
	for _, r := range g {
		for _, n := range r.ids {
			if !got[n] {
				missing = append(missing, strconv.FormatInt(n, 10))
			}
		}
	}
	if len(missing) == 0 {
		return nil
	}
	short := func(why string) error {
		return fmt.Errorf("search %q came back short: %d issues the listing had there are missing (e.g. id %s)%s; "+
			"nothing was marked removed and the next sync lists and fetches again", base+idRange{lo: g[0].lo, hi: g[len(g)-1].hi}.clause(), len(missing), missing[0], why)
	}
	if len(missing) > 10 {
		return short("")
	}
	for _, id := range missing {
		again, err := c.listIDs(ctx, site, base+" AND id = "+id)
		if err != nil {
			return err
		}
		if len(again) > 0 {
			return short(fmt.Sprintf(", and a search for id %s alone still finds it", id))
		}
		c.log.Info("issue left the scope while the sync ran", "id", id)
	}
	return nil
}

func issueIDs(is []wireIssue) []string {
	ids := make([]string, len(is))
	for i := range is {
		ids[i] = is[i].ID
	}
	return ids
}

// groupQueue hands groups of ranges from the listing to the fetch workers.
// It is unbounded: a group is a thousand ids, and the listing must not wait.
type groupQueue struct {
	mu     sync.Mutex
	cond   *sync.Cond
	groups [][]idRange
	closed bool
	ctx    context.Context
	stop   func() bool
}

func newGroupQueue(ctx context.Context) *groupQueue {
	q := &groupQueue{ctx: ctx}
	q.cond = sync.NewCond(&q.mu)
	q.stop = context.AfterFunc(ctx, q.close)
	return q
}

func (q *groupQueue) push(g []idRange) {
	q.mu.Lock()
	q.groups = append(q.groups, g)
	q.mu.Unlock()
	q.cond.Signal()
}

// close says no more groups come; workers finish what is queued.
func (q *groupQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.cond.Broadcast()
}

// pop waits for a group; false once the queue is closed and empty, or the
// sync is cancelled.
func (q *groupQueue) pop() ([]idRange, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.groups) == 0 && !q.closed {
		q.cond.Wait()
	}
	if len(q.groups) == 0 || q.ctx.Err() != nil {
		return nil, false
	}
	g := q.groups[0]
	q.groups[0] = nil
	q.groups = q.groups[1:]
	return g, true
}
