package jirasim

import (
	"cmp"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// query is a compiled JQL query: a predicate, the sort order and the
// bounds the fast path derives from top-level conjuncts.
type query struct {
	match func(*issueRec) bool
	order []sortKey
	// project is the single project a top-level "project = X" restricts
	// to, or "" for any.
	project string
	// idLo and idHi bound issue ids (inclusive) from top-level id clauses.
	idLo, idHi int64
	bounded    bool
}

// compileJQL parses q and resolves its values against the state. The
// caller holds the state lock.
func (s *Server) compileJQL(q string) (*query, error) {
	pq, err := parseJQL(q)
	if err != nil {
		return nil, err
	}
	cq := &query{idLo: 0, idHi: math.MaxInt64, bounded: pq.where != nil}
	for _, o := range pq.order {
		switch o.field {
		case "id", "key", "issuekey", "updated", "created", "resolved", "resolutiondate", "duedate", "due", "priority", "status", "project":
		default:
			return nil, &jqlError{fmt.Sprintf("Field '%s' does not exist or you do not have permission to view it.", o.field)}
		}
	}
	cq.order = pq.order
	if pq.where == nil {
		cq.match = func(*issueRec) bool { return true }
		return cq, nil
	}
	cq.match, err = s.compileNode(pq.where)
	if err != nil {
		return nil, err
	}
	var conj []jqlNode
	if a, ok := pq.where.(*andNode); ok {
		conj = a.kids
	} else {
		conj = []jqlNode{pq.where}
	}
	for _, n := range conj {
		c, ok := n.(*clause)
		if !ok {
			continue
		}
		switch c.field {
		case "project":
			if (c.op == "=" || (c.op == "in" && len(c.values) == 1)) && c.values[0].fn == "" {
				if p := s.lookupProject(c.values[0].text); p != nil {
					cq.project = p.Key
				}
			}
		case "id", "key", "issuekey":
			if len(c.values) != 1 {
				continue
			}
			n, err := strconv.ParseInt(c.values[0].text, 10, 64)
			if err != nil {
				continue
			}
			switch c.op {
			case ">=":
				cq.idLo = max(cq.idLo, n)
			case ">":
				cq.idLo = max(cq.idLo, n+1)
			case "<=":
				cq.idHi = min(cq.idHi, n)
			case "<":
				cq.idHi = min(cq.idHi, n-1)
			case "=":
				cq.idLo, cq.idHi = max(cq.idLo, n), min(cq.idHi, n)
			}
		}
	}
	return cq, nil
}

func (s *Server) compileNode(n jqlNode) (func(*issueRec) bool, error) {
	switch n := n.(type) {
	case *andNode:
		fs, err := s.compileKids(n.kids)
		if err != nil {
			return nil, err
		}
		return func(r *issueRec) bool {
			for _, f := range fs {
				if !f(r) {
					return false
				}
			}
			return true
		}, nil
	case *orNode:
		fs, err := s.compileKids(n.kids)
		if err != nil {
			return nil, err
		}
		return func(r *issueRec) bool {
			for _, f := range fs {
				if f(r) {
					return true
				}
			}
			return false
		}, nil
	case *notNode:
		f, err := s.compileNode(n.kid)
		if err != nil {
			return nil, err
		}
		return func(r *issueRec) bool { return !f(r) }, nil
	case *clause:
		return s.compileClause(n)
	}
	return nil, fmt.Errorf("jql: unknown node %T", n)
}

func (s *Server) compileKids(kids []jqlNode) ([]func(*issueRec) bool, error) {
	fs := make([]func(*issueRec) bool, len(kids))
	for i, k := range kids {
		f, err := s.compileNode(k)
		if err != nil {
			return nil, err
		}
		fs[i] = f
	}
	return fs, nil
}

func valueError(v jqlValue, field string) error {
	return &jqlError{fmt.Sprintf("The value '%s' does not exist for the field '%s'.", v.text, field)}
}

func unsupportedOp(c *clause) error {
	return &jqlError{fmt.Sprintf("The operator '%s' is not supported by the '%s' field.", strings.ToUpper(c.op), c.field)}
}

// setMatcher builds a predicate for =, !=, in, not in, is and is not from
// a function giving the issue's values and a resolver mapping each JQL
// value to the canonical values it stands for.
func setMatcher(c *clause, get func(*issueRec) []string, resolve func(jqlValue) ([]string, error)) (func(*issueRec) bool, error) {
	switch c.op {
	case "is", "is not":
		want := c.op == "is"
		return func(r *issueRec) bool { return (len(get(r)) == 0) == want }, nil
	case "=", "!=", "in", "not in":
	default:
		return nil, unsupportedOp(c)
	}
	set := map[string]bool{}
	matchEmpty := false
	for _, v := range c.values {
		if v.empty {
			matchEmpty = true
			continue
		}
		vals, err := resolve(v)
		if err != nil {
			return nil, err
		}
		for _, x := range vals {
			set[x] = true
		}
	}
	neg := c.op == "!=" || c.op == "not in"
	return func(r *issueRec) bool {
		vals := get(r)
		hit := matchEmpty && len(vals) == 0
		for _, x := range vals {
			if set[x] {
				hit = true
				break
			}
		}
		if neg {
			// Like Jira, negative clauses do not match issues without a value.
			return !hit && len(vals) > 0
		}
		return hit
	}, nil
}

func one(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

func (s *Server) compileClause(c *clause) (func(*issueRec) bool, error) {
	st := s.st
	switch c.field {
	case "project":
		return setMatcher(c, func(r *issueRec) []string { return []string{r.Project} }, func(v jqlValue) ([]string, error) {
			if p := s.lookupProject(v.text); p != nil {
				return []string{p.Key}, nil
			}
			return nil, valueError(v, "project")
		})
	case "id", "key", "issuekey":
		return s.compileKeyClause(c)
	case "issuetype", "type":
		return setMatcher(c, func(r *issueRec) []string { return []string{r.Type} }, func(v jqlValue) ([]string, error) {
			switch v.fn {
			case "standardissuetypes":
				var out []string
				for _, t := range st.types {
					if !t.Subtask {
						out = append(out, t.Name)
					}
				}
				return out, nil
			case "subtaskissuetypes":
				var out []string
				for _, t := range st.types {
					if t.Subtask {
						out = append(out, t.Name)
					}
				}
				return out, nil
			}
			for _, t := range st.types {
				if strings.EqualFold(t.Name, v.text) || t.ID == v.text {
					return []string{t.Name}, nil
				}
			}
			return nil, valueError(v, "issuetype")
		})
	case "status":
		return setMatcher(c, func(r *issueRec) []string { return []string{r.Status} }, func(v jqlValue) ([]string, error) {
			var out []string
			for _, x := range st.statuses {
				if strings.EqualFold(x.Name, v.text) || x.ID == v.text {
					out = append(out, x.ID)
				}
			}
			if out == nil {
				return nil, valueError(v, "status")
			}
			return out, nil
		})
	case "statuscategory":
		return setMatcher(c, func(r *issueRec) []string { return []string{s.categoryOf(r.Status)} }, func(v jqlValue) ([]string, error) {
			for _, k := range []string{CategoryNew, CategoryIndeterminate, CategoryDone} {
				cat := categories[k]
				if strings.EqualFold(v.text, k) || strings.EqualFold(v.text, cat.name) || v.text == cat.id {
					return []string{k}, nil
				}
			}
			return nil, valueError(v, "statusCategory")
		})
	case "priority":
		return setMatcher(c, func(r *issueRec) []string { return one(r.Priority) }, func(v jqlValue) ([]string, error) {
			for _, p := range st.priorities {
				if strings.EqualFold(p.Name, v.text) || p.ID == v.text {
					return []string{p.ID}, nil
				}
			}
			return nil, valueError(v, "priority")
		})
	case "assignee", "reporter":
		get := func(r *issueRec) []string { return one(r.Assignee) }
		if c.field == "reporter" {
			get = func(r *issueRec) []string { return one(r.Reporter) }
		}
		return setMatcher(c, get, func(v jqlValue) ([]string, error) {
			if v.fn == "currentuser" {
				if u := s.currentUser(); u != nil {
					return []string{u.AccountID}, nil
				}
				return nil, nil
			}
			for _, u := range st.users {
				if u.AccountID == v.text || strings.EqualFold(u.Name, v.text) || (u.Email != "" && strings.EqualFold(u.Email, v.text)) || strings.EqualFold(u.DisplayName, v.text) {
					return []string{u.AccountID}, nil
				}
			}
			return nil, valueError(v, c.field)
		})
	case "labels":
		return setMatcher(c, func(r *issueRec) []string { return r.Labels }, func(v jqlValue) ([]string, error) {
			return []string{v.text}, nil
		})
	case "fixversion":
		return setMatcher(c, func(r *issueRec) []string { return r.FixVersions }, func(v jqlValue) ([]string, error) {
			var out []string
			for _, ver := range st.versions {
				switch v.fn {
				case "releasedversions":
					if ver.Released {
						out = append(out, ver.ID)
					}
				case "unreleasedversions":
					if !ver.Released {
						out = append(out, ver.ID)
					}
				default:
					if ver.ID == v.text || strings.EqualFold(ver.Name, v.text) {
						out = append(out, ver.ID)
					}
				}
			}
			if out == nil && v.fn == "" {
				return nil, valueError(v, "fixVersion")
			}
			return out, nil
		})
	case "sprint":
		return setMatcher(c, func(r *issueRec) []string {
			out := make([]string, len(r.Sprints))
			for i, id := range r.Sprints {
				out[i] = strconv.Itoa(id)
			}
			return out
		}, func(v jqlValue) ([]string, error) {
			var out []string
			for _, sp := range st.sprints {
				switch v.fn {
				case "opensprints":
					if sp.State == SprintActive || sp.State == SprintFuture {
						out = append(out, strconv.Itoa(sp.ID))
					}
				case "closedsprints":
					if sp.State == SprintClosed {
						out = append(out, strconv.Itoa(sp.ID))
					}
				default:
					if strconv.Itoa(sp.ID) == v.text || strings.EqualFold(sp.Name, v.text) {
						out = append(out, strconv.Itoa(sp.ID))
					}
				}
			}
			if out == nil && v.fn == "" {
				return nil, valueError(v, "sprint")
			}
			return out, nil
		})
	case "parent", "\"epic link\"", "epic link":
		return setMatcher(c, func(r *issueRec) []string { return one(r.Parent) }, func(v jqlValue) ([]string, error) {
			r := s.lookupIssue(v.text)
			if r == nil {
				return nil, &jqlError{fmt.Sprintf("An issue with key '%s' does not exist for field '%s'.", v.text, c.field)}
			}
			return []string{r.Key}, nil
		})
	case "summary", "text", "description":
		if c.op != "~" && c.op != "!~" {
			return nil, unsupportedOp(c)
		}
		words := strings.Fields(strings.ToLower(strings.Trim(c.values[0].text, "*")))
		neg := c.op == "!~"
		return func(r *issueRec) bool {
			text := strings.ToLower(r.Summary)
			if c.field != "summary" {
				text += " " + strings.ToLower(r.Description)
			}
			for _, w := range words {
				if !strings.Contains(text, w) {
					return neg
				}
			}
			return !neg
		}, nil
	case "updated", "updateddate", "created", "createddate", "resolved", "resolutiondate":
		get := func(r *issueRec) time.Time { return r.Updated }
		switch c.field {
		case "created", "createddate":
			get = func(r *issueRec) time.Time { return r.Created }
		case "resolved", "resolutiondate":
			get = func(r *issueRec) time.Time { return r.Resolved }
		}
		return s.compileTimeClause(c, get)
	case "duedate", "due":
		return s.compileDueClause(c)
	}
	return nil, &jqlError{fmt.Sprintf("Field '%s' does not exist or you do not have permission to view it.", c.field)}
}

func (s *Server) compileKeyClause(c *clause) (func(*issueRec) bool, error) {
	resolve := func(v jqlValue) (int64, *issueRec, error) {
		if n, err := strconv.ParseInt(v.text, 10, 64); err == nil {
			return n, s.st.byID[n], nil
		}
		r := s.lookupIssue(v.text)
		if r == nil {
			return 0, nil, &jqlError{fmt.Sprintf("An issue with key '%s' does not exist for field '%s'.", v.text, c.field)}
		}
		return r.id, r, nil
	}
	switch c.op {
	case "=", "!=", "in", "not in":
		ids := map[int64]bool{}
		for _, v := range c.values {
			id, _, err := resolve(v)
			if err != nil {
				return nil, err
			}
			ids[id] = true
		}
		neg := c.op == "!=" || c.op == "not in"
		return func(r *issueRec) bool { return ids[r.id] != neg }, nil
	case "<", "<=", ">", ">=":
		v := c.values[0]
		if n, err := strconv.ParseInt(v.text, 10, 64); err == nil {
			return func(r *issueRec) bool { return compareOp(c.op, cmp.Compare(r.id, n)) }, nil
		}
		_, ref, err := resolve(v)
		if err != nil {
			return nil, err
		}
		proj, num := ref.Project, ref.num
		return func(r *issueRec) bool { return r.Project == proj && compareOp(c.op, cmp.Compare(r.num, num)) }, nil
	}
	return nil, unsupportedOp(c)
}

func compareOp(op string, c int) bool {
	switch op {
	case "=":
		return c == 0
	case "!=":
		return c != 0
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	case ">=":
		return c >= 0
	}
	return false
}

var periodRE = regexp.MustCompile(`^([+-]?)((?:\d+[wdhm]\s*)+)$`)
var periodPartRE = regexp.MustCompile(`(\d+)([wdhm])`)

// parsePeriod parses a JQL period such as "-90m", "-2h", "4w 2d".
func parsePeriod(v string) (time.Duration, bool) {
	m := periodRE.FindStringSubmatch(strings.TrimSpace(v))
	if m == nil {
		return 0, false
	}
	var d time.Duration
	for _, p := range periodPartRE.FindAllStringSubmatch(m[2], -1) {
		n, _ := strconv.Atoi(p[1])
		unit := map[string]time.Duration{"w": 7 * 24 * time.Hour, "d": 24 * time.Hour, "h": time.Hour, "m": time.Minute}[p[2]]
		d += time.Duration(n) * unit
	}
	if m[1] == "-" {
		d = -d
	}
	return d, true
}

// jqlTime resolves a JQL date value: a period relative to now, an absolute
// date read in the user's time zone with minute precision, or a function.
func (s *Server) jqlTime(v jqlValue, field string) (time.Time, error) {
	now := s.now()
	switch v.fn {
	case "now":
		return now, nil
	case "startofday":
		y, m, d := now.In(s.tz).Date()
		return time.Date(y, m, d, 0, 0, 0, 0, s.tz), nil
	case "endofday":
		y, m, d := now.In(s.tz).Date()
		return time.Date(y, m, d, 23, 59, 59, 999e6, s.tz), nil
	case "":
	default:
		return time.Time{}, &jqlError{fmt.Sprintf("Unable to find JQL function '%s'.", v.text+"()")}
	}
	if d, ok := parsePeriod(v.text); ok {
		return now.Add(d), nil
	}
	for _, layout := range []string{"2006-01-02 15:04", "2006/01/02 15:04", "2006-01-02", "2006/01/02"} {
		if t, err := time.ParseInLocation(layout, v.text, s.tz); err == nil {
			return t, nil
		}
	}
	if ms, err := strconv.ParseInt(v.text, 10, 64); err == nil {
		return time.UnixMilli(ms), nil
	}
	return time.Time{}, &jqlError{fmt.Sprintf("Date value '%s' for field '%s' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'.", v.text, field)}
}

func (s *Server) compileTimeClause(c *clause, get func(*issueRec) time.Time) (func(*issueRec) bool, error) {
	switch c.op {
	case "is", "is not":
		want := c.op == "is"
		return func(r *issueRec) bool { return get(r).IsZero() == want }, nil
	case "in", "not in", "~", "!~":
		return nil, unsupportedOp(c)
	}
	t, err := s.jqlTime(c.values[0], c.field)
	if err != nil {
		return nil, err
	}
	// Jira compares at millisecond precision.
	tm := t.UnixMilli()
	return func(r *issueRec) bool {
		v := get(r)
		if v.IsZero() {
			return false
		}
		return compareOp(c.op, cmp.Compare(v.UnixMilli(), tm))
	}, nil
}

func (s *Server) compileDueClause(c *clause) (func(*issueRec) bool, error) {
	switch c.op {
	case "is", "is not":
		want := c.op == "is"
		return func(r *issueRec) bool { return (r.DueDate == "") == want }, nil
	case "in", "not in", "~", "!~":
		return nil, unsupportedOp(c)
	}
	t, err := s.jqlTime(c.values[0], "duedate")
	if err != nil {
		return nil, err
	}
	day := t.In(s.tz).Format(dateLayout)
	return func(r *issueRec) bool {
		return r.DueDate != "" && compareOp(c.op, strings.Compare(r.DueDate, day))
	}, nil
}

// sortIssues orders rs by the query's ORDER BY (id ascending when absent),
// with id as the final tie-breaker.
func (s *Server) sortIssues(rs []*issueRec, order []sortKey) {
	if len(order) == 0 || (len(order) == 1 && order[0].field == "id" && !order[0].desc) {
		return // candidates are already in id order
	}
	slices.SortStableFunc(rs, func(a, b *issueRec) int {
		for _, o := range order {
			var c int
			switch o.field {
			case "id":
				c = cmp.Compare(a.id, b.id)
			case "key", "issuekey":
				c = cmp.Or(cmp.Compare(a.Project, b.Project), cmp.Compare(a.num, b.num))
			case "updated":
				c = a.Updated.Compare(b.Updated)
			case "created":
				c = a.Created.Compare(b.Created)
			case "resolved", "resolutiondate":
				c = a.Resolved.Compare(b.Resolved)
			case "duedate", "due":
				c = strings.Compare(a.DueDate, b.DueDate)
			case "priority":
				c = strings.Compare(a.Priority, b.Priority)
			case "status":
				c = strings.Compare(a.Status, b.Status)
			case "project":
				c = strings.Compare(a.Project, b.Project)
			}
			if o.desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return cmp.Compare(a.id, b.id)
	})
}
