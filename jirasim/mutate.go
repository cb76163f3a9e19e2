package jirasim

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ErrNotFound is returned by mutations naming an issue, link or project
// the simulator does not have.
var ErrNotFound = errors.New("jirasim: not found")

// UpdateIssue applies fn to a copy of the issue and stores the result,
// appending a changelog history with an item per changed field (as Jira
// does: status with ids, resolution, duedate, Sprint, Fix Version,
// assignee, priority, summary, labels, story points, Flagged, parent) and
// setting updated to Now(). ID, Key, Project and Created cannot change.
// fn runs under the server's lock: it must not call the Server.
func (s *Server) UpdateIssue(key string, fn func(*Issue)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.lookupIssue(key)
	if r == nil {
		return fmt.Errorf("update issue %s: %w", key, ErrNotFound)
	}
	old := cloneIssue(r.Issue)
	next := cloneIssue(r.Issue)
	fn(&next)
	next.ID, next.Key, next.Project, next.Created = old.ID, old.Key, old.Project, old.Created
	if next.Status != old.Status && s.st.statusByID[next.Status] == nil {
		return fmt.Errorf("update issue %s: status %q: %w", key, next.Status, ErrNotFound)
	}
	now := s.now()
	wasDone, isDone := s.categoryOf(old.Status) == CategoryDone, s.categoryOf(next.Status) == CategoryDone
	if isDone && !wasDone && next.Resolved.IsZero() {
		next.Resolved = now
	}
	if !isDone && wasDone {
		next.Resolved = time.Time{}
	}
	items := s.diff(&old, &next)
	next.Updated = now
	r.Issue = next
	s.appendHistory(r, now, items)
	return nil
}

// Transition moves the issue to the status with the given id.
func (s *Server) Transition(key, statusID string) error {
	return s.UpdateIssue(key, func(is *Issue) { is.Status = statusID })
}

func (s *Server) diff(old, next *Issue) []Item {
	st := s.st
	var items []Item
	add := func(field, fieldID, fieldType, from, fromS, to, toS string) {
		items = append(items, Item{Field: field, FieldID: fieldID, FieldType: fieldType, From: from, FromString: fromS, To: to, ToString: toS})
	}
	if old.Summary != next.Summary {
		add("summary", "summary", "jira", "", old.Summary, "", next.Summary)
	}
	if old.Status != next.Status {
		add("status", "status", "jira", old.Status, st.statusByID[old.Status].Name, next.Status, st.statusByID[next.Status].Name)
	}
	if old.Resolved.IsZero() != next.Resolved.IsZero() {
		if next.Resolved.IsZero() {
			add("resolution", "resolution", "jira", "10000", "Done", "", "")
		} else {
			add("resolution", "resolution", "jira", "", "", "10000", "Done")
		}
	}
	if old.Priority != next.Priority {
		add("priority", "priority", "jira", old.Priority, s.priorityName(old.Priority), next.Priority, s.priorityName(next.Priority))
	}
	if old.Assignee != next.Assignee {
		add("assignee", "assignee", "jira", old.Assignee, s.userName(old.Assignee), next.Assignee, s.userName(next.Assignee))
	}
	if old.DueDate != next.DueDate {
		add("duedate", "duedate", "jira", old.DueDate, dueString(old.DueDate), next.DueDate, dueString(next.DueDate))
	}
	if !slices.Equal(old.Labels, next.Labels) {
		add("labels", "labels", "jira", "", strings.Join(old.Labels, " "), "", strings.Join(next.Labels, " "))
	}
	if !slices.Equal(old.Sprints, next.Sprints) {
		add("Sprint", s.ids.Sprint, "custom", s.sprintIDs(old.Sprints), s.sprintNames(old.Sprints), s.sprintIDs(next.Sprints), s.sprintNames(next.Sprints))
	}
	for _, v := range old.FixVersions {
		if !slices.Contains(next.FixVersions, v) {
			add("Fix Version", "fixVersions", "jira", v, s.versionName(v), "", "")
		}
	}
	for _, v := range next.FixVersions {
		if !slices.Contains(old.FixVersions, v) {
			add("Fix Version", "fixVersions", "jira", "", "", v, s.versionName(v))
		}
	}
	if !ptrEqual(old.StoryPoints, next.StoryPoints) {
		add("Story Points", s.ids.StoryPoints, "custom", "", floatString(old.StoryPoints), "", floatString(next.StoryPoints))
	}
	if old.Flagged != next.Flagged {
		if next.Flagged {
			add("Flagged", s.ids.Flagged, "custom", "", "", "[10019]", "Impediment")
		} else {
			add("Flagged", s.ids.Flagged, "custom", "[10019]", "Impediment", "", "")
		}
	}
	if old.Parent != next.Parent {
		add("Parent", "parent", "jira", s.issueIDString(old.Parent), old.Parent, s.issueIDString(next.Parent), next.Parent)
	}
	if old.Description != next.Description {
		add("description", "description", "jira", "", old.Description, "", next.Description)
	}
	return items
}

