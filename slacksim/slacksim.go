// Package slacksim is a fake Slack for tests and the demo: an http.Handler
// that answers chat.postMessage (message metadata included), chat.update,
// conversations.history, conversations.replies, users.conversations,
// users.lookupByEmail, an incoming webhook and interactions' response_url
// with Slack's real response shapes, builds and signs the block_actions
// requests Slack sends an app when someone clicks a button, records every
// message,
// and fails on demand (429 with Retry-After, 500, dropped connections, a 500
// after doing the work, for a number of requests or for an outage of any
// length, permanent errors per channel). It must not be used to talk to real Slack.
package slacksim

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// DefaultWebhookPath is the incoming webhook path the server answers.
const DefaultWebhookPath = "/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX"

// Options configure a Server.
type Options struct {
	// Token is the bot token requests must carry; empty accepts any token.
	Token string
	// WebhookPath is the incoming webhook's path; default DefaultWebhookPath.
	WebhookPath string
	// WebhookChannel names the channel webhook messages land in; default "#webhook".
	WebhookChannel string
	// Printer, when set, receives each message printed readably, without
	// control characters other than newlines and tabs.
	Printer io.Writer
	// Now, when set, is the clock message ts are taken from, as Slack's
	// are: the microsecond a message arrived, made unique. When nil, ts
	// count up from a fixed moment in 2023, so golden files stay the same
	// run to run; a client that searches history from its own clock's
	// time (oldest) needs Now.
	Now func() time.Time
}

// Fault is a failure the server answers with instead of doing the work.
type Fault int

// Faults.
const (
	// RateLimited answers HTTP 429 with a Retry-After header.
	RateLimited Fault = iota + 1
	// ServerError answers HTTP 500 with an HTML body, as Slack does.
	ServerError
	// Drop closes the connection without answering.
	Drop
	// AcceptThenFail does the request's work (a post is stored and shows in
	// the channel) and then answers HTTP 500, as Slack does when it fails
	// after taking a request: the client cannot tell whether it was posted.
	AcceptThenFail
)

// Update is one chat.update of a message.
type Update struct {
	Text   string
	Blocks json.RawMessage
}

// Metadata is a message's metadata as chat.postMessage's metadata
// parameter gave it.
type Metadata struct {
	EventType    string         `json:"event_type"`
	EventPayload map[string]any `json:"event_payload"`
}

// Message is one message the server accepted.
type Message struct {
	Channel     string // as the client named it
	ChannelID   string
	TS          string
	ThreadTS    string // parent ts for a thread reply
	Text        string
	Blocks      json.RawMessage
	Metadata    *Metadata // nil when the post carried none
	Webhook     bool      // arrived through the incoming webhook
	Updates     []Update
	CurrentText string // text after the last update
}

// User is a workspace member users.lookupByEmail can find.
type User struct {
	ID, Name, Email string
}

// Server is a fake Slack. It is safe for concurrent use.
type Server struct {
	opts Options

	mu            sync.Mutex
	seq           int
	channels      map[string]string // name or id -> id
	users         map[string]User   // by lower-case email
	messages      []*Message
	faults        []fault
	outage        *fault            // answers every request while set
	channelErrors map[string]string // channel (name or id) -> error
	messageErrors map[string]string // text substring -> error
	requests      map[string]int    // method -> count
	methodErrors  map[string]string // API method -> error
	lastTS        int64             // microseconds of the last ts handed out
	responses     []Response        // posts to interactions' response_url
}

type fault struct {
	kind       Fault
	retryAfter int
}

// New returns a Server.
func New(opts Options) *Server {
	if opts.WebhookPath == "" {
		opts.WebhookPath = DefaultWebhookPath
	}
	if opts.WebhookChannel == "" {
		opts.WebhookChannel = "#webhook"
	}
	return &Server{
		opts:          opts,
		channels:      map[string]string{},
		users:         map[string]User{},
		channelErrors: map[string]string{},
		messageErrors: map[string]string{},
		requests:      map[string]int{},
		methodErrors:  map[string]string{},
	}
}

