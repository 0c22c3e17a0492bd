package meilitest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
)

// Settings are an index's settings as Meilisearch returns them (the part
// the adapter uses).
type Settings struct {
	RankingRules         []string              `json:"rankingRules"`
	SearchableAttributes []string              `json:"searchableAttributes"`
	DisplayedAttributes  []string              `json:"displayedAttributes"`
	FilterableAttributes []string              `json:"filterableAttributes"`
	SortableAttributes   []string              `json:"sortableAttributes"`
	StopWords            []string              `json:"stopWords"`
	Synonyms             map[string][]string   `json:"synonyms"`
	LocalizedAttributes  []LocalizedAttributes `json:"localizedAttributes"`
	TypoTolerance        TypoTolerance         `json:"typoTolerance"`
	SearchCutoffMs       *int64                `json:"searchCutoffMs"`
}

// LocalizedAttributes is one rule of localizedAttributes.
type LocalizedAttributes struct {
	AttributePatterns []string `json:"attributePatterns"`
	Locales           []string `json:"locales"`
}

// TypoTolerance is the typoTolerance setting.
type TypoTolerance struct {
	Enabled             bool `json:"enabled"`
	MinWordSizeForTypos struct {
		OneTypo  int64 `json:"oneTypo"`
		TwoTypos int64 `json:"twoTypos"`
	} `json:"minWordSizeForTypos"`
	DisableOnWords      []string `json:"disableOnWords"`
	DisableOnAttributes []string `json:"disableOnAttributes"`
	DisableOnNumbers    bool     `json:"disableOnNumbers"`
}

// DefaultRankingRules are Meilisearch's.
var DefaultRankingRules = []string{"words", "typo", "proximity", "attribute", "sort", "exactness"}

// Locales are the codes localizedAttributes accepts (ISO 639-3, as
// documented).
var Locales = []string{
	"afr", "aka", "amh", "ara", "aze", "bel", "ben", "bul", "cat", "ces", "cmn", "dan", "deu", "ell",
	"eng", "epo", "est", "fin", "fra", "guj", "heb", "hin", "hrv", "hun", "hye", "ind", "ita", "jav",
	"jpn", "kan", "kat", "khm", "kor", "lat", "lav", "lit", "mal", "mar", "mkd", "mya", "nep", "nld",
	"nob", "ori", "pan", "pes", "pol", "por", "ron", "rus", "sin", "slk", "slv", "sna", "spa", "srp",
	"swe", "tam", "tel", "tgl", "tha", "tuk", "tur", "ukr", "urd", "uzb", "vie", "yid", "zho", "zul",
}

func defaultSettings() Settings {
	var s Settings
	s.RankingRules = slices.Clone(DefaultRankingRules)
	s.SearchableAttributes = []string{"*"}
	s.DisplayedAttributes = []string{"*"}
	s.FilterableAttributes, s.SortableAttributes, s.StopWords = []string{}, []string{}, []string{}
	s.Synonyms = map[string][]string{}
	s.TypoTolerance.Enabled = true
	s.TypoTolerance.MinWordSizeForTypos.OneTypo, s.TypoTolerance.MinWordSizeForTypos.TwoTypos = 5, 9
	s.TypoTolerance.DisableOnWords, s.TypoTolerance.DisableOnAttributes = []string{}, []string{}
	return s
}

func (s *Server) getSettings(w http.ResponseWriter, r *http.Request, _ []byte) {
	uid := r.PathValue("uid")
	s.mu.Lock()
	defer s.mu.Unlock()
	ix := s.indexes[uid]
	if ix == nil {
		writeError(w, 404, notFound(uid))
		return
	}
	writeJSON(w, 200, ix.settings)
}

