package meilitest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// searchRequest is the body of a search (the part the fake models).
type searchRequest struct {
	IndexUID             string   `json:"indexUid"`
	Q                    string   `json:"q"`
	Limit                *int     `json:"limit"`
	Offset               int      `json:"offset"`
	Filter               any      `json:"filter"`
	AttributesToRetrieve []string `json:"attributesToRetrieve"`
	ShowRankingScore     bool     `json:"showRankingScore"`
	MatchingStrategy     string   `json:"matchingStrategy"`
	AttributesToSearchOn []string `json:"attributesToSearchOn"`
}

func (s *Server) search(w http.ResponseWriter, r *http.Request, body []byte) {
	var req searchRequest
	if err := json.Unmarshal(body, &req); err != nil {
		writeError(w, 400, apiError("bad_request", "invalid_request", "%v", err))
		return
	}
	req.IndexUID = r.PathValue("uid")
	if !s.wait(r) {
		return
	}
	res, e, status := s.run(req)
	if e != nil {
		writeError(w, status, *e)
		return
	}
	writeJSON(w, 200, res)
}

func (s *Server) multiSearch(w http.ResponseWriter, r *http.Request, body []byte) {
	var req struct {
		Queries []searchRequest `json:"queries"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		writeError(w, 400, apiError("bad_request", "invalid_request", "%v", err))
		return
	}
	if !s.wait(r) {
		return
	}
	results := []map[string]any{}
	for i, q := range req.Queries {
		res, e, status := s.run(q)
		if e != nil {
			e.Message = fmt.Sprintf("Inside `.queries[%d]`: %s", i, e.Message)
			writeError(w, status, *e)
			return
		}
		res["indexUid"] = q.IndexUID
		results = append(results, res)
	}
	writeJSON(w, 200, map[string]any{"results": results})
}

// wait applies the search delay; false when the client went away.
func (s *Server) wait(r *http.Request) bool {
	s.mu.Lock()
	d := s.searchDelay
	s.mu.Unlock()
	if d == 0 {
		return true
	}
	select {
	case <-time.After(d):
		return true
	case <-r.Context().Done():
		return false
	}
}

func (s *Server) run(req searchRequest) (map[string]any, *APIError, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ix := s.indexes[req.IndexUID]
	if ix == nil {
		e := notFound(req.IndexUID)
		return nil, &e, 404
	}
	filter, e := parseFilter(req.Filter, ix.settings.FilterableAttributes)
	if e != nil {
		return nil, e, 400
	}
	strategy := cmp.Or(req.MatchingStrategy, "last")
	if !slices.Contains([]string{"last", "all", "frequency"}, strategy) {
		e := apiError("invalid_search_matching_strategy", "invalid_request",
			"Unknown value `%s` at `.matchingStrategy`: expected one of `last`, `all`, `frequency`", strategy)
		return nil, &e, 400
	}
	limit := 20
	if req.Limit != nil {
		limit = *req.Limit
	}
	a := ix.analyse()
	if len(req.AttributesToSearchOn) > 0 {
		var e *APIError
		if a, e = ix.restrict(a, req.AttributesToSearchOn); e != nil {
			return nil, e, 400
		}
	}
	var docs []*analysedDoc
	for _, d := range a.docs {
		if filter(ix.docs[d.id]) {
			docs = append(docs, d)
		}
	}
	var found []scoredDoc
	if terms := ix.parseQuery(req.Q, a); len(terms) > 0 {
		found = ix.rankDocs(a, docs, terms, strategy)
	} else { // placeholder search: every document, in id order, score 1
		for _, d := range docs {
			found = append(found, scoredDoc{doc: d, score: 1})
		}
	}
	total := len(found)
	if req.Offset < len(found) {
		found = found[req.Offset:]
	} else {
		found = nil
	}
	if len(found) > limit {
		found = found[:limit]
	}
	hits := []map[string]any{}
	for _, f := range found {
		h := project(ix.docs[f.doc.id], req.AttributesToRetrieve)
		if !slices.Contains(ix.settings.DisplayedAttributes, "*") {
			h = project(h, ix.settings.DisplayedAttributes)
		}
		h = maps(h)
		if req.ShowRankingScore {
			h["_rankingScore"] = f.score
		}
		hits = append(hits, h)
	}
	return map[string]any{"hits": hits, "query": req.Q, "processingTimeMs": 0, "limit": limit,
		"offset": req.Offset, "estimatedTotalHits": total}, nil, 200
}

func maps(m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}

// parseFilter reads the filters the adapter may send: a string of
// `attribute = value` conditions joined by AND, or an array of such
// strings (all must hold).
func parseFilter(f any, filterable []string) (func(map[string]any) bool, *APIError) {
	var conds []string
	switch f := f.(type) {
	case nil:
		return func(map[string]any) bool { return true }, nil
	case string:
		conds = splitAnd(f)
	case []any:
		for _, x := range f {
			s, ok := x.(string)
			if !ok {
				e := apiError("invalid_search_filter", "invalid_request", "Invalid syntax for the filter parameter: `expected String, Array, found: %v`.", x)
				return nil, &e
			}
			conds = append(conds, splitAnd(s)...)
		}
	default:
		e := apiError("invalid_search_filter", "invalid_request", "Invalid syntax for the filter parameter: `expected String, Array, found: %v`.", f)
		return nil, &e
	}
	type cond struct{ attr, value string }
	var cs []cond
	for _, c := range conds {
		attr, value, ok := strings.Cut(c, "=")
		attr, value = strings.TrimSpace(attr), strings.Trim(strings.TrimSpace(value), `"'`)
		if !ok || attr == "" {
			e := apiError("invalid_search_filter", "invalid_request", "Was expecting an operation `=`, `!=`, `>=`, `>`, `<=`, `<`, `IN`, `NOT IN`, `TO`, `EXISTS`, `NOT EXISTS`, `IS NULL`, `IS NOT NULL`, `IS EMPTY`, `IS NOT EMPTY`, `_geoRadius`, or `_geoBoundingBox` at `%s`.", c)
			return nil, &e
		}
		if !slices.Contains(filterable, attr) {
			e := apiError("invalid_search_filter", "invalid_request", "Attribute `%s` is not filterable. Available filterable attribute patterns are: `%s`.", attr, strings.Join(filterable, ", "))
			return nil, &e
		}
		cs = append(cs, cond{attr, value})
	}
	return func(d map[string]any) bool {
		for _, c := range cs {
			if fmt.Sprint(d[c.attr]) != c.value {
				return false
			}
		}
		return true
	}, nil
}

func splitAnd(s string) []string {
	var out []string
	for _, p := range strings.Split(s, " AND ") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
