package jirasim

import (
	"cmp"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // the default user time zone must load on any machine
)

// Options configure a Server.
type Options struct {
	// Flavor is Cloud (default) or DataCenter.
	Flavor Flavor
	// Email and Token are the credentials the server accepts: on Cloud basic
	// auth email:token; on Data Center a Bearer token (basic email:token is
	// accepted too). With an empty Token no authentication is required.
	Email, Token string
	// Now is the simulator's clock (default time.Now). Mutations set an
	// issue's updated time from it and relative JQL dates count from it.
	Now func() time.Time
	// UserTimeZone is the zone of the requesting user's profile: absolute
	// JQL dates are read in it and timestamps are rendered in it. Default
	// America/Los_Angeles.
	UserTimeZone *time.Location
	// Logger receives one debug line per request; nil discards.
	Logger *slog.Logger
}

// Server is the simulator. It implements http.Handler and is safe for
// concurrent use.
type Server struct {
	flavor Flavor
	email  string
	token  string
	now    func() time.Time
	tz     *time.Location
	log    *slog.Logger
	fields []Field
	ids    FieldIDs
	mux    *http.ServeMux

	mu sync.RWMutex
	st *state

	reqMu    sync.Mutex
	requests map[string]int

	faults faultState

	bufs sync.Pool // *[]byte: answer buffers of search pages and changelogs
}

// issueRec is an issue as stored: the model plus its numeric id and key
// number.
type issueRec struct {
	Issue
	id  int64
	num int
}

// state is everything the server serves, guarded by Server.mu.
type state struct {
	projects   []Project
	users      []User
	userByID   map[string]*User
	statuses   []Status
	statusByID map[string]*Status
	priorities []Priority
	prioByID   map[string]*Priority
	types      []IssueType
	typeByName map[string]*IssueType
	linkTypes  []LinkType
	versions   []*Version
	boards     []Board
	sprints    []*Sprint

	issues    []*issueRec // sorted by id
	byID      map[int64]*issueRec
	byKey     map[string]*issueRec
	movedKeys map[string]string // old key → current key
	byProject map[string][]*issueRec
	links     map[string]*Link
	linksOf   map[int64][]*Link // by issue id, in link id order
	changelog map[int64][]History

	nextIssueID, nextLinkID, nextHistoryID, nextVersionID int64
	nextNum                                               map[string]int
}

type category struct{ id, name, color string }

var categories = map[string]category{
	CategoryNew:           {"2", "To Do", "blue-gray"},
	CategoryIndeterminate: {"4", "In Progress", "yellow"},
	CategoryDone:          {"3", "Done", "green"},
}