// SetMethodError makes every call of an API method (say
// "conversations.history") answer ok:false with errCode, e.g.
// "missing_scope" for a bot token without the method's scope (the answer
// then names the needed scope, as Slack's does) or "not_in_channel"; an
// empty errCode clears it.
func (s *Server) SetMethodError(method, errCode string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if errCode == "" {
		delete(s.methodErrors, method)
		return
	}
	s.methodErrors[method] = errCode
}

// neededScopes names the scopes Slack says a method needs.
var neededScopes = map[string]string{
	"chat.postMessage":      "chat:write",
	"chat.update":           "chat:write",
	"conversations.history": "channels:history,groups:history,mpim:history,im:history",
	"conversations.replies": "channels:history,groups:history,mpim:history,im:history",
	"users.conversations":   "channels:read,groups:read,mpim:read,im:read",
	"users.lookupByEmail":   "users:read.email",
}

// AddUser registers a workspace member for users.lookupByEmail.
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[strings.ToLower(u.Email)] = u
}

// AddChannel creates a channel by #name, as a workspace holds it before
// the app first posts there, and returns its id. Posting to an unknown
// name creates it too.
func (s *Server) AddChannel(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.channelID(name)
}

// FailNext makes the next n requests (any method, webhook included) fail
// with kind. retryAfter is the Retry-After seconds of RateLimited faults.
func (s *Server) FailNext(n int, kind Fault, retryAfter int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := 0; i < n; i++ {
		s.faults = append(s.faults, fault{kind: kind, retryAfter: retryAfter})
	}
}

// SetOutage makes every request (any method, webhook included) fail with
// kind until it is called again with kind 0: a Slack that stays down for as
// long as the test says, however many requests it gets. retryAfter is the
// Retry-After seconds of RateLimited. Changing kind mid-outage (500s, then
// 429s) takes effect on the next request. Faults queued with FailNext wait
// until the outage is over.
func (s *Server) SetOutage(kind Fault, retryAfter int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if kind == 0 {
		s.outage = nil
		return
	}
	s.outage = &fault{kind: kind, retryAfter: retryAfter}
}

// SetChannelError makes every post to channel (name or id) answer ok:false
// with errCode, e.g. "channel_not_found" or "not_in_channel"; an empty
// errCode clears it.
func (s *Server) SetChannelError(channel, errCode string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if errCode == "" {
		delete(s.channelErrors, channel)
		return
	}
	s.channelErrors[channel] = errCode
}

// SetMessageError makes every post or update whose text contains substr
// answer ok:false with errCode (e.g. "msg_too_long" or "invalid_blocks"; a
// webhook answers HTTP 400 with it), whatever the channel; an empty errCode
// clears it.
func (s *Server) SetMessageError(substr, errCode string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if errCode == "" {
		delete(s.messageErrors, substr)
		return
	}
	s.messageErrors[substr] = errCode
}

// messageError returns the error set for a message's text. The caller holds s.mu.
func (s *Server) messageError(text string) string {
	for sub, e := range s.messageErrors {
		if strings.Contains(text, sub) {
			return e
		}
	}
	return ""
}

// DeleteMessage removes the message with ts in channel (name or id), and
// its thread's replies with it, as a person deleting a thread's parent in
// Slack leaves nothing to reply to: later replies and conversations.replies
// answer thread_not_found. It reports whether the message was there.
func (s *Server) DeleteMessage(channel, ts string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.channelID(channel)
	if s.find(id, ts) == nil {
		return false
	}
	s.messages = slices.DeleteFunc(s.messages, func(m *Message) bool {
		return m.ChannelID == id && (m.TS == ts || m.ThreadTS == ts)
	})
	return true
}

