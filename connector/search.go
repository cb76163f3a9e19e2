package connector

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/store"
)

// cloudSearch is the body of Cloud's POST /rest/api/3/search/jql.
type cloudSearch struct {
	JQL           string   `json:"jql"`
	NextPageToken string   `json:"nextPageToken,omitempty"`
	MaxResults    int      `json:"maxResults"`
	Fields        []string `json:"fields"`
}

// listIDs lists every issue id and key in the query's scope, as cheaply as
// the flavour allows (5000 per page on Cloud). It fails rather than return a
// partial listing.
func (c *Connector) listIDs(ctx context.Context, site *site, jql string) ([]listed, error) {
	var out []listed
	err := c.streamIDs(ctx, site, jql, func(ls []listed) error {
		out = append(out, ls...)
		return nil
	}, nil, nil)
	return out, err
}

// streamIDs lists the query's issue ids and keys in ascending id order,
// handing each page to fn. Issues the fetch would skip as unreadable (an id
// or key unlike Jira's) are left out too, so reconciliation retires a
// stored copy instead of keeping it live for ever.
func (c *Connector) streamIDs(ctx context.Context, site *site, jql string, fn func([]listed) error,
	acquire func() error, release func()) error {
	return c.page(ctx, site, query{base: jql}, []string{"id", "key"}, 5000, false, func(is []wireIssue) error {
		out := make([]listed, 0, len(is))
		for _, w := range is {
			n, err := strconv.ParseInt(w.ID, 10, 64)
			if err != nil || !issueIDRE.MatchString(w.ID) || !issueKeyRE.MatchString(w.Key) {
				c.log.Warn("jira issue left out of the listing: Radar cannot read its id or key",
					"id", fmt.Sprintf("%.40q", w.ID), "key", fmt.Sprintf("%.40q", w.Key))
				continue
			}
			out = append(out, listed{id: w.ID, key: w.Key, num: n})
		}
		return fn(out)
	}, acquire, release)
}

// fetchQuery pages through q, completes changelogs, maps the issues and hands
// them to the writer. acquire/release bound the requests in flight. On
// Cloud, pages gather until one bulkfetch call can complete the changelogs
// of up to 1,000 issues.
func (c *Connector) fetchQuery(ctx context.Context, site *site, w *writer, scope string, q query, acquire func() error, release func()) error {
	var buf []wireIssue
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		logs, err := c.bulkChangelog(ctx, issueIDs(buf))
		if err != nil {
			return err
		}
		err = c.land(ctx, site, w, scope, buf, logs)
		buf = nil
		return err
	}
	err := c.page(ctx, site, q, site.fieldList, c.cfg.PageSize, !site.cloud, func(is []wireIssue) error {
		if !site.cloud {
			return c.land(ctx, site, w, scope, is, nil)
		}
		buf = append(buf, is...)
		if len(buf)+min(c.cfg.PageSize, cloudPageMax) > bulkMax {
			return flush() // inside the page's request slot
		}
		return nil
	}, acquire, release)
	if err != nil {
		return err
	}
	if len(buf) == 0 {
		return nil
	}
	if err := acquire(); err != nil {
		return err
	}
	defer release()
	return flush()
}

// land maps fetched issues into records and hands them to the writer. On
// Cloud logs holds the full changelogs from bulkfetch; on Data Center each
// issue carries its own, read in full where the page truncated it.
func (c *Connector) land(ctx context.Context, site *site, w *writer, scope string, is []wireIssue, logs map[string][]wireHistory) error {
	recs := make([]store.IssueRecord, 0, len(is))
	for i := range is {
		r, warnings, err := site.mapper.issue(&is[i], scope)
		if err != nil {
			// One unreadable issue must not stop every sync (Data
			// Center's jira.projectkey.pattern allows keys Radar does
			// not take): leave it out and say so.
			c.skipped.Add(1)
			c.log.Warn("jira issue skipped: Radar cannot read it", "problem", err.Error(),
				"fix", "nothing to do unless it matters; Radar reads numeric ids and keys like PROJECT-123")
			continue
		}
		for _, msg := range warnings {
			c.log.Warn("jira field skipped", "issue", is[i].Key, "problem", msg)
		}
		var hs []wireHistory
		known := true
		switch {
		case site.cloud:
			// The bulk answer leaves out an issue without history, and
			// one deleted since the search returned it: either way the
			// stored changelog is kept, not wiped (a history is never
			// taken back while the issue exists).
			hs, known = logs[is[i].ID]
		case is[i].Changelog != nil:
			hs = is[i].Changelog.Histories
			if is[i].Changelog.Total > len(hs) {
				// Truncated: the issue's own changelog is complete.
				var je *Error
				hs, err = c.issueChangelog(ctx, is[i].ID)
				switch {
				case errors.As(err, &je) && je.Status == http.StatusNotFound:
					// Deleted since the search returned it: keep the
					// stored changelog; reconciliation retires it.
					known = false
				case err != nil:
					return err
				}
			}
		}
		if r.Changes, err = changes(is[i].Key, hs); err != nil {
			return err
		}
		if !known {
			r.Changes = nil // keep what the store holds
		}
		recs = append(recs, r)
	}
	c.fetched.Add(int64(len(is)))
	return w.send(ctx, recs)
}

// issueChangelog reads one issue's complete changelog (Data Center).
func (c *Connector) issueChangelog(ctx context.Context, id string) ([]wireHistory, error) {
	is, err := call[wireIssue](ctx, c, "read changelog of issue "+id, http.MethodGet,
		"rest/api/2/issue/"+url.PathEscape(id)+"?fields=key&expand=changelog", nil)
	if err != nil {
		return nil, err
	}
	if is.Changelog == nil {
		return nil, nil
	}
	return is.Changelog.Histories, nil
}

