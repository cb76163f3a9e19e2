package jirasim

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Jira's timestamp layouts.
const (
	timeLayout = "2006-01-02T15:04:05.000-0700"
	dateLayout = "2006-01-02"
	isoMillis  = "2006-01-02T15:04:05.000Z"
)

func formatTime(t time.Time) string { return t.Format(timeLayout) }

// jsonWriter appends JSON to a byte slice without reflection: issues are
// rendered on every search page, so this is the hot path.
type jsonWriter struct {
	b     []byte
	first []bool
}

func (w *jsonWriter) raw(c byte)              { w.b = append(w.b, c) }
func (w *jsonWriter) rawString(s string)      { w.b = append(w.b, s...) }
func (w *jsonWriter) open()                   { w.b = append(w.b, '{'); w.first = append(w.first, true) }
func (w *jsonWriter) openArr()                { w.b = append(w.b, '['); w.first = append(w.first, true) }
func (w *jsonWriter) close()                  { w.b = append(w.b, '}'); w.first = w.first[:len(w.first)-1] }
func (w *jsonWriter) closeArr()               { w.b = append(w.b, ']'); w.first = w.first[:len(w.first)-1] }
func (w *jsonWriter) null()                   { w.b = append(w.b, "null"...) }
func (w *jsonWriter) int(n int64)             { w.b = strconv.AppendInt(w.b, n, 10) }
func (w *jsonWriter) bool(v bool)             { w.b = strconv.AppendBool(w.b, v) }
func (w *jsonWriter) kv(k, v string)          { w.key(k); w.str(v) }
func (w *jsonWriter) kvInt(k string, n int64) { w.key(k); w.int(n) }
func (w *jsonWriter) kvBool(k string, v bool) { w.key(k); w.bool(v) }

// kvURL writes a member whose value is base followed by path parts; the
// parts are ASCII that needs no escaping.
func (w *jsonWriter) kvURL(k, base string, parts ...string) {
	w.key(k)
	w.b = append(w.b, '"')
	w.b = append(w.b, base...)
	for _, p := range parts {
		w.b = append(w.b, p...)
	}
	w.b = append(w.b, '"')
}

// time writes a timestamp in Jira's layout.
func (w *jsonWriter) time(t time.Time) {
	w.b = append(w.b, '"')
	w.b = t.AppendFormat(w.b, timeLayout)
	w.b = append(w.b, '"')
}

// sep writes the comma before the next member or element.
func (w *jsonWriter) sep() {
	i := len(w.first) - 1
	if w.first[i] {
		w.first[i] = false
		return
	}
	w.b = append(w.b, ',')
}

// key writes a member name; names are plain ASCII.
func (w *jsonWriter) key(k string) {
	w.sep()
	w.b = append(w.b, '"')
	w.b = append(w.b, k...)
	w.b = append(w.b, '"', ':')
}

func (w *jsonWriter) strOrNull(s string) {
	if s == "" {
		w.null()
		return
	}
	w.str(s)
}

const hexDigits = "0123456789abcdef"