// Messages returns copies of every accepted message in arrival order.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, len(s.messages))
	for i, m := range s.messages {
		out[i] = *m
		out[i].Updates = append([]Update(nil), m.Updates...)
	}
	return out
}

// Requests returns how many requests reached each API method ("webhook" for
// the webhook), faults included.
func (s *Server) Requests() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.requests))
	for k, v := range s.requests {
		out[k] = v
	}
	return out
}

// ServeHTTP answers Slack Web API methods under any prefix ending in
// "/<method>" and the incoming webhook at its path.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	method := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
	if r.URL.Path == s.opts.WebhookPath {
		method = "webhook"
	}
	if strings.HasPrefix(r.URL.Path, ResponseURLPath) {
		method = "response_url"
	}
	s.mu.Lock()
	s.requests[method]++
	var f *fault
	if s.outage != nil {
		o := *s.outage
		f = &o
	} else if len(s.faults) > 0 {
		f = &s.faults[0]
		s.faults = s.faults[1:]
	}
	s.mu.Unlock()
	if f != nil && f.kind == AcceptThenFail {
		s.serve(discard{}, r, method)
		s.fail(w, fault{kind: ServerError})
		return
	}
	if f != nil {
		s.fail(w, *f)
		return
	}
	s.serve(w, r, method)
}

// discard is a ResponseWriter that drops the answer.
type discard struct{}

func (discard) Header() http.Header         { return http.Header{} }
func (discard) Write(p []byte) (int, error) { return len(p), nil }
func (discard) WriteHeader(int)             {}

// serve does the work of one request and answers it.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, method string) {
	if method == "webhook" {
		s.webhook(w, r)
		return
	}
	if method == "response_url" {
		s.response(w, r)
		return
	}
	if strings.HasPrefix(r.URL.Path, "/services/") {
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, "no_service")
		return
	}
	form, err := readForm(r)
	if err != nil {
		writeJSON(w, map[string]any{"ok": false, "error": "invalid_form_data"})
		return
	}
	if e := s.checkAuth(r, form); e != "" {
		writeJSON(w, map[string]any{"ok": false, "error": e})
		return
	}
	s.mu.Lock()
	merr := s.methodErrors[method]
	s.mu.Unlock()
	if merr != "" {
		body := map[string]any{"ok": false, "error": merr}
		if merr == "missing_scope" {
			body["needed"], body["provided"] = neededScopes[method], "chat:write,users:read.email"
		}
		writeJSON(w, body)
		return
	}
	switch method {
	case "chat.postMessage":
		s.postMessage(w, form)
	case "chat.update":
		s.update(w, form)
	case "conversations.history":
		s.history(w, form)
	case "conversations.replies":
		s.replies(w, form)
	case "users.conversations":
		s.userConversations(w, form)
	case "users.lookupByEmail":
		s.lookupByEmail(w, form)
	case "auth.test":
		writeJSON(w, map[string]any{"ok": true, "url": "https://sim.slack.com/", "team": "Sim", "user": "radar", "team_id": "T000", "user_id": "U000RADAR", "bot_id": "B000"})
	default:
		writeJSON(w, map[string]any{"ok": false, "error": "unknown_method"})
	}
}

func (s *Server) fail(w http.ResponseWriter, f fault) {
	switch f.kind {
	case RateLimited:
		w.Header().Set("Retry-After", fmt.Sprint(f.retryAfter))
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusTooManyRequests)
		io.WriteString(w, `{"ok":false,"error":"ratelimited"}`)
	case ServerError:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, "<html><body>Internal Server Error</body></html>")
	case Drop:
		hj, ok := w.(http.Hijacker)
		if !ok {
			panic(http.ErrAbortHandler)
		}
		conn, _, err := hj.Hijack()
		if err == nil {
			conn.Close()
		}
	}
}

