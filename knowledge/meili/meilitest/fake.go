// Package meilitest is an httptest fake of the part of Meilisearch's HTTP
// API that knowledge/meili uses, following the documented behaviour: API
// keys (401 missing_authorization_header, 403 invalid_api_key),
// asynchronous tasks that go enqueued -> processing -> succeeded or failed
// as they are polled, error bodies {message, code, type, link}, index
// swaps, settings validated like the server does, and a search that
// models Meilisearch's documented ranking rules and _rankingScore (see
// rank.go for what is modelled and what is not). It is a model, not the
// engine: parity with a real server is checked by knowledge/searchtest
// when PASSERELLE_TEST_MEILI_URL is set.
package meilitest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"time"
)

// Server is a fake Meilisearch. Its zero value is not usable; call New.
type Server struct {
	*httptest.Server
	// Key is the master key; empty means no key is required.
	Key string

	mu       sync.Mutex
	indexes  map[string]*index
	tasks    []*task
	requests []Request
	// failNext makes the next task of a type fail (see FailNext).
	failNext map[string]APIError
	// searchDelay delays every search (see SetSearchDelay).
	searchDelay time.Duration
	// locales are the codes localizedAttributes accepts (see SetLocales).
	locales []string
}

// Request is one request the fake received, for assertions.
type Request struct {
	Method, Path string
	Body         []byte
}

// APIError is a Meilisearch error body.
type APIError struct {
	Message string `json:"message"`
	Code    string `json:"code"`
	Type    string `json:"type"`
	Link    string `json:"link"`
}

func apiError(code, typ, format string, args ...any) APIError {
	return APIError{Message: fmt.Sprintf(format, args...), Code: code, Type: typ,
		Link: "https://docs.meilisearch.com/errors#" + code}
}

// New starts a fake server requiring key (empty: none). It is closed with
// the test.
func New(t interface{ Cleanup(func()) }, key string) *Server {
	s := &Server{Key: key, indexes: map[string]*index{}, failNext: map[string]APIError{}, locales: Locales}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]string{"status": "available"})
	})
	handle := func(pattern string, h func(w http.ResponseWriter, r *http.Request, body []byte)) {
		mux.HandleFunc(pattern, s.auth(h))
	}
	handle("POST /indexes", s.createIndex)
	handle("GET /indexes/{uid}", s.getIndex)
	handle("DELETE /indexes/{uid}", s.deleteIndex)
	handle("POST /indexes/{uid}/documents", s.addDocuments)
	handle("POST /indexes/{uid}/documents/fetch", s.fetchDocuments)
	handle("GET /indexes/{uid}/settings", s.getSettings)
	handle("PATCH /indexes/{uid}/settings", s.updateSettings)
	handle("POST /indexes/{uid}/search", s.search)
	handle("POST /multi-search", s.multiSearch)
	handle("POST /swap-indexes", s.swapIndexes)
	handle("GET /tasks/{uid}", s.getTask)
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

// Requests returns the requests received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// FailNext makes the next task of taskType (e.g. "settingsUpdate") fail
// with e when it is processed.
func (s *Server) FailNext(taskType string, e APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext[taskType] = e
}

// SetSearchDelay makes every search wait d before answering (or until the
// client gives up).
func (s *Server) SetSearchDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.searchDelay = d
}

// SetLocales sets the locale codes localizedAttributes accepts (Locales
// by default), as a server version that knows fewer languages would.
func (s *Server) SetLocales(codes []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.locales = slices.Clone(codes)
}

// Indexes returns the uids of the existing indexes, sorted.
func (s *Server) Indexes() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for uid := range s.indexes {
		out = append(out, uid)
	}
	slices.Sort(out)
	return out
}

// Settings returns the settings of an index as Meilisearch's GET
// /indexes/{uid}/settings would, or nil.
func (s *Server) Settings(uid string) *Settings {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ix := s.indexes[uid]; ix != nil {
		c := ix.settings
		return &c
	}
	return nil
}

// Documents returns the number of documents of an index.
func (s *Server) Documents(uid string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ix := s.indexes[uid]; ix != nil {
		return len(ix.docs)
	}
	return 0
}

