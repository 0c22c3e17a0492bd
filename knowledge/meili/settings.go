package meili

import (
	"slices"
	"strings"

	"github.com/meilisearch/meilisearch-go"

	"github.com/passerelle-org/passerelle/knowledge"
)

// Locales maps each language to the locale code Meilisearch accepts in
// localizedAttributes (shared/kb/languages.yaml, column meili). Languages
// Meilisearch has no tokenizer support for are absent: their indexes get
// no localizedAttributes and Meilisearch detects the script itself.
var locales = map[string]string{
	"en": "eng", "fr": "fra", "ar": "ara", "fa": "pes", "ur": "urd", "am": "amh",
	"vi": "vie", "hi": "hin", "pa": "pan", "uk": "ukr", "ka": "kat",
}

// Locale returns the Meilisearch locale code of lang, if it has one.
func Locale(lang string) (string, bool) {
	l, ok := locales[lang]
	return l, ok
}

// SearchableAttributes are the searched fields, most important first: the
// ways people ask and the words they use count most, the body least (the
// order of the embedded index's field weights).
var SearchableAttributes = []string{"questions", "keywords", "title", "summary", "body"}

// FilterableAttributes are the fields filters may use.
var FilterableAttributes = []string{"lang", "reviewed", "topic"}

// RankingRules puts the attribute a word is found in before proximity: a
// question that matches counts more than words close together in a body.
var RankingRules = []string{"words", "typo", "attribute", "proximity", "exactness"}

// SearchCutoffMs bounds the time Meilisearch spends on one query; the
// adapter's own deadline is longer (see Options.Timeout).
const SearchCutoffMs = 150

// typoSizes returns the word sizes, in characters, from which one and two
// typos are tolerated, per script. Latin, Cyrillic and Georgian keep
// Meilisearch's defaults (5 and 9, the embedded index's too). Arabic
// script leaves short vowels out, so words are shorter; an Ethiopic
// character is a whole syllable.
func typoSizes(lang string) (one, two int64) {
	switch lang {
	case "ar", "fa", "ps", "ur", "ckb":
		return 4, 8
	case "ti", "am":
		return 4, 7
	}
	return 5, 9
}

// Settings returns the settings of the index of lang, built from code and
// from the language's lexicon (stop words, synonyms). lx may be nil.
func Settings(lang string, lx *knowledge.Lexicon) *meilisearch.Settings {
	one, two := typoSizes(lang)
	s := &meilisearch.Settings{
		SearchableAttributes: slices.Clone(SearchableAttributes),
		FilterableAttributes: slices.Clone(FilterableAttributes),
		DisplayedAttributes:  []string{"id", "topic", "lang", "reviewed", "questions"}, // questions: see rank
		RankingRules:         slices.Clone(RankingRules),
		SearchCutoffMs:       SearchCutoffMs,
		TypoTolerance: &meilisearch.TypoTolerance{
			Enabled:             true,
			MinWordSizeForTypos: meilisearch.MinWordSizeForTypos{OneTypo: one, TwoTypos: two},
			DisableOnWords:      []string{},
			DisableOnAttributes: []string{},
			DisableOnNumbers:    true, // 48 h is not 18 h
		},
		StopWords: []string{},
		Synonyms:  map[string][]string{},
	}
	if loc, ok := Locale(lang); ok {
		s.LocalizedAttributes = []*meilisearch.LocalizedAttributes{{Locales: []string{loc}, AttributePatterns: []string{"*"}}}
	}
	if lx != nil {
		s.StopWords = StopWords(lang, lx)
		s.Synonyms = synonyms(lx)
	}
	return s
}

// synonyms turns the lexicon's groups into Meilisearch's mutual synonyms.
// Documents and queries are already rewritten to each group's first entry;
// the setting makes Meilisearch agree when a query skips the rewrite.
// Stem groups ("wapas*") have no Meilisearch equivalent and are left out.
func synonyms(lx *knowledge.Lexicon) map[string][]string {
	out := map[string][]string{}
	for _, g := range lx.Synonyms {
		if strings.HasSuffix(g[0], "*") {
			continue
		}
		for _, e := range g {
			for _, o := range g {
				if o != e && !slices.Contains(out[e], o) {
					out[e] = append(out[e], o)
				}
			}
		}
	}
	for k := range out {
		slices.Sort(out[k])
	}
	return out
}
