package meilitest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
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
}

// maxQueryWords is the number of query words Meilisearch uses.
const maxQueryWords = 10

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

type scored struct {
	id       string
	score    float64
	mentions int // tie-break: exact matches over all values
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
	limit := 20
	if req.Limit != nil {
		limit = *req.Limit
	}
	words := ix.queryWords(req.Q)
	var found []scored
	for _, id := range ix.ids() {
		d := ix.docs[id]
		if !filter(d) {
			continue
		}
		if len(words) == 0 { // placeholder search: every document
			found = append(found, scored{id, 1, 0})
			continue
		}
		if sc, n, ok := ix.score(d, words, req.MatchingStrategy == "all"); ok {
			found = append(found, scored{id, sc, n})
		}
	}
	slices.SortStableFunc(found, func(a, b scored) int {
		return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(b.mentions, a.mentions))
	})
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
		h := project(ix.docs[f.id], req.AttributesToRetrieve)
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

// queryWords splits the query into at most 10 lower-case words and drops
// stop words (unless nothing else is left).
func (ix *index) queryWords(q string) []string {
	all := strings.Fields(strings.ToLower(q))
	if len(all) > maxQueryWords {
		all = all[:maxQueryWords]
	}
	var out []string
	for _, w := range all {
		if !slices.Contains(ix.settings.StopWords, w) {
			out = append(out, w)
		}
	}
	if len(out) == 0 {
		return all
	}
	return out
}

// score ranks a document the way the ranking rules do, flattened into one
// number in [0,1]: the share of query words found (words), lowered by
// typos (typo), by how far down the searchable attributes the words were
// found (attribute), and by how scattered they are (proximity: the share
// of the found words that one value holds, a question of a list). ok is
// false when no word matches.
func (ix *index) score(d map[string]any, words []string, all bool) (float64, int, bool) {
	attrs := ix.settings.SearchableAttributes
	if slices.Contains(attrs, "*") {
		attrs = nil
		for k := range d {
			attrs = append(attrs, k)
		}
		slices.Sort(attrs)
	}
	type value struct {
		attr  int
		words []string
	}
	var values []value
	for i, a := range attrs {
		for _, v := range values0(d[a]) {
			values = append(values, value{i, strings.Fields(strings.ToLower(v))})
		}
	}
	inValue := make([]int, len(values))
	matched, typos, attrSum := 0, 0, 0.0
	for wi, w := range words {
		best, bestTypos := -1, 0
		for vi, v := range values {
			t, ok := ix.match(w, v.words, wi == len(words)-1)
			if !ok {
				continue
			}
			if t == 0 {
				inValue[vi]++
			}
			if best < 0 || t < bestTypos || (t == bestTypos && v.attr < values[best].attr) {
				best, bestTypos = vi, t
			}
		}
		if best < 0 {
			continue
		}
		matched++
		typos += bestTypos
		attrSum += float64(values[best].attr) / float64(len(attrs))
	}
	if matched == 0 || (all && matched < len(words)) {
		return 0, 0, false
	}
	mentions := 0
	for _, n := range inValue {
		mentions += n
	}
	together := slices.Max(inValue)
	wordScore := float64(matched) / float64(len(words))
	typoScore := 1 - float64(typos)/float64(2*matched+1)
	attrScore := 1 - attrSum/float64(matched)
	proxScore := min(1, float64(together)/float64(matched))
	return wordScore * (0.9 + 0.1*typoScore) * (0.85 + 0.15*attrScore) * (0.8 + 0.2*proxScore), mentions, true
}

// values0 lists the values of a field: a string, or the strings of a list.
func values0(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, x := range v {
			out = append(out, values0(x)...)
		}
		return out
	}
	return nil
}

// match finds w among a field's words: exactly or as a synonym (0 typos),
// as the prefix of a word when it is the query's last word, or with the
// typos its length allows. It returns the typos.
func (ix *index) match(w string, field []string, last bool) (int, bool) {
	syn := ix.settings.Synonyms[w]
	tt := ix.settings.TypoTolerance
	allowed := 0
	if n := int64(utf8.RuneCountInString(w)); tt.Enabled && !(tt.DisableOnNumbers && isNumber(w)) && !slices.Contains(tt.DisableOnWords, w) {
		switch {
		case n >= tt.MinWordSizeForTypos.TwoTypos:
			allowed = 2
		case n >= tt.MinWordSizeForTypos.OneTypo:
			allowed = 1
		}
	}
	best := -1
	for _, f := range field {
		if f == w || slices.Contains(syn, f) || (last && strings.HasPrefix(f, w)) {
			return 0, true
		}
		if allowed > 0 {
			if d := distance([]rune(w), []rune(f), allowed); d <= allowed && (best < 0 || d < best) {
				best = d
			}
		}
	}
	return best, best >= 0
}

func isNumber(w string) bool {
	for _, r := range w {
		if r < '0' || r > '9' {
			return false
		}
	}
	return w != ""
}

// distance is the Damerau-Levenshtein distance of a and b, or limit+1
// when it is over limit.
func distance(a, b []rune, limit int) int {
	if abs(len(a)-len(b)) > limit {
		return limit + 1
	}
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// text flattens a field value (string or list of strings) to text.
func text(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []any:
		var parts []string
		for _, x := range v {
			parts = append(parts, text(x))
		}
		return strings.Join(parts, " \n ")
	}
	return ""
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