// readForm reads url-encoded or JSON request parameters into url.Values.
func readForm(r *http.Request) (url.Values, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/json" {
		var body map[string]any
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			return nil, err
		}
		v := url.Values{}
		for k, x := range body {
			switch x := x.(type) {
			case string:
				v.Set(k, x)
			default:
				b, _ := json.Marshal(x)
				v.Set(k, string(b))
			}
		}
		for k, x := range r.URL.Query() {
			v[k] = x
		}
		return v, nil
	}
	if err := r.ParseForm(); err != nil {
		return nil, err
	}
	return r.Form, nil
}

func (s *Server) checkAuth(r *http.Request, form url.Values) string {
	token := form.Get("token")
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
		token = strings.TrimPrefix(h, "Bearer ")
	}
	if token == "" {
		return "not_authed"
	}
	if s.opts.Token != "" && token != s.opts.Token {
		return "invalid_auth"
	}
	return ""
}

// channelID resolves a channel name or id, creating unknown names. The
// caller holds s.mu.
func (s *Server) channelID(ch string) string {
	if id, ok := s.channels[ch]; ok {
		return id
	}
	id := ch
	if !isChannelID(ch) {
		id = fmt.Sprintf("C%08d", len(s.channels)+1)
		s.channels[id] = id
	}
	s.channels[ch] = id
	return id
}