func (s *Server) auth(h func(w http.ResponseWriter, r *http.Request, body []byte)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var body []byte
		if r.Body != nil {
			var err error
			if body, err = readAll(r); err != nil {
				writeError(w, 400, apiError("bad_request", "invalid_request", "reading body: %v", err))
				return
			}
		}
		s.mu.Lock()
		s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Body: body})
		s.mu.Unlock()
		if s.Key != "" {
			tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			switch {
			case !ok || tok == "":
				writeError(w, 401, apiError("missing_authorization_header", "auth",
					"The Authorization header is missing. It must use the bearer authorization method."))
				return
			case tok != s.Key:
				writeError(w, 403, apiError("invalid_api_key", "auth", "The provided API key is invalid."))
				return
			}
		}
		h(w, r, body)
	}
}

func readAll(r *http.Request) ([]byte, error) {
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := r.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			if err.Error() == "EOF" {
				return []byte(b.String()), nil
			}
			return nil, err
		}
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, e APIError) { writeJSON(w, status, e) }

func notFound(uid string) APIError {
	return apiError("index_not_found", "invalid_request", "Index `%s` not found.", uid)
}

// index is one index.
type index struct {
	uid, primaryKey      string
	createdAt, updatedAt time.Time
	docs                 map[string]map[string]any
	seq                  map[string]int // insertion order of each document id
	settings             Settings
	analysed             *analysedIndex // searchable form; nil when stale
}

func (s *Server) newIndex(uid, pk string) *index {
	now := time.Now().UTC()
	return &index{uid: uid, primaryKey: pk, createdAt: now, updatedAt: now,
		docs: map[string]map[string]any{}, seq: map[string]int{}, settings: defaultSettings()}
}

func (ix *index) view() map[string]any {
	var pk any
	if ix.primaryKey != "" {
		pk = ix.primaryKey
	}
	return map[string]any{"uid": ix.uid, "primaryKey": pk, "createdAt": ix.createdAt, "updatedAt": ix.updatedAt}
}

