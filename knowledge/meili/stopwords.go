package meili

import (
	"slices"
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

// StopWords returns the stop words of lang, normalised and sorted: the
// language's list from the knowledge folder (lx.Stop) and, for the
// languages that have one, the Snowball/Savoy list the embedded index
// uses too, so that both backends ignore the same words.
func StopWords(lang string, lx *knowledge.Lexicon) []string {
	var out []string
	lists := map[string][]byte{"en": en.EnglishStopWords, "fr": fr.FrenchStopWords, "ar": ar.ArabicStopWords,
		"fa": fa.PersianStopWords, "hi": hi.HindiStopWords, "ckb": ckb.SoraniStopWords}
	if list, ok := lists[lang]; ok {
		for line := range strings.Lines(string(list)) {
			if i := strings.IndexAny(line, "|#"); i >= 0 {
				line = line[:i]
			}
			out = append(out, knowledge.Tokens(line)...)
		}
	}
	if lang == "hi" {
		// Negation says what the person lacks: the embedded index keeps
		// नहीं too (knowledge/bleve/analyzer.go).
		out = slices.DeleteFunc(out, func(w string) bool { return w == knowledge.Normalize("नहीं") })
	}
	if lx != nil {
		out = append(out, lx.Stop...)
	}
	out = append(out, stemAll(lang, slices.Clone(out))...) // documents hold stems
	slices.Sort(out)
	return slices.Compact(out)
}

// indexable reports whether a token is a word at all: one letter alone is
// not (a French "l'"), one digit is (as in the embedded index).
func indexable(tok string) bool {
	if utf8.RuneCountInString(tok) == 1 {
		return tok[0] >= '0' && tok[0] <= '9'
	}
	return tok != ""
}
