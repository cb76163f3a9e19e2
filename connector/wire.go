package connector

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/store"
)

// Jira's wire shapes, decoded into our own structs.

type wireServerInfo struct {
	BaseURL        string `json:"baseUrl"`
	Version        string `json:"version"`
	DeploymentType string `json:"deploymentType"`
}

type wireField struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Custom bool   `json:"custom"`
	Schema struct {
		Type   string `json:"type"`
		Custom string `json:"custom"`
	} `json:"schema"`
}

type wireLinkTypes struct {
	IssueLinkTypes []wireLinkType `json:"issueLinkTypes"`
}

type wireLinkType struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Inward  string `json:"inward"`
	Outward string `json:"outward"`
}

type wireStatus struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	StatusCategory struct {
		Key string `json:"key"`
	} `json:"statusCategory"`
}

type wireVersion struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Released    bool   `json:"released"`
	Archived    bool   `json:"archived"`
	ReleaseDate string `json:"releaseDate"`
	StartDate   string `json:"startDate"`
}

// wireCloudPage is a page of Cloud's /search/jql: no total, a token instead.
type wireCloudPage struct {
	Issues        []wireIssue `json:"issues"`
	NextPageToken string      `json:"nextPageToken"`
	IsLast        *bool       `json:"isLast"`
}

// wireDCPage is a page of Data Center's /search.
type wireDCPage struct {
	StartAt    int         `json:"startAt"`
	MaxResults int         `json:"maxResults"`
	Total      int         `json:"total"`
	Issues     []wireIssue `json:"issues"`
}

type wireIssue struct {
	ID        string                     `json:"id"`
	Key       string                     `json:"key"`
	Fields    map[string]json.RawMessage `json:"fields"`
	Changelog *wireChangelog             `json:"changelog"`
}

type wireChangelog struct {
	StartAt    int           `json:"startAt"`
	MaxResults int           `json:"maxResults"`
	Total      int           `json:"total"`
	Histories  []wireHistory `json:"histories"`
}

type wireHistory struct {
	ID      string          `json:"id"`
	Author  *wireUser       `json:"author"`
	Created json.RawMessage `json:"created"` // a Jira datetime string, or epoch ms in bulkfetch
	Items   []wireItem      `json:"items"`
}

type wireItem struct {
	Field      string  `json:"field"`
	FieldID    string  `json:"fieldId"`
	From       *string `json:"from"`
	FromString *string `json:"fromString"`
	To         *string `json:"to"`
	ToString   *string `json:"toString"`
}

type wireBulkChangelog struct {
	IssueChangeLogs []struct {
		IssueID         string        `json:"issueId"`
		ChangeHistories []wireHistory `json:"changeHistories"`
	} `json:"issueChangeLogs"`
	NextPageToken string `json:"nextPageToken"`
}

type wireUser struct {
	AccountID    string `json:"accountId"`
	Name         string `json:"name"`
	Key          string `json:"key"`
	DisplayName  string `json:"displayName"`
	EmailAddress string `json:"emailAddress"`
}

type wireNamed struct {
	ID      string `json:"id"`
	Key     string `json:"key"`
	Name    string `json:"name"`
	Subtask bool   `json:"subtask"`
}

type wireStatusRef struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	StatusCategory struct {
		Key string `json:"key"`
	} `json:"statusCategory"`
}

type wireLink struct {
	ID           string       `json:"id"`
	Type         wireLinkType `json:"type"`
	InwardIssue  *wireNamed   `json:"inwardIssue"`
	OutwardIssue *wireNamed   `json:"outwardIssue"`
}

type wireSprint struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	State        string `json:"state"`
	BoardID      int64  `json:"boardId"`
	Goal         string `json:"goal"`
	StartDate    string `json:"startDate"`
	EndDate      string `json:"endDate"`
	CompleteDate string `json:"completeDate"`
}

// Jira's time layouts: its own datetime, RFC 3339 (agile API), and dates.
var timeLayouts = []string{
	"2006-01-02T15:04:05.000-0700",
	"2006-01-02T15:04:05-0700",
	"2006-01-02T15:04:05.000Z07:00",
	time.RFC3339Nano,
	"2006-01-02T15:04:05.000Z",
	"2006-01-02T15:04",
	"02/Jan/06 3:04 PM",
}

// parseTime reads a Jira datetime; empty or "<null>" is the zero time.
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "<null>" || s == "null" {
		return time.Time{}, nil
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("unrecognised time %q", s)
}

// parseDate reads a Jira date ("2006-01-02") as 00:00 UTC.
func parseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if len(s) > 10 {
		t, err := parseTime(s)
		if err != nil {
			return time.Time{}, err
		}
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), nil
	}
	return time.Parse("2006-01-02", s)
}

