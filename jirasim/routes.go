package jirasim

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

func (s *Server) routes() *http.ServeMux {
	m := http.NewServeMux()
	handle := func(pattern, name string, h http.HandlerFunc) { m.HandleFunc(pattern, s.endpoint(name, h)) }
	for _, v := range []string{"2", "3"} {
		api := "/rest/api/" + v
		handle("GET "+api+"/serverInfo", "serverInfo", s.serveServerInfo)
		handle("GET "+api+"/myself", "myself", s.serveMyself)
		handle("GET "+api+"/field", "field", s.serveFields)
		handle("GET "+api+"/issueLinkType", "issueLinkType", s.serveLinkTypes)
		handle("GET "+api+"/status", "status", s.serveStatuses)
		handle("GET "+api+"/priority", "priority", s.servePriorities)
		handle("GET "+api+"/issuetype", "issuetype", s.serveIssueTypes)
		handle("GET "+api+"/project", "project", s.serveProjects)
		handle("GET "+api+"/project/{key}", "project", s.serveProject)
		handle("GET "+api+"/project/{key}/versions", "versions", s.serveVersions)
		handle("GET "+api+"/issue/{idOrKey}", "issue", s.serveIssue)
		if s.flavor == Cloud {
			handle("GET "+api+"/search", "searchGone", s.serveSearchGone)
			handle("POST "+api+"/search", "searchGone", s.serveSearchGone)
			handle("GET "+api+"/search/jql", "search", s.serveSearchJQL)
			handle("POST "+api+"/search/jql", "search", s.serveSearchJQL)
			handle("POST "+api+"/changelog/bulkfetch", "changelog", s.serveBulkChangelog)
			handle("GET "+api+"/issue/{idOrKey}/changelog", "issueChangelog", s.serveIssueChangelog)
		} else if v == "2" {
			handle("GET "+api+"/search", "search", s.serveSearchDC)
			handle("POST "+api+"/search", "search", s.serveSearchDC)
		}
	}
	handle("GET /rest/agile/1.0/board", "board", s.serveBoards)
	handle("GET /rest/agile/1.0/board/{id}/sprint", "sprint", s.serveSprints)
	m.HandleFunc("/", s.endpoint("notFound", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "null for uri: "+baseURL(r)+r.URL.RequestURI())
	}))
	return m
}

func (s *Server) serveServerInfo(w http.ResponseWriter, r *http.Request) {
	info := map[string]any{
		"baseUrl":        baseURL(r),
		"serverTime":     formatTime(s.now().In(s.tz)),
		"serverTitle":    "Jira",
		"scmInfo":        "8f2b7a1c",
		"buildDate":      "2026-10-01T00:00:00.000+0000",
		"version":        "1001.0.0-SNAPSHOT",
		"versionNumbers": []int{1001, 0, 0},
		"deploymentType": "Cloud",
		"buildNumber":    100287,
	}
	if s.flavor == DataCenter {
		info["version"] = "9.12.15"
		info["versionNumbers"] = []int{9, 12, 15}
		info["deploymentType"] = "Server"
		info["buildNumber"] = 9120015
	}
	writeJSON(w, http.StatusOK, info)
}

func (s *Server) serveMyself(w http.ResponseWriter, r *http.Request) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	u := s.currentUser()
	if u == nil {
		u = &User{AccountID: "557058:sim", Name: "sim", DisplayName: "Simulator", Email: s.email}
	}
	var jw jsonWriter
	s.writeUser(&jw, baseURL(r), u)
	writeRaw(w, http.StatusOK, jw.b)
}

func (s *Server) serveFields(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.fields)
}

// Fields returns the fields GET /rest/api/2/field serves.
func (s *Server) Fields() []Field {
	out := make([]Field, len(s.fields))
	copy(out, s.fields)
	return out
}