// updateSettings validates the body as the server does when it receives
// it (400 with an invalid_settings_* code), then enqueues a settingsUpdate
// task; checks that need the whole settings fail the task.
func (s *Server) updateSettings(w http.ResponseWriter, r *http.Request, body []byte) {
	uid := r.PathValue("uid")
	var patch map[string]json.RawMessage
	if err := json.Unmarshal(body, &patch); err != nil {
		writeError(w, 400, apiError("bad_request", "invalid_request", "The json payload provided is malformed. `%v`.", err))
		return
	}
	var in Settings
	for k, raw := range patch {
		var dst any
		switch k {
		case "rankingRules":
			dst = &in.RankingRules
		case "searchableAttributes":
			dst = &in.SearchableAttributes
		case "displayedAttributes":
			dst = &in.DisplayedAttributes
		case "filterableAttributes":
			dst = &in.FilterableAttributes
		case "sortableAttributes":
			dst = &in.SortableAttributes
		case "stopWords":
			dst = &in.StopWords
		case "synonyms":
			dst = &in.Synonyms
		case "localizedAttributes":
			dst = &in.LocalizedAttributes
		case "typoTolerance":
			dst = &in.TypoTolerance
		case "searchCutoffMs":
			dst = &in.SearchCutoffMs
		default:
			continue // settings the fake does not model are accepted and ignored
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			writeError(w, 400, apiError("invalid_settings_"+snake(k), "invalid_request", "Invalid value at `.%s`: %v", k, err))
			return
		}
	}
	for i, rule := range in.RankingRules {
		if !slices.Contains(DefaultRankingRules, rule) && rule != "attributeRank" && rule != "wordPosition" && !customRule(rule) {
			writeError(w, 400, apiError("invalid_settings_ranking_rules", "invalid_request",
				"Invalid value at `.rankingRules[%d]`: `%s` ranking rule is invalid. Valid ranking rules are words, typo, sort, proximity, attribute, exactness and custom ranking rules.", i, rule))
			return
		}
	}
	s.mu.Lock()
	locales := s.locales
	s.mu.Unlock()
	for i, la := range in.LocalizedAttributes {
		for j, l := range la.Locales {
			if !slices.Contains(locales, l) {
				writeError(w, 400, apiError("invalid_settings_localized_attributes", "invalid_request",
					"Unknown value `%s` at `.localizedAttributes[%d].locales[%d]`: expected one of `%s`", l, i, j, strings.Join(locales, "`, `")))
				return
			}
		}
	}
	s.enqueue(w, uid, "settingsUpdate", func() *APIError {
		ix := s.indexes[uid]
		if ix == nil { // implicit creation
			ix = s.newIndex(uid, "")
			s.indexes[uid] = ix
		}
		next := ix.settings
		if _, ok := patch["typoTolerance"]; ok {
			if t := in.TypoTolerance.MinWordSizeForTypos; t.OneTypo > t.TwoTypos {
				e := apiError("invalid_settings_typo_tolerance", "invalid_request",
					"`minWordSizeForTypos` setting is invalid. `oneTypo` must be less than or equal to `twoTypos`.")
				return &e
			}
			next.TypoTolerance = in.TypoTolerance
		}
		set := func(k string, f func()) {
			if _, ok := patch[k]; ok {
				f()
			}
		}
		set("rankingRules", func() { next.RankingRules = in.RankingRules })
		set("searchableAttributes", func() { next.SearchableAttributes = in.SearchableAttributes })
		set("displayedAttributes", func() { next.DisplayedAttributes = in.DisplayedAttributes })
		set("filterableAttributes", func() { next.FilterableAttributes = sorted(in.FilterableAttributes) })
		set("sortableAttributes", func() { next.SortableAttributes = sorted(in.SortableAttributes) })
		set("stopWords", func() { next.StopWords = sorted(in.StopWords) })
		set("synonyms", func() { next.Synonyms = in.Synonyms })
		set("localizedAttributes", func() { next.LocalizedAttributes = in.LocalizedAttributes })
		set("searchCutoffMs", func() { next.SearchCutoffMs = in.SearchCutoffMs })
		ix.settings = next
		ix.analysed = nil
		return nil
	})
}

func customRule(r string) bool {
	for _, suf := range []string{":asc", ":desc"} {
		if len(r) > len(suf) && r[len(r)-len(suf):] == suf {
			return true
		}
	}
	return false
}

// sorted returns a sorted, de-duplicated copy (Meilisearch stores these
// settings as sets).
func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return slices.Compact(out)
}

func snake(k string) string {
	var b []rune
	for _, r := range k {
		if r >= 'A' && r <= 'Z' {
			b = append(b, '_', r-'A'+'a')
			continue
		}
		b = append(b, r)
	}
	return string(b)
}