func ptrEqual[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func floatString(f *float64) string {
	if f == nil {
		return ""
	}
	return strconv.FormatFloat(*f, 'f', -1, 64)
}

func dueString(d string) string {
	if d == "" {
		return ""
	}
	return d + " 00:00:00.0"
}

func (s *Server) priorityName(id string) string {
	if p := s.st.prioByID[id]; p != nil {
		return p.Name
	}
	return ""
}

func (s *Server) userName(id string) string {
	if u := s.st.userByID[id]; u != nil {
		return u.DisplayName
	}
	return ""
}

func (s *Server) versionName(id string) string {
	if v := s.versionByID(id); v != nil {
		return v.Name
	}
	return ""
}

func (s *Server) issueIDString(key string) string {
	if r := s.st.byKey[key]; r != nil {
		return strconv.FormatInt(r.id, 10)
	}
	return ""
}

func (s *Server) sprintIDs(ids []int) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.Itoa(id)
	}
	return strings.Join(parts, ", ")
}

func (s *Server) sprintNames(ids []int) string {
	var parts []string
	for _, id := range ids {
		if sp := s.sprintByID(id); sp != nil {
			parts = append(parts, sp.Name)
		}
	}
	return strings.Join(parts, ", ")
}

// actor is the author of simulated changes: the authenticated user, or
// the first user.
func (s *Server) actor() string {
	if u := s.currentUser(); u != nil {
		return u.AccountID
	}
	if len(s.st.users) > 0 {
		return s.st.users[0].AccountID
	}
	return ""
}

func (s *Server) appendHistory(r *issueRec, at time.Time, items []Item) {
	if len(items) == 0 {
		return
	}
	id := strconv.FormatInt(s.st.nextHistoryID, 10)
	s.st.nextHistoryID++
	s.st.changelog[r.id] = append(s.st.changelog[r.id], History{ID: id, Author: s.actor(), Created: at, Items: items})
}

// AddIssue adds an issue to is.Project with the next id and key and
// returns the key. Created and Updated default to Now(); Status defaults
// to the first status of the new category.
func (s *Server) AddIssue(is Issue) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.lookupProjectKeyOrID(is.Project)
	if p == nil {
		return "", fmt.Errorf("add issue to project %q: %w", is.Project, ErrNotFound)
	}
	if is.Type == "" {
		is.Type = "Task"
	}
	if s.st.typeByName[is.Type] == nil {
		return "", fmt.Errorf("add issue: type %q: %w", is.Type, ErrNotFound)
	}
	if is.Status == "" {
		for _, st := range s.st.statuses {
			if st.CategoryKey == CategoryNew {
				is.Status = st.ID
				break
			}
		}
	}
	if s.st.statusByID[is.Status] == nil {
		return "", fmt.Errorf("add issue: status %q: %w", is.Status, ErrNotFound)
	}
	now := s.now()
	if is.Created.IsZero() {
		is.Created = now
	}
	if is.Updated.IsZero() {
		is.Updated = now
	}
	r := &issueRec{Issue: cloneIssue(is), id: s.st.nextIssueID, num: s.st.nextNum[p.Key]}
	if r.num == 0 {
		r.num = 1
	}
	s.st.nextIssueID++
	s.st.nextNum[p.Key] = r.num + 1
	r.ID = strconv.FormatInt(r.id, 10)
	r.Project = p.Key
	r.Key = p.Key + "-" + strconv.Itoa(r.num)
	s.st.issues = append(s.st.issues, r)
	s.st.byID[r.id] = r
	s.st.byKey[r.Key] = r
	s.st.byProject[p.Key] = append(s.st.byProject[p.Key], r)
	return r.Key, nil
}

