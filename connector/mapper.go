package connector

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/go-json-experiment/json"

	"github.com/radarhq/radar"
	"github.com/radarhq/radar/config"
	"github.com/radarhq/radar/store"
)

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
	f := &w.Fields
	warn := func(field string, err error) {
		warnings = append(warnings, fmt.Sprintf("field %s: %v", field, err))
	}
	for _, o := range f.Odd {
		warn(o.Name, o.Err)
	}
	// dec decodes a custom field; on failure it warns and leaves v untouched.
	dec := func(name string, v any) bool {
		raw, ok := f.Custom[name]
		if !ok || raw.Kind() == 'n' {
			return false
		}
		// Into a new value, copied to v only when it decoded.
		tmp := reflect.New(reflect.TypeOf(v).Elem())
		if err := json.Unmarshal(raw, tmp.Interface(), wireOptions); err != nil {
			warn(name, err)
			return false
		}
		reflect.ValueOf(v).Elem().Set(tmp.Elem())
		return true
	}
	is.Summary, is.Labels = f.Summary, f.Labels
	proj, itype, status, prio, assignee, parent := f.Project, f.IssueType, f.Status, f.Priority, f.Assignee, f.Parent
	is.Project = proj.Key
	if is.Project != "" && !config.ValidProjectKey(is.Project) {
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
	for _, c := range f.Components {
		is.Components = append(is.Components, c.Name)
	}
	for _, v := range f.FixVersions {
		is.FixVersions = append(is.FixVersions, v.ID)
	}
	timeField := func(name, str string, dst *time.Time, parse func(string) (time.Time, error)) {
		t, err := parse(str)
		if err != nil {
			warn(name, err)
			return
		}
		*dst = t
	}
	timeField("created", f.Created, &is.Created, parseTime)
	timeField("updated", f.Updated, &is.Updated, parseTime)
	timeField("resolutiondate", f.Resolved, &is.Resolved, parseTime)
	timeField("duedate", f.Due, &is.Due, parseDate)
	for _, e := range []struct {
		name string
		secs *float64
		dst  *time.Duration
	}{
		{"timeoriginalestimate", f.OriginalEstimate, &is.OriginalEstimate},
		{"timeestimate", f.RemainingEstimate, &is.RemainingEstimate},
		{"timespent", f.TimeSpent, &is.TimeSpent},
	} {
		if e.secs == nil {
			continue
		}
		if secs := *e.secs; secs < 0 || secs > maxEstimate.Seconds() {
			warn(e.name, fmt.Errorf("%g seconds is out of range", secs))
			continue
		}
		*e.dst = time.Duration(*e.secs) * time.Second
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
		var str string
		if dec(m.fields.StartDate, &str) {
			timeField(m.fields.StartDate, str, &is.StartDate, parseDate)
		}
	}
	if m.fields.Sprint != "" {
		if raw, ok := f.Custom[m.fields.Sprint]; ok {
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
	r.Links = m.links(is.ID, is.Key, f.Links)
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
	issueIDRE  = regexp.MustCompile(`^[0-9]{1,18}$`)
	issueKeyRE = regexp.MustCompile(`^[A-Z][A-Z0-9_]*-[0-9]{1,18}$`)
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