func isChannelID(ch string) bool {
	if len(ch) < 2 || (ch[0] != 'C' && ch[0] != 'G' && ch[0] != 'D') {
		return false
	}
	for _, r := range ch[1:] {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}

// nextTS returns a new message ts. The caller holds s.mu.
func (s *Server) nextTS() string {
	s.seq++
	if s.opts.Now == nil {
		return fmt.Sprintf("%d.%06d", 1700000000+s.seq/10000, (s.seq%10000)*100)
	}
	us := s.opts.Now().UnixMicro()
	if us <= s.lastTS {
		us = s.lastTS + 1
	}
	s.lastTS = us
	return fmt.Sprintf("%d.%06d", us/1_000_000, us%1_000_000)
}

// tsMicros parses a Slack ts ("1700000000.000100", or whole seconds) into
// microseconds; ok is false for anything else.
func tsMicros(ts string) (int64, bool) {
	sec, frac, _ := strings.Cut(ts, ".")
	n, err := strconv.ParseInt(sec, 10, 64)
	if err != nil || len(frac) > 6 {
		return 0, false
	}
	var us int64
	if frac != "" {
		f, err := strconv.ParseInt((frac + "000000")[:6], 10, 64)
		if err != nil {
			return 0, false
		}
		us = f
	}
	return n*1_000_000 + us, true
}

func (s *Server) channelError(ch, id string) string {
	if e := s.channelErrors[ch]; e != "" {
		return e
	}
	return s.channelErrors[id]
}

func (s *Server) postMessage(w http.ResponseWriter, form url.Values) {
	ch := form.Get("channel")
	if ch == "" {
		writeJSON(w, map[string]any{"ok": false, "error": "channel_not_found"})
		return
	}
	text, blocks := form.Get("text"), form.Get("blocks")
	if text == "" && blocks == "" {
		writeJSON(w, map[string]any{"ok": false, "error": "no_text"})
		return
	}
	if blocks != "" && !ValidBlocks(json.RawMessage(blocks)) {
		writeJSON(w, map[string]any{"ok": false, "error": "invalid_blocks"})
		return
	}
	s.mu.Lock()
	id := s.channelID(ch)
	if e := s.channelError(ch, id); e != "" {
		s.mu.Unlock()
		writeJSON(w, map[string]any{"ok": false, "error": e})
		return
	}
	if e := s.messageError(text); e != "" {
		s.mu.Unlock()
		writeJSON(w, map[string]any{"ok": false, "error": e})
		return
	}
	threadTS := form.Get("thread_ts")
	if threadTS != "" && s.find(id, threadTS) == nil {
		s.mu.Unlock()
		writeJSON(w, map[string]any{"ok": false, "error": "thread_not_found"})
		return
	}
	var meta *Metadata
	if raw := form.Get("metadata"); raw != "" {
		meta = &Metadata{}
		if err := json.Unmarshal([]byte(raw), meta); err != nil || meta.EventType == "" {
			s.mu.Unlock()
			writeJSON(w, map[string]any{"ok": false, "error": "invalid_metadata_format"})
			return
		}
	}
	m := &Message{Channel: ch, ChannelID: id, TS: s.nextTS(), ThreadTS: threadTS, Text: text, CurrentText: text, Metadata: meta}
	if blocks != "" {
		m.Blocks = json.RawMessage(blocks)
	}
	s.messages = append(s.messages, m)
	s.print(m, "")
	s.mu.Unlock()
	writeJSON(w, map[string]any{"ok": true, "channel": id, "ts": m.TS, "message": messageJSON(m, text, m.Blocks)})
}

// readWindow is what conversations.history and conversations.replies were
// asked for: a channel id, a time range and a page.
type readWindow struct {
	channel        string
	oldest, latest int64 // microseconds; latest 0 is now
	inclusive      bool
	limit, offset  int
	metadata       bool
}

// readParams parses the parameters the read methods share; a non-empty
// string is Slack's error code. The caller holds s.mu.
func (s *Server) readParams(form url.Values) (readWindow, string) {
	rw := readWindow{channel: form.Get("channel"), limit: 100, metadata: truthy(form.Get("include_all_metadata")),
		inclusive: truthy(form.Get("inclusive"))}
	// The read methods take a channel id, never a name.
	if !isChannelID(rw.channel) || s.channels[rw.channel] == "" {
		return rw, "channel_not_found"
	}
	var ok bool
	if v := form.Get("oldest"); v != "" {
		if rw.oldest, ok = tsMicros(v); !ok {
			return rw, "invalid_ts_oldest"
		}
	}
	if v := form.Get("latest"); v != "" {
		if rw.latest, ok = tsMicros(v); !ok {
			return rw, "invalid_ts_latest"
		}
	}
	if v := form.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return rw, "invalid_limit"
		}
		rw.limit = min(n, 999)
	}
	if c := form.Get("cursor"); c != "" {
		b, err := base64.StdEncoding.DecodeString(c)
		n, err2 := strconv.Atoi(strings.TrimPrefix(string(b), "offset:"))
		if err != nil || err2 != nil || !strings.HasPrefix(string(b), "offset:") || n < 0 {
			return rw, "invalid_cursor"
		}
		rw.offset = n
	}
	return rw, ""
}

func truthy(v string) bool { return v == "1" || v == "true" }

// in reports whether ts falls in the window's time range.
func (rw readWindow) in(ts string) bool {
	us, _ := tsMicros(ts)
	if rw.inclusive {
		return us >= rw.oldest && (rw.latest == 0 || us <= rw.latest)
	}
	return us > rw.oldest && (rw.latest == 0 || us < rw.latest)
}

// page answers one page of msgs in Slack's shape, with a cursor to the next.
func (rw readWindow) page(w http.ResponseWriter, msgs []map[string]any) {
	from := min(rw.offset, len(msgs))
	to := min(from+rw.limit, len(msgs))
	next := ""
	if to < len(msgs) {
		next = base64.StdEncoding.EncodeToString([]byte("offset:" + strconv.Itoa(to)))
	}
	out := msgs[from:to]
	if out == nil {
		out = []map[string]any{}
	}
	writeJSON(w, map[string]any{"ok": true, "messages": out, "has_more": next != "",
		"response_metadata": map[string]any{"next_cursor": next}})
}

