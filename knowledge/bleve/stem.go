package bleve

import (
	"slices"
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
// Arabic-script ones are ours, written for the folded alphabet, and so are
// the suffix strippers of the languages Bleve has no stemmer for. Tigrinya,
// Amharic (suffixes fuse with the last syllable) and Vietnamese (no
// inflection) have none and rely on prefix matching at query time (see
// search.go).
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
	case "ckb": // definite, plural, indefinite and possessive suffixes
		return soraniStemmer()
	case "ur": // plural and oblique endings: بچہ بچے بچوں, پیسہ پیسے
		return affixStemmer(nil, []string{"وں", "یں", "ی", "ه", "ا"}, false)
	case "ps": // plural and oblique endings: ماشوم ماشومان ماشومانو
		return affixStemmer(nil, []string{"ګانو", "گانو", "ونو", "انو", "ونه", "گان", "ان", "و", "ی", "ه"}, false)
	case "pa": // Gurmukhi noun and adjective endings: ਬੱਚਾ ਬੱਚੇ ਬੱਚਿਆਂ
		return suffixStripper(1, 2, "ਿਆਂ", "ੀਆਂ", "ਿਆ", "ੀਆ", "ਾਂ", "ੀਂ", "ੇਂ", "ੋਂ", "ੇ", "ਾ", "ੀ", "ੋ", "ਂ")
	case "uk": // reflexive, then case and verb endings: допомога допомогу допомогою
		return ukrainianStemmer()
	case "ka": // postpositions, case endings, plural ებ, final vowel: დაბრუნება დაბრუნების დაბრუნებაზე
		return suffixStripper(3, 3, "ისთვის", "თვის", "იდან", "დან", "ამდე", "მდე", "ში", "ზე", "თან", "ით", "ად",
			"ის", "მა", "ებ", "ს", "ი", "ა", "ე", "ო", "უ")
	case "so": // possessive and definite suffixes, then a final vowel: lacagta, dalkayga, laabashada
		return suffixStripper(2, 3, "kayaga", "keenna", "kayga", "keyga", "kaaga", "kiisa", "keeda", "keena", "kooda",
			"tayda", "teyda", "taada", "tiisa", "teeda", "teena", "tooda", "gayga", "geyga", "dayda", "deyda",
			"ooyinka", "ooyin", "yaasha", "yaal", "ka", "ta", "ga", "da", "ha", "a", "o", "e")
	case "sq": // definite and case endings: ndihmë ndihma ndihmën, fëmijët fëmijëve
		return suffixStripper(1, 4, "ave", "eve", "ate", "it", "in", "ne", "en", "es", "et", "ja", "je", "ut", "un",
			"ve", "i", "u", "a", "e", "t", "n", "s")
	}
	return nil
}

// suffixStripper removes, up to rounds times, the first suffix of the list
// (longest first) that leaves a stem of at least minStem letters.
func suffixStripper(rounds, minStem int, suffixes ...string) func(string) string {
	slices.SortStableFunc(suffixes, func(a, b string) int {
		return utf8.RuneCountInString(b) - utf8.RuneCountInString(a)
	})
	return func(s string) string {
		if s[0] >= '0' && s[0] <= '9' {
			return s
		}
		n := utf8.RuneCountInString(s)
		for range rounds {
			cut := false
			for _, x := range suffixes {
				xl := utf8.RuneCountInString(x)
				if strings.HasSuffix(s, x) && n-xl >= minStem {
					s, n, cut = s[:len(s)-len(x)], n-xl, true
					break
				}
			}
			if !cut {
				break
			}
		}
		return s
	}
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

// soraniStemmer strips one Sorani ending, longest first, keeping a stem
// of three letters at least. The endings, in normalised spelling (ە is ه,
// ێ is ی): the definite -(ە)کە, the plural -(ە)کان and -ان, the
// indefinite -ێک/-یەک, each alone or followed by a possessive (-م -ت -ی
// -مان -تان -یان): منداڵەکانم, منداڵەکان and منداڵان are مندال;
// پاسپۆرتەکەم and پاسپۆرتێک are پاسپورت. A possessive is not stripped
// without a marker before it: a final ی, ت or م is as often the word's own
// (یارمەتی "help", وڵات "country"), and the form with a bare possessive
// (پارێزەرم "my lawyer") is the one articles list as people type it.
// A word ending in ە (پارە, پارەکە) keeps its ە alone but not before
// -کە: stripping a final ە as well was tried and gave a false answer.
func soraniStemmer() func(string) string {
	var suffixes []string
	for _, m := range []string{"هکه", "هکان", "که", "کان", "یهک", "یک"} {
		for _, p := range []string{"", "م", "ت", "ی", "مان", "تان", "یان"} {
			suffixes = append(suffixes, m+p)
		}
	}
	return suffixStripper(1, 3, append(suffixes, "ان")...)
}

// ukrainianStemmer strips, twice at most, a reflexive, case or verb
// ending, keeping three letters; but the и of a plural after т is the
// plural alone, not the infinitive -ти: документи is документ, like
// документів (it was докумен). An infinitive has a vowel, г, з, с or й
// before its -ти (повернути, допомогти, везти, нести, знайти): those are
// stripped as before, and so, alike, is a plural such as виплати.
func ukrainianStemmer() func(string) string {
	strip := suffixStripper(2, 3, "ся", "сь", "ями", "ами", "ові", "еві", "ого", "ому", "ими", "ього", "ьому",
		"ій", "ий", "ої", "ою", "ею", "ів", "ей", "ам", "ах", "ям", "ях", "ом", "ем", "ти", "ть",
		"а", "я", "о", "е", "і", "и", "у", "ю", "ь", "й")
	return func(s string) string {
		if base, ok := strings.CutSuffix(s, "ти"); ok && utf8.RuneCountInString(base) >= 3 {
			if r, _ := utf8.DecodeLastRuneInString(base); !strings.ContainsRune("аеєиіїоуюягзсй", r) {
				return base + "т"
			}
		}
		return strip(s)
	}
}