// DeleteIssue removes an issue, its changelog and its links. Like Jira,
// the linked issues' updated times do not change.
func (s *Server) DeleteIssue(key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.lookupIssue(key)
	if r == nil {
		return fmt.Errorf("delete issue %s: %w", key, ErrNotFound)
	}
	for _, l := range slices.Clone(s.st.linksOf[r.id]) {
		s.dropLink(l)
	}
	s.st.issues = removeRec(s.st.issues, r)
	s.st.byProject[r.Project] = removeRec(s.st.byProject[r.Project], r)
	delete(s.st.byID, r.id)
	delete(s.st.byKey, r.Key)
	delete(s.st.changelog, r.id)
	delete(s.st.linksOf, r.id)
	return nil
}

func removeRec(list []*issueRec, r *issueRec) []*issueRec {
	i, ok := slices.BinarySearchFunc(list, r.id, func(x *issueRec, id int64) int { return cmp.Compare(x.id, id) })
	if !ok {
		return list
	}
	return slices.Delete(list, i, i+1)
}

func insertRec(list []*issueRec, r *issueRec) []*issueRec {
	i, _ := slices.BinarySearchFunc(list, r.id, func(x *issueRec, id int64) int { return cmp.Compare(x.id, id) })
	return slices.Insert(list, i, r)
}

// MoveIssue moves an issue to another project: it keeps its id, gets the
// next key there, loses its fix versions, and the old key keeps
// resolving to it.
func (s *Server) MoveIssue(key, toProject string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.lookupIssue(key)
	if r == nil {
		return "", fmt.Errorf("move issue %s: %w", key, ErrNotFound)
	}
	p := s.lookupProjectKeyOrID(toProject)
	if p == nil {
		return "", fmt.Errorf("move issue %s to %q: %w", key, toProject, ErrNotFound)
	}
	oldKey, oldProject := r.Key, s.lookupProjectKeyOrID(r.Project)
	num := max(s.st.nextNum[p.Key], 1)
	s.st.nextNum[p.Key] = num + 1
	newKey := p.Key + "-" + strconv.Itoa(num)
	s.st.byProject[r.Project] = removeRec(s.st.byProject[r.Project], r)
	s.st.byProject[p.Key] = insertRec(s.st.byProject[p.Key], r)
	delete(s.st.byKey, oldKey)
	for k, v := range s.st.movedKeys {
		if v == oldKey {
			s.st.movedKeys[k] = newKey
		}
	}
	s.st.movedKeys[oldKey] = newKey
	for _, l := range s.st.links {
		if l.Inward == oldKey {
			l.Inward = newKey
		}
		if l.Outward == oldKey {
			l.Outward = newKey
		}
	}
	for _, c := range s.st.issues {
		if c.Parent == oldKey {
			c.Parent = newKey
		}
	}
	items := []Item{
		{Field: "project", FieldID: "project", FieldType: "jira", From: oldProject.ID, FromString: oldProject.Name, To: p.ID, ToString: p.Name},
		{Field: "Key", FieldID: "issuekey", FieldType: "jira", FromString: oldKey, ToString: newKey},
	}
	for _, v := range r.FixVersions {
		items = append(items, Item{Field: "Fix Version", FieldID: "fixVersions", FieldType: "jira", From: v, FromString: s.versionName(v)})
	}
	r.Key, r.Project, r.num, r.FixVersions = newKey, p.Key, num, nil
	s.st.byKey[newKey] = r
	now := s.now()
	r.Updated = now
	s.appendHistory(r, now, items)
	return newKey, nil
}

// AddLink links two issues with the named link type (see Link for the
// direction) and returns the link id. Both issues get a "Link" changelog
// item and an updated time of Now().
func (s *Server) AddLink(linkType, outwardKey, inwardKey string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	lt := s.linkTypeByName(linkType)
	out, in := s.lookupIssue(outwardKey), s.lookupIssue(inwardKey)
	if lt == nil || out == nil || in == nil {
		return "", fmt.Errorf("add %s link %s → %s: %w", linkType, inwardKey, outwardKey, ErrNotFound)
	}
	l := &Link{ID: strconv.FormatInt(s.st.nextLinkID, 10), Type: lt.Name, Outward: out.Key, Inward: in.Key}
	s.st.nextLinkID++
	s.st.links[l.ID] = l
	s.st.linksOf[in.id] = append(s.st.linksOf[in.id], l)
	s.st.linksOf[out.id] = append(s.st.linksOf[out.id], l)
	now := s.now()
	for _, e := range []struct {
		r      *issueRec
		phrase string
		other  *issueRec
	}{{in, lt.Outward, out}, {out, lt.Inward, in}} {
		e.r.Updated = now
		s.appendHistory(e.r, now, []Item{{Field: "Link", FieldType: "jira", To: e.other.Key, ToString: "This issue " + e.phrase + " " + e.other.Key}})
	}
	return l.ID, nil
}