// parseFlexTime reads a changelog created value: a string, or epoch ms.
func parseFlexTime(raw json.RawMessage) (time.Time, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return time.Time{}, nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return time.Time{}, err
		}
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return time.UnixMilli(n).UTC(), nil
		}
		return parseTime(s)
	}
	n, err := strconv.ParseFloat(string(raw), 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("unrecognised time %s", raw)
	}
	return time.UnixMilli(int64(n)).UTC(), nil
}

// serverSprint matches the old Server string form of a sprint:
// com.atlassian.greenhopper.service.sprint.Sprint@1a2b[id=5,rapidViewId=1,state=CLOSED,name=Sprint 5,...]
var serverSprint = regexp.MustCompile(`(?s)^[\w.]+@\w+\[(.*)\]$`)

// sprintStringKeys are the keys of the Server string form, to split values
// that contain commas (names and goals may).
var sprintStringKeys = []string{"id", "rapidViewId", "state", "name", "goal", "startDate", "endDate", "completeDate", "activatedDate", "sequence", "autoStartStop", "synced", "incompleteIssuesDestinationId"}

func parseServerSprint(s string) (radar.Sprint, error) {
	s = strings.ToValidUTF8(s, "\uFFFD") // names and goals are stored as text
	m := serverSprint.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return radar.Sprint{}, fmt.Errorf("unrecognised sprint %q", s)
	}
	body := m[1]
	// Find each "key=" at the start or after a comma, for known keys only.
	type pos struct {
		key        string
		start, val int
	}
	var ps []pos
	for i := 0; i < len(body); i++ {
		if i != 0 && body[i-1] != ',' {
			continue
		}
		for _, k := range sprintStringKeys {
			if strings.HasPrefix(body[i:], k+"=") {
				ps = append(ps, pos{k, i, i + len(k) + 1})
				break
			}
		}
	}
	vals := map[string]string{}
	for j, p := range ps {
		end := len(body)
		if j+1 < len(ps) {
			end = ps[j+1].start - 1
		}
		v := body[p.val:end]
		if v == "<null>" {
			v = ""
		}
		vals[p.key] = v
	}
	var sp radar.Sprint
	var err error
	if sp.ID, err = strconv.ParseInt(vals["id"], 10, 64); err != nil {
		return radar.Sprint{}, fmt.Errorf("sprint %q: bad id", s)
	}
	sp.BoardID, _ = strconv.ParseInt(vals["rapidViewId"], 10, 64)
	sp.State = strings.ToLower(vals["state"])
	sp.Name = vals["name"]
	sp.Goal = vals["goal"]
	if sp.Start, err = parseTime(vals["startDate"]); err != nil {
		return radar.Sprint{}, err
	}
	if sp.End, err = parseTime(vals["endDate"]); err != nil {
		return radar.Sprint{}, err
	}
	if sp.Complete, err = parseTime(vals["completeDate"]); err != nil {
		return radar.Sprint{}, err
	}
	return sp, nil
}

// parseSprints reads the sprint field in either form: Cloud objects or
// Server strings.
func parseSprints(raw json.RawMessage) ([]radar.Sprint, error) {
	if isNull(raw) {
		return nil, nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, fmt.Errorf("sprint field: %w", err)
	}
	out := make([]radar.Sprint, 0, len(items))
	for _, it := range items {
		it = bytes.TrimSpace(it)
		if len(it) > 0 && it[0] == '"' {
			var s string
			if err := json.Unmarshal(it, &s); err != nil {
				return nil, err
			}
			sp, err := parseServerSprint(s)
			if err != nil {
				return nil, err
			}
			out = append(out, sp)
			continue
		}
		var w wireSprint
		if err := json.Unmarshal(it, &w); err != nil {
			return nil, fmt.Errorf("sprint field: %w", err)
		}
		sp := radar.Sprint{ID: w.ID, Name: w.Name, State: strings.ToLower(w.State), BoardID: w.BoardID, Goal: w.Goal}
		var err error
		if sp.Start, err = parseTime(w.StartDate); err != nil {
			return nil, err
		}
		if sp.End, err = parseTime(w.EndDate); err != nil {
			return nil, err
		}
		if sp.Complete, err = parseTime(w.CompleteDate); err != nil {
			return nil, err
		}
		out = append(out, sp)
	}
	return out, nil
}

func isNull(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || string(raw) == "null"
}

// fieldMap holds the custom field ids of this site.
type fieldMap struct {
	StoryPoints []string // "Story Points" and "Story point estimate": first non-null wins
	Sprint      string
	Flagged     string
	EpicLink    string
	StartDate   string
}

