package bleve

import (
	"testing"

	"github.com/passerelle-org/passerelle/knowledge"
)

// TestStemmers shows words that a light stemmer brings together (want:
// the stem of each), with what they were before where a rule changed.
func TestStemmers(t *testing.T) {
	tests := []struct {
		lang   string
		words  []string
		want   string
		before []string // the stems before the rule, when it changed them
	}{
		// Sorani: definite, plural, indefinite, possessive after a marker.
		{"ckb", []string{"منداڵ", "منداڵەکان", "منداڵان", "منداڵەکانم"}, "مندال",
			[]string{"مندال", "مندال", "مندالان", "مندالهکانم"}},
		{"ckb", []string{"پاسپۆرت", "پاسپۆرتەکەم", "پاسپۆرتێک", "پاسپۆرتەکە"}, "پاسپورت",
			[]string{"پاسپورت", "پاسپورتهکهم", "پاسپورتیک", "پاسپورت"}},
		{"ckb", []string{"بەڵگەنامە", "بەڵگەنامەیەک"}, "بهلگهنامه",
			[]string{"بهلگهنامه", "بهلگهنامه"}},
		// Left alone: a bare possessive, a word's own ی, a short word.
		{"ckb", []string{"پارێزەرم"}, "پاریزهرم", nil},
		{"ckb", []string{"یارمەتی"}, "یارمهتی", nil},
		{"ckb", []string{"زمان"}, "زمان", nil},
		// Ukrainian: a plural in -ти after a consonant is not an infinitive.
		{"uk", []string{"документ", "документи", "документів", "документа"}, "документ",
			[]string{"документ", "докумен", "документ", "документ"}},
		{"uk", []string{"контракти", "контрактів"}, "контракт", []string{"контрак", "контракт"}},
		// Infinitives are stripped as before; so is a noun in a vowel + -ти,
		// which looks like one (виплати is still випл, виплата виплат).
		{"uk", []string{"повернути"}, "поверн", nil},
		{"uk", []string{"виплати"}, "випл", nil},
		{"uk", []string{"допомогти"}, "допомог", nil},
	}
	for _, tt := range tests {
		lex, err := knowledge.LoadLexicon(tt.lang)
		if err != nil {
			t.Fatal(err)
		}
		an := newAnalyzer(tt.lang, lex)
		for i, w := range tt.words {
			tok := tokensOf(t, an, w)
			if got := an.term(tok); got != tt.want {
				t.Errorf("%s: %s -> %q, want %q", tt.lang, w, got, tt.want)
			}
			if old := previous[tt.lang]; tt.before != nil && old != nil {
				if got, want := old(tok), tt.before[i]; got != want {
					t.Errorf("%s: before, %s -> %q, want %q", tt.lang, w, got, want)
				}
			}
		}
	}
}

// previous are the stemmers before the rules TestStemmers shows.
var previous = map[string]func(string) string{
	"ckb": affixStemmer(nil, []string{"هکان", "هکه", "یهک", "کان"}, false),
	"uk": suffixStripper(2, 3, "ся", "сь", "ями", "ами", "ові", "еві", "ого", "ому", "ими", "ього", "ьому",
		"ій", "ий", "ої", "ою", "ею", "ів", "ей", "ам", "ах", "ям", "ях", "ом", "ем", "ти", "ть",
		"а", "я", "о", "е", "і", "и", "у", "ю", "ь", "й"),
}

// tokensOf returns the one normalised token of w.
func tokensOf(t *testing.T, an *analyzer, w string) string {
	t.Helper()
	toks := an.tokens(w)
	if len(toks) != 1 {
		t.Fatalf("%q is %d tokens", w, len(toks))
	}
	return toks[0]
}
