package jirasim

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"errors"
	"hash/fnv"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

const (
	msgUnbounded    = "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."
	msgInvalidToken = "The provided next page token is invalid or expired."
	msgSearchGone   = "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046"
)

// searchParams are the parameters of both search flavours, from the query
// string (GET) or the JSON body (POST).
type searchParams struct {
	JQL           string
	NextPageToken string
	StartAt       int
	MaxResults    int // 0 when not given
	Fields        []string
	Expand        string
}

// stringList decodes a JSON array of strings or one comma-separated string.
type stringList []string

func (l *stringList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*l = splitList([]string{one})
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*l = splitList(many)
	return nil
}

func readSearchParams(r *http.Request) (searchParams, error) {
	var p searchParams
	if r.Method == http.MethodPost {
		var body struct {
			JQL           string     `json:"jql"`
			NextPageToken string     `json:"nextPageToken"`
			StartAt       int        `json:"startAt"`
			MaxResults    int        `json:"maxResults"`
			Fields        stringList `json:"fields"`
			Expand        stringList `json:"expand"`
		}
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&body); err != nil && !errors.Is(err, io.EOF) {
			return p, err
		}
		return searchParams{body.JQL, body.NextPageToken, body.StartAt, body.MaxResults, body.Fields, strings.Join(body.Expand, ",")}, nil
	}
	q := r.URL.Query()
	p.JQL = q.Get("jql")
	p.NextPageToken = q.Get("nextPageToken")
	p.StartAt, _ = strconv.Atoi(q.Get("startAt"))
	p.MaxResults, _ = strconv.Atoi(q.Get("maxResults"))
	p.Fields = splitList(q["fields"])
	p.Expand = strings.Join(q["expand"], ",")
	return p, nil
}

// pageToken is the decoded form of a Cloud nextPageToken.
type pageToken struct {
	Query  uint64 `json:"q"`
	LastID int64  `json:"a"`
	Offset int    `json:"o"`
}

func hashString(parts ...string) uint64 {
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return h.Sum64()
}