func (s *Server) serveLinkTypes(w http.ResponseWriter, r *http.Request) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	base := baseURL(r)
	out := make([]map[string]string, len(s.st.linkTypes))
	for i, lt := range s.st.linkTypes {
		out[i] = map[string]string{"id": lt.ID, "name": lt.Name, "inward": lt.Inward, "outward": lt.Outward, "self": base + "/rest/api/2/issueLinkType/" + lt.ID}
	}
	writeJSON(w, http.StatusOK, map[string]any{"issueLinkTypes": out})
}

func (s *Server) serveStatuses(w http.ResponseWriter, r *http.Request) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var jw jsonWriter
	base := baseURL(r)
	jw.raw('[')
	for i := range s.st.statuses {
		if i > 0 {
			jw.raw(',')
		}
		s.writeStatus(&jw, base, &s.st.statuses[i], true)
	}
	jw.raw(']')
	writeRaw(w, http.StatusOK, jw.b)
}

func (s *Server) servePriorities(w http.ResponseWriter, r *http.Request) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	base := baseURL(r)
	out := make([]map[string]string, len(s.st.priorities))
	for i, p := range s.st.priorities {
		out[i] = map[string]string{"id": p.ID, "name": p.Name, "self": base + "/rest/api/2/priority/" + p.ID}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) serveIssueTypes(w http.ResponseWriter, r *http.Request) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	base := baseURL(r)
	out := make([]map[string]any, len(s.st.types))
	for i, t := range s.st.types {
		out[i] = map[string]any{"id": t.ID, "name": t.Name, "subtask": t.Subtask, "hierarchyLevel": t.HierarchyLevel, "self": base + "/rest/api/2/issuetype/" + t.ID}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) projectJSON(base string, p *Project) map[string]any {
	return map[string]any{
		"expand": "description,lead,issueTypes,url,projectKeys,permissions,insight", "self": base + "/rest/api/2/project/" + p.ID,
		"id": p.ID, "key": p.Key, "name": p.Name, "projectTypeKey": "software", "simplified": false,
		"avatarUrls": map[string]string{"48x48": base + "/secure/projectavatar?pid=" + p.ID},
	}
}

func (s *Server) serveProjects(w http.ResponseWriter, r *http.Request) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]map[string]any, len(s.st.projects))
	for i := range s.st.projects {
		out[i] = s.projectJSON(baseURL(r), &s.st.projects[i])
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) serveProject(w http.ResponseWriter, r *http.Request) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p := s.lookupProjectKeyOrID(r.PathValue("key"))
	if p == nil {
		writeError(w, http.StatusNotFound, fmt.Sprintf("No project could be found with key '%s'.", r.PathValue("key")))
		return
	}
	out := s.projectJSON(baseURL(r), p)
	var types []map[string]any
	for _, t := range s.st.types {
		types = append(types, map[string]any{"id": t.ID, "name": t.Name, "subtask": t.Subtask, "hierarchyLevel": t.HierarchyLevel})
	}
	out["issueTypes"] = types
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) lookupProjectKeyOrID(v string) *Project {
	for i := range s.st.projects {
		if p := &s.st.projects[i]; strings.EqualFold(p.Key, v) || p.ID == v {
			return p
		}
	}
	return nil
}

func (s *Server) serveVersions(w http.ResponseWriter, r *http.Request) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p := s.lookupProjectKeyOrID(r.PathValue("key"))
	if p == nil {
		writeError(w, http.StatusNotFound, fmt.Sprintf("No project could be found with key '%s'.", r.PathValue("key")))
		return
	}
	var jw jsonWriter
	jw.raw('[')
	n := 0
	for _, v := range s.st.versions {
		if v.Project != p.Key {
			continue
		}
		if n > 0 {
			jw.raw(',')
		}
		n++
		s.writeVersion(&jw, baseURL(r), v, p.ID)
	}
	jw.raw(']')
	writeRaw(w, http.StatusOK, jw.b)
}

