package bleve

import (
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis/lang/ar"
	"github.com/blevesearch/bleve/v2/analysis/lang/ckb"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/lang/fa"
	"github.com/blevesearch/bleve/v2/analysis/lang/fr"
	"github.com/blevesearch/bleve/v2/analysis/lang/hi"

	"github.com/passerelle-org/passerelle/knowledge"
)

// analyzer turns text into index terms for one language. It is the whole
// analysis chain, applied identically to articles and to messages:
// knowledge.Normalize, split on spaces, drop one-letter words (digits
// stay), then a light stemmer where one helps. Stop words are indexed but
// left out of searches (see Index.words). Bleve then
// indexes the terms with its whitespace tokenizer, so index-time and
// query-time analysis cannot drift apart.
type analyzer struct {
	lang string
	lex  *knowledge.Lexicon // synonyms and variants, applied before stemming
	stop map[string]bool
	stem func(string) string // nil: no stemming
}

// newAnalyzer builds the analyzer for lang, with its search data (stop
// words, synonyms and variants) from knowledge.
func newAnalyzer(lang string, lex *knowledge.Lexicon) *analyzer {
	a := &analyzer{lang: lang, lex: lex, stop: map[string]bool{}, stem: stemmerFor(lang)}
	switch lang {
	case "en":
		a.addStopList(string(en.EnglishStopWords))
	case "fr":
		a.addStopList(string(fr.FrenchStopWords))
	case "ar":
		a.addStopList(string(ar.ArabicStopWords))
	case "fa":
		a.addStopList(string(fa.PersianStopWords))
	case "hi":
		a.addStopList(string(hi.HindiStopWords))
		// Negation says what the person lacks ("काम नहीं मिल रहा", no
		// work; "कागज़ नहीं हैं", no papers): Lucene's list has it as a
		// stop word, which lost it from every search.
		delete(a.stop, knowledge.Normalize("नहीं"))
	case "ckb":
		a.addStopList(string(ckb.SoraniStopWords))
	}
	for _, w := range lex.Stop {
		a.stop[w] = true
	}
	return a
}

// tokens splits text into normalised tokens with the variants of the
// language's lexicon rewritten (see knowledge.Lexicon.Tokens).
func (a *analyzer) tokens(text string) []string { return a.lex.Tokens(text) }

// addStopList adds the words of a list in Snowball ("|" comments) or
// Savoy ("#" comments) format, normalised.
func (a *analyzer) addStopList(list string) {
	for line := range strings.Lines(list) {
		if i := strings.IndexAny(line, "|#"); i >= 0 {
			line = line[:i]
		}
		for _, w := range knowledge.Tokens(line) {
			a.stop[w] = true
		}
	}
}

// indexable reports whether a normalised token is a word at all: one
// letter alone is not (a French "l'", an Ethiopic prefix split from a Latin
// word), one digit is.
func indexable(tok string) bool {
	if utf8.RuneCountInString(tok) == 1 {
		return tok[0] >= '0' && tok[0] <= '9'
	}
	return tok != ""
}

// content reports whether a token carries meaning in this language: a word
// that is not a stop word.
func (a *analyzer) content(tok string) bool { return indexable(tok) && !a.stop[tok] }

// term maps a normalised token to its index term.
func (a *analyzer) term(tok string) string {
	if a.stem == nil {
		return tok
	}
	if s := a.stem(tok); s != "" {
		return s
	}
	return tok
}

// terms analyses text into index terms, in order, with repeats. Stop words
// are indexed too (BM25 gives them little weight) so that a message made
// only of them, such as "who are you", can still be searched.
func (a *analyzer) terms(text string) []string {
	toks := a.tokens(text)
	out := toks[:0]
	for _, t := range toks {
		if indexable(t) {
			out = append(out, a.term(t))
		}
	}
	return out
}