func validUID(uid string) bool {
	if uid == "" || len(uid) > 400 {
		return false
	}
	for _, r := range uid {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

func (s *Server) createIndex(w http.ResponseWriter, r *http.Request, body []byte) {
	var req struct {
		UID        string `json:"uid"`
		PrimaryKey string `json:"primaryKey"`
	}
	if err := json.Unmarshal(body, &req); err != nil || req.UID == "" {
		writeError(w, 400, apiError("missing_index_uid", "invalid_request", "Missing field `uid`"))
		return
	}
	if !validUID(req.UID) {
		writeError(w, 400, apiError("invalid_index_uid", "invalid_request",
			"`%s` is not a valid index uid. Index uid can be an integer or a string containing only alphanumeric characters, hyphens (-) and underscores (_), and can not be more than 512 bytes.", req.UID))
		return
	}
	s.enqueue(w, req.UID, "indexCreation", func() *APIError {
		if s.indexes[req.UID] != nil {
			e := apiError("index_already_exists", "invalid_request", "Index `%s` already exists.", req.UID)
			return &e
		}
		s.indexes[req.UID] = s.newIndex(req.UID, req.PrimaryKey)
		return nil
	})
}

func (s *Server) getIndex(w http.ResponseWriter, r *http.Request, _ []byte) {
	uid := r.PathValue("uid")
	s.mu.Lock()
	defer s.mu.Unlock()
	ix := s.indexes[uid]
	if ix == nil {
		writeError(w, 404, notFound(uid))
		return
	}
	writeJSON(w, 200, ix.view())
}

func (s *Server) deleteIndex(w http.ResponseWriter, r *http.Request, _ []byte) {
	uid := r.PathValue("uid")
	s.enqueue(w, uid, "indexDeletion", func() *APIError {
		if s.indexes[uid] == nil {
			e := notFound(uid)
			return &e
		}
		delete(s.indexes, uid)
		return nil
	})
}

func (s *Server) addDocuments(w http.ResponseWriter, r *http.Request, body []byte) {
	uid := r.PathValue("uid")
	var docs []map[string]any
	if err := json.Unmarshal(body, &docs); err != nil {
		writeError(w, 400, apiError("malformed_payload", "invalid_request", "The `json` payload provided is malformed. `%v`.", err))
		return
	}
	pk := r.URL.Query().Get("primaryKey")
	s.enqueue(w, uid, "documentAdditionOrUpdate", func() *APIError {
		ix := s.indexes[uid]
		if ix == nil { // implicit creation
			ix = s.newIndex(uid, pk)
			s.indexes[uid] = ix
		}
		if ix.primaryKey == "" {
			ix.primaryKey = pk
		}
		if ix.primaryKey == "" {
			e := apiError("index_primary_key_no_candidate_found", "invalid_request", "The primary key inference failed as the engine did not find any field ending with `id` in its name. Please specify the primary key manually using the `primaryKey` query parameter.")
			return &e
		}
		for _, d := range docs {
			id, ok := d[ix.primaryKey].(string)
			if !ok || !validUID(id) {
				e := apiError("invalid_document_id", "invalid_request", "Document identifier `%v` is invalid. A document identifier can be of type integer or string, only composed of alphanumeric characters (a-z A-Z 0-9), hyphens (-) and underscores (_), and can not be more than 511 bytes.", d[ix.primaryKey])
				return &e
			}
		}
		for _, d := range docs {
			id := d[ix.primaryKey].(string)
			if _, ok := ix.seq[id]; !ok {
				ix.seq[id] = len(ix.seq)
			}
			ix.docs[id] = d
		}
		ix.analysed = nil
		ix.updatedAt = time.Now().UTC()
		return nil
	})
}

func (s *Server) fetchDocuments(w http.ResponseWriter, r *http.Request, body []byte) {
	uid := r.PathValue("uid")
	var q struct {
		Offset, Limit int
		Fields        []string
	}
	q.Limit = 20
	if len(body) > 0 {
		if err := json.Unmarshal(body, &q); err != nil {
			writeError(w, 400, apiError("bad_request", "invalid_request", "%v", err))
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ix := s.indexes[uid]
	if ix == nil {
		writeError(w, 404, notFound(uid))
		return
	}
	ids := ix.ids()
	results := []map[string]any{}
	for i := q.Offset; i < len(ids) && len(results) < q.Limit; i++ {
		results = append(results, project(ix.docs[ids[i]], q.Fields))
	}
	writeJSON(w, 200, map[string]any{"results": results, "offset": q.Offset, "limit": q.Limit, "total": len(ids)})
}

func (ix *index) ids() []string {
	ids := make([]string, 0, len(ix.docs))
	for id := range ix.docs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

func project(d map[string]any, fields []string) map[string]any {
	if len(fields) == 0 || slices.Contains(fields, "*") {
		return d
	}
	out := map[string]any{}
	for _, f := range fields {
		if v, ok := d[f]; ok {
			out[f] = v
		}
	}
	return out
}

func (s *Server) swapIndexes(w http.ResponseWriter, r *http.Request, body []byte) {
	var swaps []struct {
		Indexes []string `json:"indexes"`
		Rename  bool     `json:"rename"`
	}
	if err := json.Unmarshal(body, &swaps); err != nil {
		writeError(w, 400, apiError("bad_request", "invalid_request", "%v", err))
		return
	}
	seen := map[string]bool{}
	for i, sw := range swaps {
		if len(sw.Indexes) != 2 {
			writeError(w, 400, apiError("invalid_swap_indexes", "invalid_request",
				"Two indexes must be given for each swap. The list `%v` contains %d indexes.", sw.Indexes, len(sw.Indexes)))
			return
		}
		for _, uid := range sw.Indexes {
			if seen[uid] {
				writeError(w, 400, apiError("invalid_swap_duplicate_index_found", "invalid_request",
					"Indexes must be declared only once during a swap. `%s` was specified several times (swap %d).", uid, i))
				return
			}
			seen[uid] = true
		}
	}
	s.enqueue(w, "", "indexSwap", func() *APIError {
		for _, sw := range swaps { // all or nothing: check first
			a, b := sw.Indexes[0], sw.Indexes[1]
			if s.indexes[a] == nil {
				e := notFound(a)
				return &e
			}
			if sw.Rename && s.indexes[b] != nil {
				e := apiError("index_already_exists", "invalid_request", "Index `%s` already exists.", b)
				return &e
			}
			if !sw.Rename && s.indexes[b] == nil {
				e := notFound(b)
				return &e
			}
		}
		for _, sw := range swaps {
			a, b := sw.Indexes[0], sw.Indexes[1]
			if sw.Rename {
				ix := s.indexes[a]
				delete(s.indexes, a)
				ix.uid = b
				s.indexes[b] = ix
				continue
			}
			s.indexes[a], s.indexes[b] = s.indexes[b], s.indexes[a]
			s.indexes[a].uid, s.indexes[b].uid = a, b
		}
		return nil
	})
}