// readJSON is a message as the read methods show it. The caller holds s.mu.
func (s *Server) readJSON(m *Message, rw readWindow) map[string]any {
	j := messageJSON(m, m.CurrentText, m.Blocks)
	if n := len(m.Updates); n > 0 && m.Updates[n-1].Blocks != nil {
		j["blocks"] = m.Updates[n-1].Blocks
	}
	if m.ThreadTS == "" {
		replies := 0
		for _, r := range s.messages {
			if r.ChannelID == m.ChannelID && r.ThreadTS == m.TS {
				replies++
			}
		}
		if replies > 0 {
			j["thread_ts"], j["reply_count"] = m.TS, replies
		}
	}
	if rw.metadata && m.Metadata != nil {
		j["metadata"] = m.Metadata
	}
	return j
}

// history answers conversations.history: the channel's top-level messages
// in the range, newest first.
func (s *Server) history(w http.ResponseWriter, form url.Values) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rw, e := s.readParams(form)
	if e != "" {
		writeJSON(w, map[string]any{"ok": false, "error": e})
		return
	}
	var msgs []map[string]any
	for _, m := range slices.Backward(s.messages) {
		if m.ChannelID == rw.channel && m.ThreadTS == "" && rw.in(m.TS) {
			msgs = append(msgs, s.readJSON(m, rw))
		}
	}
	rw.page(w, msgs)
}

// replies answers conversations.replies: a thread's parent, then its
// replies in the range, oldest first.
func (s *Server) replies(w http.ResponseWriter, form url.Values) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rw, e := s.readParams(form)
	if e != "" {
		writeJSON(w, map[string]any{"ok": false, "error": e})
		return
	}
	parent := s.find(rw.channel, form.Get("ts"))
	if parent == nil || parent.ThreadTS != "" {
		writeJSON(w, map[string]any{"ok": false, "error": "thread_not_found"})
		return
	}
	msgs := []map[string]any{s.readJSON(parent, rw)}
	for _, m := range s.messages {
		if m.ChannelID == rw.channel && m.ThreadTS == parent.TS && rw.in(m.TS) {
			msgs = append(msgs, s.readJSON(m, rw))
		}
	}
	rw.page(w, msgs)
}

// userConversations answers users.conversations: every channel the server
// has seen, the bot a member of each, by id order.
func (s *Server) userConversations(w http.ResponseWriter, form url.Values) {
	s.mu.Lock()
	defer s.mu.Unlock()
	names := map[string]string{} // id -> name
	for alias, id := range s.channels {
		if strings.HasPrefix(alias, "#") {
			names[id] = strings.TrimPrefix(alias, "#")
		} else if names[id] == "" {
			names[id] = strings.ToLower(id)
		}
	}
	ids := make([]string, 0, len(names))
	for id := range names {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	limit, offset := 100, 0
	if v := form.Get("limit"); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n > 0 {
			limit = min(n, 999)
		}
	}
	if c := form.Get("cursor"); c != "" {
		b, _ := base64.StdEncoding.DecodeString(c)
		n, err := strconv.Atoi(strings.TrimPrefix(string(b), "offset:"))
		if err != nil || n < 0 {
			writeJSON(w, map[string]any{"ok": false, "error": "invalid_cursor"})
			return
		}
		offset = n
	}
	from := min(offset, len(ids))
	to := min(from+limit, len(ids))
	chans := []map[string]any{}
	for _, id := range ids[from:to] {
		chans = append(chans, map[string]any{"id": id, "name": names[id], "is_channel": id[0] == 'C',
			"is_group": id[0] == 'G', "is_private": id[0] == 'G', "is_archived": false, "is_member": true})
	}
	next := ""
	if to < len(ids) {
		next = base64.StdEncoding.EncodeToString([]byte("offset:" + strconv.Itoa(to)))
	}
	writeJSON(w, map[string]any{"ok": true, "channels": chans, "response_metadata": map[string]any{"next_cursor": next}})
}