// dependencyRule says how to read one link type.
type dependencyRule struct {
	outwardBlocks bool // true: "X outward Y" means X blocks Y
}

// mapper turns wire issues into store records.
type mapper struct {
	fields fieldMap
	deps   map[string]dependencyRule // by lower-cased link type name
}

// issue maps one wire issue. A field Jira sent in a shape Radar cannot read
// is skipped with a warning rather than failing the sync: one odd value must
// not stop a whole site. Only a missing id or key is an error.
func (m *mapper) issue(w *wireIssue, scope string) (r store.IssueRecord, warnings []string, err error) {
	if w.ID == "" || w.Key == "" {
		return r, nil, fmt.Errorf("an issue without id or key (id %q, key %q)", w.ID, w.Key)
	}
	if !issueIDRE.MatchString(w.ID) || !issueKeyRE.MatchString(w.Key) {
		return r, nil, fmt.Errorf("an issue with a malformed id or key (id %.40q, key %.40q); Jira ids are numbers and keys PROJECT-123", w.ID, w.Key)
	}
	is := &r.Issue
	is.ID, is.Key = w.ID, w.Key
	r.Scope = scope
	f := w.Fields
	warn := func(field string, err error) {
		warnings = append(warnings, fmt.Sprintf("field %s: %v", field, err))
	}
	// dec decodes a field; on failure it warns and leaves v untouched.
	dec := func(name string, v any) bool {
		raw, ok := f[name]
		if !ok || isNull(raw) {
			return false
		}
		if err := json.Unmarshal(raw, v); err != nil {
			warn(name, err)
			return false
		}
		return true
	}
	var proj, itype, prio, parent wireNamed
	var status wireStatusRef
	var assignee wireUser
	var links []wireLink
	var comps, fixes []wireNamed
	dec("summary", &is.Summary)
	dec("project", &proj)
	dec("issuetype", &itype)
	dec("status", &status)
	dec("priority", &prio)
	dec("assignee", &assignee)
	dec("parent", &parent)
	dec("issuelinks", &links)
	dec("labels", &is.Labels)
	dec("components", &comps)
	dec("fixVersions", &fixes)
	is.Project = proj.Key
	if is.Project != "" && !projectKeyRE.MatchString(is.Project) {
		warn("project", fmt.Errorf("malformed project key %.40q", is.Project))
		is.Project = ""
	}
	if is.Project == "" {
		is.Project = is.Key[:strings.LastIndexByte(is.Key, '-')]
	}
	is.Type, is.Subtask = itype.Name, itype.Subtask
	is.Status, is.StatusID = status.Name, status.ID
	is.StatusCategory = radar.StatusCategory(status.StatusCategory.Key)
	is.Priority = prio.Name
	is.AssigneeID = firstNonEmpty(assignee.AccountID, assignee.Name, assignee.Key)
	is.AssigneeName, is.AssigneeEmail = assignee.DisplayName, assignee.EmailAddress
	for _, c := range comps {
		is.Components = append(is.Components, c.Name)
	}
	for _, v := range fixes {
		is.FixVersions = append(is.FixVersions, v.ID)
	}
	timeField := func(name string, dst *time.Time, parse func(string) (time.Time, error)) {
		var str string
		if !dec(name, &str) {
			return
		}
		t, err := parse(str)
		if err != nil {
			warn(name, err)
			return
		}
		*dst = t
	}
	timeField("created", &is.Created, parseTime)
	timeField("updated", &is.Updated, parseTime)
	timeField("resolutiondate", &is.Resolved, parseTime)
	timeField("duedate", &is.Due, parseDate)
	for name, dst := range map[string]*time.Duration{"timeoriginalestimate": &is.OriginalEstimate, "timeestimate": &is.RemainingEstimate, "timespent": &is.TimeSpent} {
		var secs float64
		if dec(name, &secs) {
			if secs < 0 || secs > maxEstimate.Seconds() {
				warn(name, fmt.Errorf("%g seconds is out of range", secs))
				continue
			}
			*dst = time.Duration(secs) * time.Second
		}
	}
	// Hierarchy: a sub-task's parent; on Cloud a standard issue's parent is its epic.
	if parent.Key != "" {
		if is.Subtask {
			is.ParentKey = parent.Key
		} else {
			is.EpicKey = parent.Key
		}
	}
	if m.fields.EpicLink != "" && is.EpicKey == "" {
		dec(m.fields.EpicLink, &is.EpicKey)
	}
	for name, k := range map[string]*string{"parent": &is.ParentKey, "epic": &is.EpicKey} {
		if *k != "" && !issueKeyRE.MatchString(*k) {
			warn(name, fmt.Errorf("malformed issue key %.40q", *k))
			*k = ""
		}
	}
	for _, id := range m.fields.StoryPoints {
		var pts float64
		if dec(id, &pts) {
			is.StoryPoints = &pts
			break
		}
	}
	if m.fields.Flagged != "" {
		var flags []struct {
			Value string `json:"value"`
		}
		dec(m.fields.Flagged, &flags)
		is.Flagged = len(flags) > 0
	}
	if m.fields.StartDate != "" {
		timeField(m.fields.StartDate, &is.StartDate, parseDate)
	}
	if m.fields.Sprint != "" {
		if raw, ok := f[m.fields.Sprint]; ok {
			sps, err := parseSprints(raw)
			if err != nil {
				warn(m.fields.Sprint, err)
			}
			r.Sprints = sps
			for _, sp := range sps {
				is.SprintIDs = append(is.SprintIDs, sp.ID)
			}
		}
	}
	r.Links = m.links(is.ID, is.Key, links)
	if n := len(r.Links); n > 0 {
		r.Links = slices.DeleteFunc(r.Links, func(l store.LinkRecord) bool {
			return !issueIDRE.MatchString(l.BlockerID) || !issueIDRE.MatchString(l.BlockedID) ||
				!issueKeyRE.MatchString(l.BlockerKey) || !issueKeyRE.MatchString(l.BlockedKey)
		})
		if d := n - len(r.Links); d > 0 {
			warn("issuelinks", fmt.Errorf("%d links to a malformed issue id or key dropped", d))
		}
	}
	return r, warnings, nil
}