func encodeToken(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeToken(tok string, v any) bool {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	return err == nil && json.Unmarshal(b, v) == nil
}

// candidates returns the issues, in id order, that the query's top-level
// project and id conjuncts allow.
func (s *Server) candidates(q *query) []*issueRec {
	list := s.st.issues
	if q.project != "" {
		list = s.st.byProject[q.project]
	}
	lo, _ := slices.BinarySearchFunc(list, q.idLo, func(r *issueRec, id int64) int { return cmp.Compare(r.id, id) })
	hi := len(list)
	if q.idHi < 1<<62 {
		hi, _ = slices.BinarySearchFunc(list, q.idHi+1, func(r *issueRec, id int64) int { return cmp.Compare(r.id, id) })
	}
	if lo >= hi {
		return nil
	}
	return list[lo:hi]
}

func idOrdered(order []sortKey) bool {
	return len(order) == 0 || (len(order) == 1 && order[0].field == "id" && !order[0].desc)
}

func (s *Server) serveSearchGone(w http.ResponseWriter, r *http.Request) {
	writeError(w, http.StatusGone, msgSearchGone)
}

func writeJQLError(w http.ResponseWriter, err error) {
	var je *jqlError
	if errors.As(err, &je) {
		writeError(w, http.StatusBadRequest, je.msg)
		return
	}
	writeError(w, http.StatusBadRequest, err.Error())
}

// serveSearchJQL serves Cloud's enhanced search, paged by nextPageToken.
func (s *Server) serveSearchJQL(w http.ResponseWriter, r *http.Request) {
	p, err := readSearchParams(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, "Invalid request payload. Refer to the REST API documentation and try again.")
		return
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	q, err := s.compileJQL(p.JQL)
	if err != nil {
		writeJQLError(w, err)
		return
	}
	if !q.bounded {
		writeError(w, http.StatusBadRequest, msgUnbounded)
		return
	}
	fs := s.parseFieldSet(p.Fields, "id")
	fs.adf = isV3(r)
	changelog := strings.Contains(p.Expand, "changelog")
	limit := 100
	if fs.none && !changelog {
		limit = 5000
	}
	maxResults := p.MaxResults
	if maxResults <= 0 {
		maxResults = 50
	}
	maxResults = min(maxResults, limit)
	if c := s.pageCap(); c > 0 {
		maxResults = min(maxResults, c)
	}

	qh := hashString(p.JQL)
	tok := pageToken{Query: qh, LastID: -1}
	if p.NextPageToken != "" {
		if s.expireTokens() {
			s.countFault(FaultExpiredToken)
			writeError(w, http.StatusBadRequest, msgInvalidToken)
			return
		}
		if !decodeToken(p.NextPageToken, &tok) || tok.Query != qh {
			writeError(w, http.StatusBadRequest, msgInvalidToken)
			return
		}
	}

	cands := s.candidates(q)
	var page []*issueRec
	more := false
	if idOrdered(q.order) {
		start, _ := slices.BinarySearchFunc(cands, tok.LastID+1, func(r *issueRec, id int64) int { return cmp.Compare(r.id, id) })
		for _, rec := range cands[start:] {
			if !q.match(rec) {
				continue
			}
			if len(page) == maxResults {
				more = true
				break
			}
			page = append(page, rec)
		}
	} else {
		var all []*issueRec
		for _, rec := range cands {
			if q.match(rec) {
				all = append(all, rec)
			}
		}
		s.sortIssues(all, q.order)
		off := min(tok.Offset, len(all))
		end := min(off+maxResults, len(all))
		page, more = all[off:end], end < len(all)
	}

	base := baseURL(r)
	jw := jsonWriter{b: s.buffer()}
	defer func() { s.recycle(jw.b) }()
	jw.open()
	jw.key("issues")
	jw.openArr()
	for _, rec := range page {
		jw.sep()
		s.writeIssue(&jw, base, rec, fs, changelog, true)
	}
	jw.closeArr()
	if more {
		next := pageToken{Query: qh, LastID: page[len(page)-1].id, Offset: tok.Offset + len(page)}
		jw.kv("nextPageToken", encodeToken(next))
	}
	jw.kvBool("isLast", !more)
	jw.close()
	writeRaw(w, http.StatusOK, jw.b)
}

// serveSearchDC serves Data Center's search, paged by startAt with a total.
func (s *Server) serveSearchDC(w http.ResponseWriter, r *http.Request) {
	p, err := readSearchParams(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, "Unexpected request body.")
		return
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	q, err := s.compileJQL(p.JQL)
	if err != nil {
		writeJQLError(w, err)
		return
	}
	fs := s.parseFieldSet(p.Fields, "*navigable")
	maxResults := p.MaxResults
	if maxResults <= 0 {
		maxResults = 50
	}
	maxResults = min(maxResults, 1000)
	startAt := max(p.StartAt, 0)

	var all []*issueRec
	for _, rec := range s.candidates(q) {
		if q.match(rec) {
			all = append(all, rec)
		}
	}
	s.sortIssues(all, q.order)
	off := min(startAt, len(all))
	end := min(off+maxResults, len(all))

	base := baseURL(r)
	jw := jsonWriter{b: s.buffer()}
	defer func() { s.recycle(jw.b) }()
	jw.open()
	jw.kv("expand", "schema,names")
	jw.kvInt("startAt", int64(startAt))
	jw.kvInt("maxResults", int64(maxResults))
	jw.kvInt("total", int64(len(all)))
	jw.key("issues")
	jw.openArr()
	for _, rec := range all[off:end] {
		jw.sep()
		s.writeIssue(&jw, base, rec, fs, strings.Contains(p.Expand, "changelog"), false)
	}
	jw.closeArr()
	jw.close()
	writeRaw(w, http.StatusOK, jw.b)
}

// bulkToken is the decoded nextPageToken of changelog bulkfetch.
type bulkToken struct {
	Request uint64 `json:"r"`
	Issue   int    `json:"i"`
	History int    `json:"h"`
}

// serveBulkChangelog serves POST /rest/api/3/changelog/bulkfetch.
func (s *Server) serveBulkChangelog(w http.ResponseWriter, r *http.Request) {
	var body struct {
		IssueIDsOrKeys []string `json:"issueIdsOrKeys"`
		FieldIDs       []string `json:"fieldIds"`
		MaxResults     int      `json:"maxResults"`
		NextPageToken  string   `json:"nextPageToken"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 8<<20)).Decode(&body); err != nil {
		writeError(w, http.StatusBadRequest, "Invalid request payload. Refer to the REST API documentation and try again.")
		return
	}
	switch {
	case len(body.IssueIDsOrKeys) == 0 || len(body.IssueIDsOrKeys) > 1000:
		writeError(w, http.StatusBadRequest, "The number of issueIdsOrKeys must be between 1 and 1000.")
		return
	case len(body.FieldIDs) > 10:
		writeError(w, http.StatusBadRequest, "The number of fieldIds must not exceed 10.")
		return
	case body.MaxResults > 10000:
		writeError(w, http.StatusBadRequest, "maxResults must not exceed 10000.")
		return
	}
	maxResults := body.MaxResults
	if maxResults <= 0 {
		maxResults = 1000
	}
	reqHash := hashString(append(append([]string{}, body.IssueIDsOrKeys...), append([]string{"|"}, body.FieldIDs...)...)...)
	tok := bulkToken{Request: reqHash}
	if body.NextPageToken != "" {
		if s.expireTokens() {
			s.countFault(FaultExpiredToken)
			writeError(w, http.StatusBadRequest, msgInvalidToken)
			return
		}
		if !decodeToken(body.NextPageToken, &tok) || tok.Request != reqHash {
			writeError(w, http.StatusBadRequest, msgInvalidToken)
			return
		}
	}
	want := map[string]bool{}
	for _, f := range body.FieldIDs {
		want[f] = true
	}

	s.mu.RLock()
	defer s.mu.RUnlock()
	var recs []*issueRec
	seen := map[int64]bool{}
	for _, k := range body.IssueIDsOrKeys {
		if rec := s.lookupIssue(k); rec != nil && !seen[rec.id] {
			seen[rec.id] = true
			recs = append(recs, rec)
		}
	}
	base := baseURL(r)
	jw := jsonWriter{b: s.buffer()}
	defer func() { s.recycle(jw.b) }()
	jw.open()
	jw.key("issueChangeLogs")
	jw.openArr()
	n := 0
	var next *bulkToken
	for i := tok.Issue; i < len(recs) && next == nil; i++ {
		hs := s.st.changelog[recs[i].id]
		j0 := 0
		if i == tok.Issue {
			j0 = tok.History
		}
		opened := false
		for j := j0; j < len(hs); j++ {
			h := hs[j]
			if len(want) > 0 {
				h.Items = slices.DeleteFunc(slices.Clone(h.Items), func(it Item) bool { return !want[it.FieldID] && !want[it.Field] })
				if len(h.Items) == 0 {
					continue
				}
			}
			if n == maxResults {
				next = &bulkToken{Request: reqHash, Issue: i, History: j}
				break
			}
			if !opened {
				jw.sep()
				jw.open()
				jw.kv("issueId", strconv.FormatInt(recs[i].id, 10))
				jw.key("changeHistories")
				jw.openArr()
				opened = true
			}
			jw.sep()
			s.writeHistory(&jw, base, &h, true)
			n++
		}
		if opened {
			jw.closeArr()
			jw.close()
		}
	}
	jw.closeArr()
	if next != nil {
		jw.kv("nextPageToken", encodeToken(next))
	}
	jw.close()
	writeRaw(w, http.StatusOK, jw.b)
}

// serveIssueChangelog serves GET /rest/api/3/issue/{idOrKey}/changelog.
func (s *Server) serveIssueChangelog(w http.ResponseWriter, r *http.Request) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	rec := s.lookupIssue(r.PathValue("idOrKey"))
	if rec == nil {
		writeError(w, http.StatusNotFound, "Issue does not exist or you do not have permission to see it.")
		return
	}
	startAt, maxResults := pageParams(r, 100, 100)
	hs := s.st.changelog[rec.id]
	off := min(startAt, len(hs))
	end := min(off+maxResults, len(hs))
	base := baseURL(r)
	jw := jsonWriter{}
	jw.open()
	jw.kv("self", base+r.URL.RequestURI())
	jw.kvInt("maxResults", int64(maxResults))
	jw.kvInt("startAt", int64(startAt))
	jw.kvInt("total", int64(len(hs)))
	jw.kvBool("isLast", end >= len(hs))
	jw.key("values")
	jw.openArr()
	for i := off; i < end; i++ {
		jw.sep()
		s.writeHistory(&jw, base, &hs[i], false)
	}
	jw.closeArr()
	jw.close()
	writeRaw(w, http.StatusOK, jw.b)
}