// New returns a server for a copy of sc.
func New(sc *Scenario, opts Options) *Server {
	s := &Server{
		flavor:   opts.Flavor,
		email:    opts.Email,
		token:    opts.Token,
		now:      opts.Now,
		tz:       opts.UserTimeZone,
		log:      opts.Logger,
		requests: map[string]int{},
	}
	if s.flavor != DataCenter {
		s.flavor = Cloud
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.tz == nil {
		tz, err := time.LoadLocation("America/Los_Angeles")
		if err != nil {
			tz = time.FixedZone("PST", -8*3600)
		}
		s.tz = tz
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.log = s.log.With("component", "jirasim")
	s.fields, s.ids = fieldsFor(s.flavor)
	s.st = s.load(sc)
	s.faults.init()
	s.mux = s.routes()
	return s
}

func (s *Server) load(sc *Scenario) *state {
	st := &state{
		projects:   slices.Clone(sc.Projects),
		users:      slices.Clone(sc.Users),
		userByID:   map[string]*User{},
		statuses:   slices.Clone(sc.Statuses),
		statusByID: map[string]*Status{},
		priorities: slices.Clone(sc.Priorities),
		prioByID:   map[string]*Priority{},
		types:      slices.Clone(sc.IssueTypes),
		typeByName: map[string]*IssueType{},
		linkTypes:  slices.Clone(sc.LinkTypes),
		boards:     slices.Clone(sc.Boards),
		byID:       make(map[int64]*issueRec, len(sc.Issues)),
		byKey:      make(map[string]*issueRec, len(sc.Issues)),
		movedKeys:  map[string]string{},
		byProject:  map[string][]*issueRec{},
		links:      make(map[string]*Link, len(sc.Links)),
		linksOf:    map[int64][]*Link{},
		changelog:  make(map[int64][]History, len(sc.Issues)),
		nextNum:    map[string]int{},
	}
	for i := range st.users {
		st.userByID[st.users[i].AccountID] = &st.users[i]
	}
	for i := range st.statuses {
		st.statusByID[st.statuses[i].ID] = &st.statuses[i]
	}
	for i := range st.priorities {
		st.prioByID[st.priorities[i].ID] = &st.priorities[i]
	}
	for i := range st.types {
		st.typeByName[st.types[i].Name] = &st.types[i]
	}
	for _, v := range sc.Versions {
		v := v
		st.versions = append(st.versions, &v)
		st.nextVersionID = max(st.nextVersionID, atoi64(v.ID)+1)
	}
	for _, sp := range sc.Sprints {
		sp := sp
		st.sprints = append(st.sprints, &sp)
	}
	st.issues = make([]*issueRec, 0, len(sc.Issues))
	for _, is := range sc.Issues {
		r := &issueRec{Issue: cloneIssue(is), id: atoi64(is.ID), num: keyNum(is.Key)}
		st.issues = append(st.issues, r)
		st.byID[r.id] = r
		st.byKey[r.Key] = r
		st.nextIssueID = max(st.nextIssueID, r.id+1)
		st.nextNum[r.Project] = max(st.nextNum[r.Project], r.num+1)
	}
	slices.SortFunc(st.issues, func(a, b *issueRec) int { return cmp.Compare(a.id, b.id) })
	for _, r := range st.issues {
		st.byProject[r.Project] = append(st.byProject[r.Project], r)
	}
	for _, l := range sc.Links {
		l := l
		st.links[l.ID] = &l
		st.nextLinkID = max(st.nextLinkID, atoi64(l.ID)+1)
	}
	linkIDs := make([]*Link, 0, len(st.links))
	for _, l := range st.links {
		linkIDs = append(linkIDs, l)
	}
	slices.SortFunc(linkIDs, func(a, b *Link) int { return cmp.Compare(atoi64(a.ID), atoi64(b.ID)) })
	for _, l := range linkIDs {
		for _, k := range []string{l.Inward, l.Outward} {
			if r := st.byKey[k]; r != nil {
				st.linksOf[r.id] = append(st.linksOf[r.id], l)
			}
		}
	}
	for key, hs := range sc.Changelogs {
		r := st.byKey[key]
		if r == nil {
			continue
		}
		hs = slices.Clone(hs)
		for i := range hs {
			hs[i].Items = slices.Clone(hs[i].Items)
			s.fillFieldIDs(hs[i].Items)
			st.nextHistoryID = max(st.nextHistoryID, atoi64(hs[i].ID)+1)
		}
		st.changelog[r.id] = hs
	}
	st.nextIssueID = max(st.nextIssueID, 10000)
	st.nextLinkID = max(st.nextLinkID, 10000)
	st.nextHistoryID = max(st.nextHistoryID, 10000)
	st.nextVersionID = max(st.nextVersionID, 10000)
	return st
}

// fillFieldIDs sets the flavour's ids on custom field changelog items.
func (s *Server) fillFieldIDs(items []Item) {
	for i := range items {
		if items[i].FieldType != "custom" {
			continue
		}
		switch items[i].Field {
		case "Sprint":
			items[i].FieldID = s.ids.Sprint
		case "Flagged":
			items[i].FieldID = s.ids.Flagged
		case "Story Points":
			items[i].FieldID = s.ids.StoryPoints
		case "Story point estimate":
			items[i].FieldID = s.ids.StoryPointEstimate
		case "Start date":
			items[i].FieldID = s.ids.StartDate
		case "Epic Link":
			items[i].FieldID = s.ids.EpicLink
		}
	}
}

func cloneIssue(is Issue) Issue {
	is.Labels = slices.Clone(is.Labels)
	is.Components = slices.Clone(is.Components)
	is.FixVersions = slices.Clone(is.FixVersions)
	is.Sprints = slices.Clone(is.Sprints)
	is.StoryPoints = clonePtr(is.StoryPoints)
	is.OriginalEstimate = clonePtr(is.OriginalEstimate)
	is.RemainingEstimate = clonePtr(is.RemainingEstimate)
	is.TimeSpent = clonePtr(is.TimeSpent)
	return is
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

func atoi64(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

func keyNum(key string) int {
	i := strings.LastIndexByte(key, '-')
	n, _ := strconv.Atoi(key[i+1:])
	return n
}

// FieldIDs returns the site-specific ids of the custom fields.
func (s *Server) FieldIDs() FieldIDs { return s.ids }

// Flavor returns the flavour the server simulates.
func (s *Server) Flavor() Flavor { return s.flavor }

// ServeHTTP serves the Jira REST API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mux.ServeHTTP(w, r)
}

// Requests returns the number of requests served per endpoint name
// ("serverInfo", "field", "issueLinkType", "status", "priority",
// "issuetype", "project", "versions", "board", "sprint", "search",
// "searchGone", "changelog", "issueChangelog", "issue", "myself",
// "notFound"), counting failed and faulted requests too.
func (s *Server) Requests() map[string]int {
	s.reqMu.Lock()
	defer s.reqMu.Unlock()
	out := make(map[string]int, len(s.requests))
	for k, v := range s.requests {
		out[k] = v
	}
	return out
}

// ResetRequests zeroes the request counts.
func (s *Server) ResetRequests() {
	s.reqMu.Lock()
	defer s.reqMu.Unlock()
	clear(s.requests)
}

func (s *Server) count(endpoint string) {
	s.reqMu.Lock()
	s.requests[endpoint]++
	s.reqMu.Unlock()
}

// authorized reports whether the request carries the configured
// credentials.
func (s *Server) authorized(r *http.Request) bool {
	if s.token == "" {
		return true
	}
	h := r.Header.Get("Authorization")
	if s.flavor == DataCenter {
		if tok, ok := strings.CutPrefix(h, "Bearer "); ok {
			return subtle.ConstantTimeCompare([]byte(tok), []byte(s.token)) == 1
		}
	}
	raw, ok := strings.CutPrefix(h, "Basic ")
	if !ok {
		return false
	}
	dec, err := base64.StdEncoding.DecodeString(raw)
	if err != nil {
		return false
	}
	want := s.email + ":" + s.token
	return subtle.ConstantTimeCompare(dec, []byte(want)) == 1
}

// currentUser is the user the credentials belong to, or nil.
func (s *Server) currentUser() *User {
	for i := range s.st.users {
		if u := &s.st.users[i]; s.email != "" && strings.EqualFold(u.Email, s.email) {
			return u
		}
	}
	return nil
}

func (s *Server) lookupProject(v string) *Project {
	for i := range s.st.projects {
		p := &s.st.projects[i]
		if strings.EqualFold(p.Key, v) || p.ID == v || strings.EqualFold(p.Name, v) {
			return p
		}
	}
	return nil
}

// lookupIssue finds an issue by id or key, following moves.
func (s *Server) lookupIssue(idOrKey string) *issueRec {
	if n, err := strconv.ParseInt(idOrKey, 10, 64); err == nil {
		return s.st.byID[n]
	}
	k := strings.ToUpper(idOrKey)
	if r := s.st.byKey[k]; r != nil {
		return r
	}
	if nk, ok := s.st.movedKeys[k]; ok {
		return s.st.byKey[nk]
	}
	return nil
}

func (s *Server) categoryOf(statusID string) string {
	if st := s.st.statusByID[statusID]; st != nil {
		return st.CategoryKey
	}
	return CategoryNew
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "marshal response: "+err.Error())
		return
	}
	writeRaw(w, code, b)
}

// buffer returns an empty buffer for an answer, from earlier answers when
// there is one: pages of a sync are megabytes each, and growing a fresh
// buffer for every one costs the simulator more than rendering it.
func (s *Server) buffer() []byte {
	if b, ok := s.bufs.Get().(*[]byte); ok {
		return (*b)[:0]
	}
	return make([]byte, 0, 64<<10)
}

// recycle returns an answer's buffer once it is written.
func (s *Server) recycle(b []byte) { s.bufs.Put(&b) }

func writeRaw(w http.ResponseWriter, code int, b []byte) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(code)
	w.Write(b)
}

// writeError writes Jira's error body.
func writeError(w http.ResponseWriter, code int, msgs ...string) {
	writeJSON(w, code, map[string]any{"errorMessages": msgs, "errors": map[string]string{}})
}

func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