// lookupIssue asks Jira for an issue by id wherever it is now: its key, or
// found false when Jira says it does not exist (deleted, or no longer
// visible).
func (c *Connector) lookupIssue(ctx context.Context, id string) (key string, found bool, err error) {
	is, err := call[wireIssue](ctx, c, "look up issue "+id, http.MethodGet,
		"rest/api/2/issue/"+url.PathEscape(id)+"?fields=key", nil)
	var je *Error
	if errors.As(err, &je) && (je.Status == http.StatusNotFound || je.Status == http.StatusForbidden) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return is.Key, true, nil
}

// page runs q ordered by id and calls fn with each page. Cloud pages with
// nextPageToken; Data Center pages by id ("id > last") rather than startAt,
// which fails past 10,000 results. Every fresh query re-renders the updated
// window; a Cloud token (whose JQL is fixed) is dropped for a fresh query by
// id once it is older than half the overlap, and when it expires.
func (c *Connector) page(ctx context.Context, site *site, q query, fields []string, size int, changelog bool,
	fn func([]wireIssue) error, acquire func() error, release func()) error {
	if acquire == nil {
		acquire, release = func() error { return nil }, func() {}
	}
	last, token, tokenJQL := "", "", ""
	var tokenAt time.Time
	// A Cloud token carries its JQL, whose relative window was rendered when
	// the token's query started; past this age the token is dropped for a
	// fresh query by id (the window's extra minute covers the half minute).
	tokenMaxAge := c.cfg.Overlap/2 + 30*time.Second
	// build renders the request for one attempt: retries re-render it, so
	// the window is right for the moment each request is sent.
	build := func() (string, any) {
		if token != "" && !q.since.IsZero() && c.now().Sub(tokenAt) > tokenMaxAge {
			token = "" // the token's relative window is getting stale
		}
		jql := tokenJQL
		if token == "" {
			jql = c.jql(q)
			if last != "" {
				jql += " AND id > " + last
			}
			jql += " ORDER BY id ASC"
			tokenJQL, tokenAt = jql, c.now()
		}
		if site.cloud {
			return "rest/api/3/search/jql", cloudSearch{JQL: jql, NextPageToken: token, MaxResults: size, Fields: fields}
		}
		v := url.Values{}
		v.Set("jql", jql)
		v.Set("startAt", "0")
		v.Set("maxResults", strconv.Itoa(size))
		v.Set("fields", strings.Join(fields, ","))
		if changelog {
			v.Set("expand", "changelog")
		}
		return "rest/api/2/search?" + v.Encode(), nil
	}
	for {
		if err := acquire(); err != nil {
			return err
		}
		var issues []wireIssue
		more := false
		if site.cloud {
			p, err := callBuilt[wireCloudPage](ctx, c, "search", http.MethodPost, build)
			var je *Error
			if err != nil && token != "" && errors.As(err, &je) && je.Status == http.StatusBadRequest &&
				strings.Contains(strings.ToLower(je.Message), "token") {
				// The page token expired: resume after the last id we hold.
				release()
				c.log.Warn("jira page token expired; resuming by id", "after", last)
				token = ""
				continue
			}
			if err != nil {
				release()
				return err
			}
			issues = p.Issues
			token = p.NextPageToken
			more = token != "" && (p.IsLast == nil || !*p.IsLast)
		} else {
			p, err := callBuilt[wireDCPage](ctx, c, "search", http.MethodGet, build)
			if err != nil {
				release()
				return err
			}
			issues = p.Issues
			more = len(p.Issues) > 0 && p.Total > len(p.Issues)
		}
		err := fn(issues)
		release()
		if err != nil {
			return err
		}
		if len(issues) > 0 {
			// Page on from the last numeric id: an id goes into the next
			// query's JQL, so an unreadable one must never be used.
			i := len(issues) - 1
			for i >= 0 && !issueIDRE.MatchString(issues[i].ID) {
				i--
			}
			if i < 0 {
				return fmt.Errorf("jira returned a page of %d issues without one numeric id; cannot page past it", len(issues))
			}
			last = issues[i].ID
		}
		if !more || len(issues) == 0 {
			return nil
		}
		if !site.cloud {
			token = ""
		}
	}
}

// bulkChangelog fetches the full changelogs of up to 1000 issues from Cloud's
// bulk endpoint, following nextPageToken.
func (c *Connector) bulkChangelog(ctx context.Context, ids []string) (map[string][]wireHistory, error) {
	out := make(map[string][]wireHistory, len(ids))
	for i := 0; i < len(ids); i += 1000 {
		chunk := ids[i:min(i+1000, len(ids))]
		token := ""
		for {
			body := map[string]any{"issueIdsOrKeys": chunk, "maxResults": 10000}
			if token != "" {
				body["nextPageToken"] = token
			}
			p, err := call[wireBulkChangelog](ctx, c, "read changelogs", http.MethodPost, "rest/api/3/changelog/bulkfetch", body)
			if err != nil {
				return nil, err
			}
			for _, l := range p.IssueChangeLogs {
				out[l.IssueID] = append(out[l.IssueID], l.ChangeHistories...)
			}
			if p.NextPageToken == "" || p.NextPageToken == token {
				break
			}
			token = p.NextPageToken
		}
	}
	return out, nil
}

// sortChanges orders changelog rows oldest first, stably.
func sortChanges(cs []radar.Change) {
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].Created.Before(cs[j].Created) })
}