// What Jira's ids and keys look like; anything else is not an issue.
var (
	issueIDRE    = regexp.MustCompile(`^[0-9]{1,18}$`)
	issueKeyRE   = regexp.MustCompile(`^[A-Z][A-Z0-9_]*-[0-9]{1,18}$`)
	projectKeyRE = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)
)

// maxEstimate bounds the time estimates Radar believes.
const maxEstimate = 100 * 365 * 24 * time.Hour

// links normalises the issue's dependency links to blocker → blocked.
func (m *mapper) links(id, key string, links []wireLink) []store.LinkRecord {
	var out []store.LinkRecord
	for _, l := range links {
		rule, ok := m.deps[strings.ToLower(l.Type.Name)]
		if !ok {
			continue
		}
		var other *wireNamed
		outward := false // the other issue is on the outward side: "this outward other"
		switch {
		case l.OutwardIssue != nil:
			other, outward = l.OutwardIssue, true
		case l.InwardIssue != nil:
			other = l.InwardIssue
		default:
			continue
		}
		rec := store.LinkRecord{ID: l.ID, Type: l.Type.Name}
		// "X blocks Y" (outward, blocks) and "X is dependent of Y"... reduce to:
		// thisBlocks is true when this issue is the blocker.
		thisBlocks := outward == rule.outwardBlocks
		if thisBlocks {
			rec.BlockerID, rec.BlockerKey, rec.BlockedID, rec.BlockedKey = id, key, other.ID, other.Key
		} else {
			rec.BlockerID, rec.BlockerKey, rec.BlockedID, rec.BlockedKey = other.ID, other.Key, id, key
		}
		out = append(out, rec)
	}
	return out
}

// changes converts histories into changelog rows, oldest first.
func changes(key string, hs []wireHistory) ([]radar.Change, error) {
	out := make([]radar.Change, 0, len(hs)*2)
	for _, h := range hs {
		t, err := parseFlexTime(h.Created)
		if err != nil {
			return nil, fmt.Errorf("changelog of %s: %w", key, err)
		}
		author := ""
		if h.Author != nil {
			author = firstNonEmpty(h.Author.DisplayName, h.Author.Name, h.Author.AccountID)
		}
		for _, it := range h.Items {
			out = append(out, radar.Change{IssueKey: key, HistoryID: h.ID, Author: author, Created: t,
				Field: it.Field, FieldID: it.FieldID, From: deref(it.From), FromString: deref(it.FromString),
				To: deref(it.To), ToString: deref(it.ToString)})
		}
	}
	sortChanges(out)
	return out, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

func toVersion(project string, w wireVersion) (radar.Version, error) {
	v := radar.Version{ID: w.ID, Project: project, Name: w.Name, Released: w.Released, Archived: w.Archived}
	var err error
	if v.ReleaseDate, err = parseDate(w.ReleaseDate); err != nil {
		return v, fmt.Errorf("version %s release date: %w", w.Name, err)
	}
	if v.StartDate, err = parseDate(w.StartDate); err != nil {
		return v, fmt.Errorf("version %s start date: %w", w.Name, err)
	}
	return v, nil
}