// pageParams reads startAt and maxResults (default def, capped at limit).
func pageParams(r *http.Request, def, limit int) (startAt, maxResults int) {
	startAt, _ = strconv.Atoi(r.URL.Query().Get("startAt"))
	maxResults, err := strconv.Atoi(r.URL.Query().Get("maxResults"))
	if err != nil || maxResults <= 0 {
		maxResults = def
	}
	return max(startAt, 0), min(maxResults, limit)
}

func (s *Server) serveBoards(w http.ResponseWriter, r *http.Request) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	base := baseURL(r)
	startAt, maxResults := pageParams(r, 50, 50)
	filter := r.URL.Query().Get("projectKeyOrId")
	var all []map[string]any
	for _, b := range s.st.boards {
		p := s.lookupProjectKeyOrID(b.Project)
		if p == nil || (filter != "" && p.Key != strings.ToUpper(filter) && p.ID != filter) {
			continue
		}
		all = append(all, map[string]any{
			"id": b.ID, "self": fmt.Sprintf("%s/rest/agile/1.0/board/%d", base, b.ID), "name": b.Name, "type": "scrum",
			"location": map[string]any{"projectId": atoi64(p.ID), "projectKey": p.Key, "projectName": p.Name, "displayName": p.Name + " (" + p.Key + ")"},
		})
	}
	writeJSON(w, http.StatusOK, agilePage(all, startAt, maxResults))
}

func agilePage(all []map[string]any, startAt, maxResults int) map[string]any {
	end := min(startAt+maxResults, len(all))
	page := []map[string]any{}
	if startAt < len(all) {
		page = all[startAt:end]
	}
	return map[string]any{"maxResults": maxResults, "startAt": startAt, "total": len(all), "isLast": end >= len(all), "values": page}
}

func (s *Server) serveSprints(w http.ResponseWriter, r *http.Request) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	id, _ := strconv.Atoi(r.PathValue("id"))
	found := false
	for _, b := range s.st.boards {
		found = found || b.ID == id
	}
	if !found {
		writeError(w, http.StatusNotFound, "Board does not exist or you do not have permission to see it.")
		return
	}
	startAt, maxResults := pageParams(r, 50, 50)
	states := r.URL.Query().Get("state")
	var all []map[string]any
	base := baseURL(r)
	for _, sp := range s.st.sprints {
		if sp.BoardID != id || (states != "" && !strings.Contains(states, sp.State)) {
			continue
		}
		m := map[string]any{"id": sp.ID, "self": fmt.Sprintf("%s/rest/agile/1.0/sprint/%d", base, sp.ID), "state": sp.State, "name": sp.Name, "originBoardId": sp.BoardID, "goal": sp.Goal}
		if !sp.StartDate.IsZero() {
			m["startDate"] = sp.StartDate.UTC().Format(isoMillis)
		}
		if !sp.EndDate.IsZero() {
			m["endDate"] = sp.EndDate.UTC().Format(isoMillis)
		}
		if !sp.CompleteDate.IsZero() {
			m["completeDate"] = sp.CompleteDate.UTC().Format(isoMillis)
		}
		all = append(all, m)
	}
	writeJSON(w, http.StatusOK, agilePage(all, startAt, maxResults))
}

func (s *Server) serveIssue(w http.ResponseWriter, r *http.Request) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	rec := s.lookupIssue(r.PathValue("idOrKey"))
	if rec == nil {
		writeError(w, http.StatusNotFound, "Issue does not exist or you do not have permission to see it.")
		return
	}
	q := r.URL.Query()
	fs := s.parseFieldSet(splitList(q["fields"]), "*all")
	fs.adf = isV3(r)
	var jw jsonWriter
	s.writeIssue(&jw, baseURL(r), rec, fs, strings.Contains(q.Get("expand"), "changelog"), false)
	writeRaw(w, http.StatusOK, jw.b)
}

// splitList flattens repeated and comma-separated parameter values.
func splitList(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// isV3 reports whether the request uses REST API version 3, where rich
// text fields are Atlassian Document Format.
func isV3(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/rest/api/3/") }