// find returns the message with ts in channel id. The caller holds s.mu.
func (s *Server) find(id, ts string) *Message {
	for _, m := range s.messages {
		if m.ChannelID == id && m.TS == ts {
			return m
		}
	}
	return nil
}

func (s *Server) update(w http.ResponseWriter, form url.Values) {
	ch, ts := form.Get("channel"), form.Get("ts")
	s.mu.Lock()
	// chat.update takes a channel id, not a name.
	if !isChannelID(ch) {
		s.mu.Unlock()
		writeJSON(w, map[string]any{"ok": false, "error": "channel_not_found"})
		return
	}
	if e := s.channelError(ch, ch); e != "" {
		s.mu.Unlock()
		writeJSON(w, map[string]any{"ok": false, "error": e})
		return
	}
	m := s.find(ch, ts)
	if m == nil {
		s.mu.Unlock()
		writeJSON(w, map[string]any{"ok": false, "error": "message_not_found"})
		return
	}
	u := Update{Text: form.Get("text")}
	if e := s.messageError(u.Text); e != "" {
		s.mu.Unlock()
		writeJSON(w, map[string]any{"ok": false, "error": e})
		return
	}
	if b := form.Get("blocks"); b != "" {
		if !ValidBlocks(json.RawMessage(b)) {
			s.mu.Unlock()
			writeJSON(w, map[string]any{"ok": false, "error": "invalid_blocks"})
			return
		}
		u.Blocks = json.RawMessage(b)
	}
	m.Updates = append(m.Updates, u)
	m.CurrentText = u.Text
	s.print(m, "✎ ")
	s.mu.Unlock()
	writeJSON(w, map[string]any{"ok": true, "channel": ch, "ts": ts, "text": u.Text, "message": messageJSON(m, u.Text, u.Blocks)})
}

func messageJSON(m *Message, text string, blocks json.RawMessage) map[string]any {
	msg := map[string]any{"type": "message", "user": "U000RADAR", "bot_id": "B000", "text": text, "ts": m.TS}
	if blocks != nil {
		msg["blocks"] = blocks
	}
	if m.ThreadTS != "" {
		msg["thread_ts"] = m.ThreadTS
	}
	return msg
}

func (s *Server) lookupByEmail(w http.ResponseWriter, form url.Values) {
	s.mu.Lock()
	u, ok := s.users[strings.ToLower(form.Get("email"))]
	s.mu.Unlock()
	if !ok {
		writeJSON(w, map[string]any{"ok": false, "error": "users_not_found"})
		return
	}
	writeJSON(w, map[string]any{"ok": true, "user": map[string]any{
		"id": u.ID, "team_id": "T000", "name": u.Name, "real_name": u.Name, "deleted": false,
		"profile": map[string]any{"email": u.Email, "real_name": u.Name, "display_name": u.Name},
	}})
}

func (s *Server) webhook(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Text     string          `json:"text"`
		Blocks   json.RawMessage `json:"blocks"`
		ThreadTS string          `json:"thread_ts"`
	}
	if r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&body) != nil {
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, "invalid_payload")
		return
	}
	if len(body.Blocks) > 0 && string(body.Blocks) != "null" && !ValidBlocks(body.Blocks) {
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, "invalid_blocks")
		return
	}
	if body.Text == "" && len(body.Blocks) == 0 {
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, "no_text")
		return
	}
	s.mu.Lock()
	ch := s.opts.WebhookChannel
	if e := s.channelError(ch, ch); e != "" {
		s.mu.Unlock()
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, e)
		return
	}
	if e := s.messageError(body.Text); e != "" {
		s.mu.Unlock()
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, e)
		return
	}
	m := &Message{Channel: ch, ChannelID: s.channelID(ch), TS: s.nextTS(), Text: body.Text, CurrentText: body.Text, Webhook: true}
	if len(body.Blocks) > 0 && string(body.Blocks) != "null" {
		m.Blocks = body.Blocks
	}
	s.messages = append(s.messages, m)
	s.print(m, "")
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/html")
	io.WriteString(w, "ok")
}