// str writes a JSON string, replacing invalid UTF-8 like encoding/json.
func (w *jsonWriter) str(s string) {
	b := append(w.b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, `\u202`...)
			b = append(b, hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	w.b = append(b, '"')
}

// fieldSet is the set of fields a request asked for.
type fieldSet struct {
	all  bool
	in   map[string]bool
	out  map[string]bool
	none bool // only id and/or key: render the bare issue
	key  bool // key asked for in a bare issue
	adf  bool // render rich text as Atlassian Document Format (API v3)
}

func (f fieldSet) has(id string) bool {
	if f.out[id] {
		return false
	}
	return f.all || f.in[id]
}

// parseFieldSet reads the fields parameter; def applies when it is empty.
func (s *Server) parseFieldSet(list []string, def string) fieldSet {
	if len(list) == 0 {
		list = []string{def}
	}
	fs := fieldSet{in: map[string]bool{}, out: map[string]bool{}}
	for _, f := range list {
		switch {
		case f == "*all" || f == "*navigable":
			fs.all = true
		case strings.HasPrefix(f, "-"):
			fs.out[f[1:]] = true
		default:
			fs.in[f] = true
		}
	}
	if !fs.all {
		fs.none = true
		for f := range fs.in {
			if f != "id" && f != "key" {
				fs.none = false
			}
		}
		fs.key = fs.in["key"]
	}
	return fs
}

// writeIssue renders one issue bean.
func (s *Server) writeIssue(w *jsonWriter, base string, r *issueRec, fs fieldSet, changelog, truncated bool) {
	id := r.ID
	w.open()
	if fs.none && !changelog {
		w.kv("id", id)
		if fs.key {
			w.kv("key", r.Key)
		}
		w.close()
		return
	}
	w.kv("expand", "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations")
	w.kv("id", id)
	w.kvURL("self", base, "/rest/api/2/issue/", id)
	w.kv("key", r.Key)
	w.key("fields")
	w.open()
	st := s.st
	typ := st.typeByName[r.Type]
	if fs.has("summary") {
		w.kv("summary", r.Summary)
	}
	if fs.has("description") {
		w.key("description")
		if fs.adf {
			writeADF(w, r.Description)
		} else {
			w.strOrNull(r.Description)
		}
	}
	if fs.has("issuetype") {
		w.key("issuetype")
		s.writeIssueType(w, base, typ)
	}
	if fs.has("status") {
		w.key("status")
		s.writeStatus(w, base, st.statusByID[r.Status], false)
	}
	if fs.has("priority") {
		w.key("priority")
		s.writePriority(w, base, r.Priority)
	}
	if fs.has("assignee") {
		w.key("assignee")
		s.writeUser(w, base, st.userByID[r.Assignee])
	}
	if fs.has("reporter") {
		w.key("reporter")
		s.writeUser(w, base, st.userByID[r.Reporter])
	}
	if fs.has("creator") {
		w.key("creator")
		s.writeUser(w, base, st.userByID[r.Reporter])
	}
	if fs.has("created") {
		w.key("created")
		w.time(r.Created.In(s.tz))
	}
	if fs.has("updated") {
		w.key("updated")
		w.time(r.Updated.In(s.tz))
	}
	if fs.has("resolutiondate") {
		w.key("resolutiondate")
		if r.Resolved.IsZero() {
			w.null()
		} else {
			w.time(r.Resolved.In(s.tz))
		}
	}
	if fs.has("resolution") {
		w.key("resolution")
		if r.Resolved.IsZero() {
			w.null()
		} else {
			w.open()
			w.kvURL("self", base, "/rest/api/2/resolution/10000")
			w.kv("id", "10000")
			w.kv("description", "Work has been completed on this issue.")
			w.kv("name", "Done")
			w.close()
		}
	}
	if fs.has("duedate") {
		w.key("duedate")
		w.strOrNull(r.DueDate)
	}
	if fs.has("labels") {
		w.key("labels")
		w.openArr()
		for _, l := range r.Labels {
			w.sep()
			w.str(l)
		}
		w.closeArr()
	}
	if fs.has("components") {
		w.key("components")
		w.openArr()
		for _, c := range r.Components {
			w.sep()
			cid := componentID(c)
			w.open()
			w.kvURL("self", base, "/rest/api/2/component/", cid)
			w.kv("id", cid)
			w.kv("name", c)
			w.close()
		}
		w.closeArr()
	}
	if fs.has("fixVersions") {
		w.key("fixVersions")
		w.openArr()
		for _, vid := range r.FixVersions {
			if v := s.versionByID(vid); v != nil {
				w.sep()
				s.writeVersion(w, base, v, "")
			}
		}
		w.closeArr()
	}
	var parent *issueRec
	if r.Parent != "" {
		parent = st.byKey[r.Parent]
	}
	parentIsEpic := parent != nil && st.typeByName[parent.Type] != nil && st.typeByName[parent.Type].HierarchyLevel == 1
	if fs.has("parent") && parent != nil && (s.flavor == Cloud || !parentIsEpic) {
		w.key("parent")
		s.writeLinkedIssue(w, base, parent)
	}
	if fs.has("issuelinks") {
		w.key("issuelinks")
		w.openArr()
		for _, l := range st.linksOf[r.id] {
			s.writeIssueLink(w, base, r, l)
		}
		w.closeArr()
	}
	for _, f := range [...]struct {
		id string
		v  *int64
	}{{"timeoriginalestimate", r.OriginalEstimate}, {"timeestimate", r.RemainingEstimate}, {"timespent", r.TimeSpent}} {
		if fs.has(f.id) {
			w.key(f.id)
			if f.v == nil {
				w.null()
			} else {
				w.int(*f.v)
			}
		}
	}
	if fs.has("project") {
		p := s.lookupProjectKeyOrID(r.Project)
		w.key("project")
		w.open()
		w.kvURL("self", base, "/rest/api/2/project/", p.ID)
		w.kv("id", p.ID)
		w.kv("key", p.Key)
		w.kv("name", p.Name)
		w.kv("projectTypeKey", "software")
		w.kvBool("simplified", false)
		w.close()
	}
	ids := s.ids
	if fs.has(ids.Sprint) {
		w.key(ids.Sprint)
		s.writeSprints(w, r.Sprints)
	}
	for _, spID := range []string{ids.StoryPoints, ids.StoryPointEstimate} {
		if spID != "" && fs.has(spID) {
			w.key(spID)
			if r.StoryPoints == nil {
				w.null()
			} else {
				w.b = strconv.AppendFloat(w.b, *r.StoryPoints, 'f', -1, 64)
			}
		}
	}
	if fs.has(ids.Flagged) {
		w.key(ids.Flagged)
		if !r.Flagged {
			w.null()
		} else {
			w.openArr()
			w.sep()
			w.open()
			w.kvURL("self", base, "/rest/api/2/customFieldOption/10019")
			w.kv("value", "Impediment")
			w.kv("id", "10019")
			w.close()
			w.closeArr()
		}
	}
	if fs.has(ids.StartDate) {
		w.key(ids.StartDate)
		w.strOrNull(r.StartDate)
	}
	if ids.EpicLink != "" && fs.has(ids.EpicLink) {
		w.key(ids.EpicLink)
		if parentIsEpic {
			w.str(parent.Key)
		} else {
			w.null()
		}
	}
	w.close()
	if changelog {
		w.key("changelog")
		s.writeChangelog(w, base, st.changelog[r.id], truncated)
	}
	w.close()
}

// truncatedHistories is how many recent histories Cloud search returns
// with expand=changelog.
const truncatedHistories = 20

func (s *Server) writeChangelog(w *jsonWriter, base string, hs []History, truncated bool) {
	total := len(hs)
	max := total
	if truncated && len(hs) > truncatedHistories {
		hs = hs[len(hs)-truncatedHistories:]
		max = truncatedHistories
	}
	w.open()
	w.kvInt("startAt", 0)
	w.kvInt("maxResults", int64(max))
	w.kvInt("total", int64(total))
	w.key("histories")
	w.openArr()
	for i := range hs {
		w.sep()
		s.writeHistory(w, base, &hs[i], false)
	}
	w.closeArr()
	w.close()
}

// writeHistory renders a changelog history; bulkfetch gives created as
// integer milliseconds.
func (s *Server) writeHistory(w *jsonWriter, base string, h *History, msCreated bool) {
	w.open()
	w.kv("id", h.ID)
	w.key("author")
	s.writeUser(w, base, s.st.userByID[h.Author])
	w.key("created")
	if msCreated {
		w.int(h.Created.UnixMilli())
	} else {
		w.time(h.Created.In(s.tz))
	}
	w.key("items")
	w.openArr()
	for i := range h.Items {
		it := &h.Items[i]
		w.sep()
		w.open()
		w.kv("field", it.Field)
		w.kv("fieldtype", it.FieldType)
		if s.flavor == Cloud && it.FieldID != "" {
			w.kv("fieldId", it.FieldID)
		}
		w.key("from")
		w.strOrNull(it.From)
		w.key("fromString")
		w.strOrNull(it.FromString)
		w.key("to")
		w.strOrNull(it.To)
		w.key("toString")
		w.strOrNull(it.ToString)
		w.close()
	}
	w.closeArr()
	w.close()
}

func (s *Server) writeSprints(w *jsonWriter, ids []int) {
	if len(ids) == 0 {
		w.null()
		return
	}
	w.openArr()
	for _, id := range ids {
		sp := s.sprintByID(id)
		if sp == nil {
			continue
		}
		w.sep()
		if s.flavor == DataCenter {
			w.str(dcSprintString(sp))
			continue
		}
		w.open()
		w.kvInt("id", int64(sp.ID))
		w.kv("name", sp.Name)
		w.kv("state", sp.State)
		w.kvInt("boardId", int64(sp.BoardID))
		w.kv("goal", sp.Goal)
		for _, d := range [...]struct {
			k string
			t time.Time
		}{{"startDate", sp.StartDate}, {"endDate", sp.EndDate}, {"completeDate", sp.CompleteDate}} {
			if !d.t.IsZero() {
				w.kv(d.k, d.t.UTC().Format(isoMillis))
			}
		}
		w.close()
	}
	w.closeArr()
}

// dcSprintString renders a sprint the way old Jira Server serialises it in
// the sprint custom field.
func dcSprintString(sp *Sprint) string {
	d := func(t time.Time) string {
		if t.IsZero() {
			return "<null>"
		}
		return t.UTC().Format(isoMillis)
	}
	goal := sp.Goal
	if goal == "" {
		goal = "<null>"
	}
	return fmt.Sprintf("com.atlassian.greenhopper.service.sprint.Sprint@%x[id=%d,rapidViewId=%d,state=%s,name=%s,startDate=%s,endDate=%s,completeDate=%s,activatedDate=%s,sequence=%d,goal=%s,autoStartStop=false,synced=false]",
		0x1a2b00+sp.ID*7919, sp.ID, sp.BoardID, strings.ToUpper(sp.State), sp.Name, d(sp.StartDate), d(sp.EndDate), d(sp.CompleteDate), d(sp.StartDate), sp.ID, goal)
}

func (s *Server) writeIssueLink(w *jsonWriter, base string, r *issueRec, l *Link) {
	lt := s.linkTypeByName(l.Type)
	var other *issueRec
	dir := ""
	if l.Inward == r.Key {
		other, dir = s.st.byKey[l.Outward], "outwardIssue"
	} else {
		other, dir = s.st.byKey[l.Inward], "inwardIssue"
	}
	if other == nil || lt == nil {
		return
	}
	w.sep()
	w.open()
	w.kv("id", l.ID)
	w.kvURL("self", base, "/rest/api/2/issueLink/", l.ID)
	w.key("type")
	w.open()
	w.kv("id", lt.ID)
	w.kv("name", lt.Name)
	w.kv("inward", lt.Inward)
	w.kv("outward", lt.Outward)
	w.kvURL("self", base, "/rest/api/2/issueLinkType/", lt.ID)
	w.close()
	w.key(dir)
	s.writeLinkedIssue(w, base, other)
	w.close()
}

// writeLinkedIssue renders the short issue form used in links and parent.
func (s *Server) writeLinkedIssue(w *jsonWriter, base string, r *issueRec) {
	id := r.ID
	w.open()
	w.kv("id", id)
	w.kv("key", r.Key)
	w.kvURL("self", base, "/rest/api/2/issue/", id)
	w.key("fields")
	w.open()
	w.kv("summary", r.Summary)
	w.key("status")
	s.writeStatus(w, base, s.st.statusByID[r.Status], false)
	w.key("priority")
	s.writePriority(w, base, r.Priority)
	w.key("issuetype")
	s.writeIssueType(w, base, s.st.typeByName[r.Type])
	w.close()
	w.close()
}

func (s *Server) writeStatus(w *jsonWriter, base string, st *Status, withScope bool) {
	if st == nil {
		w.null()
		return
	}
	cat := categories[st.CategoryKey]
	w.open()
	w.kvURL("self", base, "/rest/api/2/status/", st.ID)
	w.kv("description", "")
	w.kvURL("iconUrl", base, "/images/icons/statuses/generic.png")
	w.kv("name", st.Name)
	w.kv("id", st.ID)
	w.key("statusCategory")
	w.open()
	w.kvURL("self", base, "/rest/api/2/statuscategory/", cat.id)
	w.kvInt("id", atoi64(cat.id))
	w.kv("key", st.CategoryKey)
	w.kv("colorName", cat.color)
	w.kv("name", cat.name)
	w.close()
	if withScope && s.flavor == Cloud {
		w.key("scope")
		w.rawString(`{"type":"GLOBAL"}`)
	}
	w.close()
}

func (s *Server) writePriority(w *jsonWriter, base, id string) {
	p := s.st.prioByID[id]
	if p == nil {
		w.null()
		return
	}
	w.open()
	w.kvURL("self", base, "/rest/api/2/priority/", p.ID)
	w.kvURL("iconUrl", base, "/images/icons/priorities/", p.ID, ".svg")
	w.kv("name", p.Name)
	w.kv("id", p.ID)
	w.close()
}

func (s *Server) writeIssueType(w *jsonWriter, base string, t *IssueType) {
	if t == nil {
		w.null()
		return
	}
	w.open()
	w.kvURL("self", base, "/rest/api/2/issuetype/", t.ID)
	w.kv("id", t.ID)
	w.kv("description", "")
	w.kvURL("iconUrl", base, "/secure/viewavatar?size=medium&avatarId=", t.ID, "&avatarType=issuetype")
	w.kv("name", t.Name)
	w.kvBool("subtask", t.Subtask)
	if s.flavor == Cloud {
		w.kvInt("hierarchyLevel", int64(t.HierarchyLevel))
	}
	w.close()
}

func (s *Server) writeUser(w *jsonWriter, base string, u *User) {
	if u == nil {
		w.null()
		return
	}
	w.open()
	if s.flavor == Cloud {
		w.kvURL("self", base, "/rest/api/2/user?accountId=", u.AccountID)
		w.kv("accountId", u.AccountID)
		if u.Email != "" {
			w.kv("emailAddress", u.Email)
		}
	} else {
		w.kvURL("self", base, "/rest/api/2/user?username=", u.Name)
		w.kv("name", u.Name)
		w.kv("key", strings.ToLower(u.Name))
		if u.Email != "" {
			w.kv("emailAddress", u.Email)
		}
	}
	w.key("avatarUrls")
	w.open()
	w.kvURL("48x48", base, "/secure/useravatar?avatarId=10122")
	w.close()
	w.kv("displayName", u.DisplayName)
	w.kvBool("active", true)
	w.kv("timeZone", s.tz.String())
	if s.flavor == Cloud {
		w.kv("accountType", "atlassian")
	}
	w.close()
}

func (s *Server) writeVersion(w *jsonWriter, base string, v *Version, projectID string) {
	w.open()
	w.kvURL("self", base, "/rest/api/2/version/", v.ID)
	w.kv("id", v.ID)
	if v.Description != "" {
		w.kv("description", v.Description)
	}
	w.kv("name", v.Name)
	w.kvBool("archived", v.Archived)
	w.kvBool("released", v.Released)
	if v.StartDate != "" {
		w.kv("startDate", v.StartDate)
	}
	if v.ReleaseDate != "" {
		w.kv("releaseDate", v.ReleaseDate)
	}
	if projectID != "" {
		w.kvInt("projectId", atoi64(projectID))
	}
	w.close()
}

func componentID(name string) string {
	h := fnv.New32a()
	h.Write([]byte(name))
	return strconv.Itoa(10000 + int(h.Sum32()%90000))
}

func (s *Server) versionByID(id string) *Version {
	for _, v := range s.st.versions {
		if v.ID == id {
			return v
		}
	}
	return nil
}

func (s *Server) sprintByID(id int) *Sprint {
	for _, sp := range s.st.sprints {
		if sp.ID == id {
			return sp
		}
	}
	return nil
}

func (s *Server) linkTypeByName(name string) *LinkType {
	for i := range s.st.linkTypes {
		if s.st.linkTypes[i].Name == name {
			return &s.st.linkTypes[i]
		}
	}
	return nil
}

// fieldsFor returns the fields of GET /rest/api/2/field and the custom
// field ids for a flavour; ids differ between sites as on real Jira.
func fieldsFor(f Flavor) ([]Field, FieldIDs) {
	sys := func(id, name, typ, items string) Field {
		return Field{ID: id, Key: id, Name: name, Orderable: true, Navigable: true, Searchable: true, ClauseNames: []string{id},
			Schema: &Schema{Type: typ, Items: items, System: id}}
	}
	fields := []Field{
		sys("summary", "Summary", "string", ""),
		sys("description", "Description", "string", ""),
		sys("issuetype", "Issue Type", "issuetype", ""),
		sys("status", "Status", "status", ""),
		sys("priority", "Priority", "priority", ""),
		sys("assignee", "Assignee", "user", ""),
		sys("reporter", "Reporter", "user", ""),
		sys("creator", "Creator", "user", ""),
		sys("created", "Created", "datetime", ""),
		sys("updated", "Updated", "datetime", ""),
		sys("resolutiondate", "Resolved", "datetime", ""),
		sys("resolution", "Resolution", "resolution", ""),
		sys("duedate", "Due date", "date", ""),
		sys("labels", "Labels", "array", "string"),
		sys("components", "Components", "array", "component"),
		sys("fixVersions", "Fix versions", "array", "version"),
		sys("issuelinks", "Linked Issues", "array", "issuelinks"),
		sys("timeoriginalestimate", "Original estimate", "number", ""),
		sys("timeestimate", "Remaining Estimate", "number", ""),
		sys("timespent", "Time Spent", "number", ""),
		sys("project", "Project", "project", ""),
		{ID: "issuekey", Key: "issuekey", Name: "Key", Navigable: true, Searchable: true, ClauseNames: []string{"id", "issue", "issuekey", "key"}},
	}
	fields[10].ClauseNames = []string{"resolutiondate", "resolved"}
	fields[12].ClauseNames = []string{"due", "duedate"}
	fields[15].ClauseNames = []string{"fixVersion"}
	if f == Cloud {
		fields = append(fields, sys("parent", "Parent", "", ""))
		fields[len(fields)-1].Schema = nil
	}
	custom := func(num int64, name, typ, items, plugin string) Field {
		id := "customfield_" + strconv.FormatInt(num, 10)
		return Field{ID: id, Key: id, Name: name, Custom: true, Orderable: true, Navigable: true, Searchable: true,
			ClauseNames: []string{fmt.Sprintf("cf[%d]", num), name}, Schema: &Schema{Type: typ, Items: items, Custom: plugin, CustomID: num}}
	}
	const pt = "com.atlassian.jira.plugin.system.customfieldtypes:"
	var ids FieldIDs
	if f == Cloud {
		ids = FieldIDs{StoryPoints: "customfield_10028", StoryPointEstimate: "customfield_10016", Sprint: "customfield_10020", Flagged: "customfield_10021", StartDate: "customfield_10015"}
		fields = append(fields,
			custom(10015, "Start date", "date", "", pt+"datepicker"),
			custom(10016, "Story point estimate", "number", "", "com.pyxis.greenhopper.jira:jsw-story-points"),
			custom(10019, "Rank", "any", "", "com.pyxis.greenhopper.jira:gh-lexo-rank"),
			custom(10020, "Sprint", "array", "json", "com.pyxis.greenhopper.jira:gh-sprint"),
			custom(10021, "Flagged", "array", "option", pt+"multicheckboxes"),
			custom(10028, "Story Points", "number", "", pt+"float"),
		)
	} else {
		ids = FieldIDs{StoryPoints: "customfield_10106", Sprint: "customfield_10104", Flagged: "customfield_10200", StartDate: "customfield_10300", EpicLink: "customfield_10101"}
		fields = append(fields,
			custom(10100, "Epic Name", "string", "", "com.pyxis.greenhopper.jira:gh-epic-label"),
			custom(10101, "Epic Link", "any", "", "com.pyxis.greenhopper.jira:gh-epic-link"),
			custom(10104, "Sprint", "array", "string", "com.pyxis.greenhopper.jira:gh-sprint"),
			custom(10106, "Story Points", "number", "", pt+"float"),
			custom(10200, "Flagged", "array", "option", pt+"multicheckboxes"),
			custom(10300, "Start date", "date", "", pt+"datepicker"),
		)
	}
	return fields, ids
}

// writeADF renders plain text as an Atlassian Document Format document,
// one paragraph per line, as API v3 returns rich text fields.
func writeADF(w *jsonWriter, text string) {
	if text == "" {
		w.null()
		return
	}
	w.open()
	w.kv("type", "doc")
	w.kvInt("version", 1)
	w.key("content")
	w.openArr()
	for _, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		w.sep()
		w.open()
		w.kv("type", "paragraph")
		w.key("content")
		w.openArr()
		if line != "" {
			w.sep()
			w.open()
			w.kv("type", "text")
			w.kv("text", line)
			w.close()
		}
		w.closeArr()
		w.close()
	}
	w.closeArr()
	w.close()
}
