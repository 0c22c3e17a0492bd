package bleve

import (
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/hi"
	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/english"
	"github.com/blevesearch/snowballstem/french"
)

// stemmerFor returns the light stemmer of lang, or nil where none helps.
// Stemmers see normalised text (no accents, folded Arabic letters), so the
// Arabic-script ones are ours, written for the folded alphabet. Languages
// without one (ps ur ti am so vi pa uk sq ka) rely on prefix matching at
// query time (see search.go).
func stemmerFor(lang string) func(string) string {
	switch lang {
	case "en":
		return snowball(english.Stem)
	case "fr":
		return snowball(french.Stem)
	case "hi":
		return filter(hi.NewHindiStemmerFilter())
	// Affixes in normalised spelling (ی for every yeh, ک, ه for every heh
	// and teh marbuta), longest first. Arabic after Lucene's ArabicStemmer.
	case "ar":
		return affixStemmer([]string{"وال", "بال", "کال", "فال", "لل", "ال", "و"},
			[]string{"ها", "ان", "ات", "ون", "ین", "یه", "ه", "ی"}, true)
	case "fa": // verbal prefix, plural and comparative suffixes
		return affixStemmer([]string{"نمی", "می"}, []string{"هایی", "های", "ها", "ترین", "تر"}, false)
	case "ckb": // definite and indefinite suffixes
		return affixStemmer(nil, []string{"هکان", "هکه", "یهک", "کان"}, false)
	}
	return nil
}

func snowball(stem func(*snowballstem.Env) bool) func(string) string {
	return func(s string) string {
		if s[0] >= '0' && s[0] <= '9' {
			return s
		}
		env := snowballstem.NewEnv(s)
		stem(env)
		return env.Current()
	}
}

// filter adapts a Bleve token filter to one token.
func filter(f analysis.TokenFilter) func(string) string {
	return func(s string) string {
		out := f.Filter(analysis.TokenStream{{Term: []byte(s)}})
		if len(out) == 0 {
			return s
		}
		return string(out[0].Term)
	}
}

// affixStemmer strips at most one prefix, then suffixes: all that match in
// list order when chain is set (Arabic), else the first that matches. A
// stem keeps at least two letters (three before stripping a one-letter
// prefix).
func affixStemmer(prefixes, suffixes []string, chain bool) func(string) string {
	return func(s string) string {
		n := utf8.RuneCountInString(s)
		for _, p := range prefixes {
			pl := utf8.RuneCountInString(p)
			if strings.HasPrefix(s, p) && n-pl >= 2 && (pl > 1 || n >= 4) {
				s, n = s[len(p):], n-pl
				break
			}
		}
		for _, x := range suffixes {
			xl := utf8.RuneCountInString(x)
			if strings.HasSuffix(s, x) && n-xl >= 2 {
				s, n = s[:len(s)-len(x)], n-xl
				if !chain {
					break
				}
			}
		}
		return s
	}
}