// RemoveLink removes a link; both issues get a "Link" changelog item and
// an updated time of Now().
func (s *Server) RemoveLink(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.st.links[id]
	if l == nil {
		return fmt.Errorf("remove link %s: %w", id, ErrNotFound)
	}
	lt := s.linkTypeByName(l.Type)
	in, out := s.st.byKey[l.Inward], s.st.byKey[l.Outward]
	s.dropLink(l)
	now := s.now()
	for _, e := range []struct {
		r      *issueRec
		phrase string
		other  string
	}{{in, lt.Outward, l.Outward}, {out, lt.Inward, l.Inward}} {
		if e.r == nil {
			continue
		}
		e.r.Updated = now
		s.appendHistory(e.r, now, []Item{{Field: "Link", FieldType: "jira", From: e.other, FromString: "This issue " + e.phrase + " " + e.other}})
	}
	return nil
}

func (s *Server) dropLink(l *Link) {
	delete(s.st.links, l.ID)
	for _, k := range []string{l.Inward, l.Outward} {
		if r := s.st.byKey[k]; r != nil {
			s.st.linksOf[r.id] = slices.DeleteFunc(s.st.linksOf[r.id], func(x *Link) bool { return x.ID == l.ID })
		}
	}
}

// SetVersion adds a version (empty ID: the next id is assigned) or
// replaces the version with the same ID. Jira keeps no history of
// versions, so issues are not touched.
func (s *Server) SetVersion(v Version) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lookupProjectKeyOrID(v.Project) == nil {
		return fmt.Errorf("set version %q of project %q: %w", v.Name, v.Project, ErrNotFound)
	}
	if v.ID == "" {
		v.ID = strconv.FormatInt(s.st.nextVersionID, 10)
		s.st.nextVersionID++
	}
	for i, x := range s.st.versions {
		if x.ID == v.ID {
			s.st.versions[i] = &v
			return nil
		}
	}
	s.st.versions = append(s.st.versions, &v)
	return nil
}

// Issues returns copies of all issues in id order.
func (s *Server) Issues() []Issue {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Issue, len(s.st.issues))
	for i, r := range s.st.issues {
		out[i] = cloneIssue(r.Issue)
	}
	return out
}

// Issue returns a copy of one issue by id or key (following moves).
func (s *Server) Issue(idOrKey string) (Issue, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r := s.lookupIssue(idOrKey)
	if r == nil {
		return Issue{}, false
	}
	return cloneIssue(r.Issue), true
}

// Links returns all links in id order.
func (s *Server) Links() []Link {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Link, 0, len(s.st.links))
	for _, l := range s.st.links {
		out = append(out, *l)
	}
	slices.SortFunc(out, func(a, b Link) int { return cmp.Compare(atoi64(a.ID), atoi64(b.ID)) })
	return out
}

// Changelog returns an issue's full changelog, oldest first.
func (s *Server) Changelog(key string) []History {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r := s.lookupIssue(key)
	if r == nil {
		return nil
	}
	hs := slices.Clone(s.st.changelog[r.id])
	for i := range hs {
		hs[i].Items = slices.Clone(hs[i].Items)
	}
	return hs
}

// Sprints returns all sprints.
func (s *Server) Sprints() []Sprint {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Sprint, len(s.st.sprints))
	for i, sp := range s.st.sprints {
		out[i] = *sp
	}
	return out
}

// Versions returns a project's versions.
func (s *Server) Versions(project string) []Version {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []Version
	for _, v := range s.st.versions {
		if v.Project == project {
			out = append(out, *v)
		}
	}
	return out
}

// Statuses returns the statuses.
func (s *Server) Statuses() []Status {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Clone(s.st.statuses)
}

// LinkTypes returns the issue link types.
func (s *Server) LinkTypes() []LinkType {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Clone(s.st.linkTypes)
}

// Projects returns the projects.
func (s *Server) Projects() []Project {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Clone(s.st.projects)
}

// Users returns the users.
func (s *Server) Users() []User {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Clone(s.st.users)
}