// print writes a message readably to the Printer. The caller holds s.mu.
func (s *Server) print(m *Message, mark string) {
	if s.opts.Printer == nil {
		return
	}
	arrow := "▸"
	if m.ThreadTS != "" {
		arrow = "  ↳"
	}
	blocks := m.Blocks
	text := m.Text
	if n := len(m.Updates); n > 0 {
		text, blocks = m.Updates[n-1].Text, m.Updates[n-1].Blocks
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s%s\n", m.Channel, arrow, mark, text)
	for _, line := range FlattenBlocks(blocks) {
		fmt.Fprintf(&b, "    %s\n", line)
	}
	io.WriteString(s.opts.Printer, printable(b.String()))
}

// printable drops control characters but newlines and tabs, so text from
// Jira (a summary with an escape sequence) cannot drive the terminal.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return -1
		}
		return r
	}, s)
}

// Block Kit limits Slack enforces, in characters.
const (
	MaxBlocks      = 50
	MaxHeaderText  = 150
	MaxSectionText = 3000
	MaxFields      = 10
	MaxFieldText   = 2000
)

// ValidBlocks reports whether blocks parse and keep Slack's Block Kit
// limits; Slack answers invalid_blocks otherwise.
func ValidBlocks(blocks json.RawMessage) bool {
	var bs []struct {
		Type string `json:"type"`
		Text *struct {
			Type string `json:"type"`
			Text string `json:"text"`
		} `json:"text"`
		Fields   []struct{ Text string } `json:"fields"`
		Elements []json.RawMessage       `json:"elements"`
	}
	if err := json.Unmarshal(blocks, &bs); err != nil || len(bs) > MaxBlocks {
		return false
	}
	for _, b := range bs {
		switch b.Type {
		case "header":
			if b.Text == nil || b.Text.Type != "plain_text" || utf8.RuneCountInString(b.Text.Text) > MaxHeaderText {
				return false
			}
		case "section":
			if b.Text == nil && len(b.Fields) == 0 {
				return false
			}
			if b.Text != nil && (b.Text.Text == "" || utf8.RuneCountInString(b.Text.Text) > MaxSectionText) {
				return false
			}
			if len(b.Fields) > MaxFields {
				return false
			}
			for _, f := range b.Fields {
				if utf8.RuneCountInString(f.Text) > MaxFieldText {
					return false
				}
			}
		case "context":
			if len(b.Elements) == 0 || len(b.Elements) > 10 {
				return false
			}
		case "divider", "actions", "image", "rich_text":
		default:
			return false
		}
	}
	return true
}

// FlattenBlocks returns the text of Block Kit blocks, one line per text line.
func FlattenBlocks(blocks json.RawMessage) []string {
	var bs []struct {
		Type     string                  `json:"type"`
		Text     *struct{ Text string }  `json:"text"`
		Fields   []struct{ Text string } `json:"fields"`
		Elements []struct{ Text string } `json:"elements"`
	}
	if len(blocks) == 0 || json.Unmarshal(blocks, &bs) != nil {
		return nil
	}
	var lines []string
	add := func(s string) {
		for _, l := range strings.Split(s, "\n") {
			if strings.TrimSpace(l) != "" {
				lines = append(lines, l)
			}
		}
	}
	for _, b := range bs {
		if b.Text != nil {
			add(b.Text.Text)
		}
		var fs []string
		for _, f := range b.Fields {
			fs = append(fs, strings.ReplaceAll(f.Text, "\n", " "))
		}
		if len(fs) > 0 {
			add(strings.Join(fs, " · "))
		}
		for _, e := range b.Elements {
			add(e.Text)
		}
		if b.Type == "divider" {
			lines = append(lines, "───")
		}
	}
	return lines
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	json.NewEncoder(w).Encode(v)
}
