package knowledge

import (
	"slices"
	"strings"
	"testing"
)

func TestLexicons(t *testing.T) {
	lxs, err := Lexicons()
	if err != nil {
		t.Fatal(err)
	}
	for lang, lx := range lxs {
		for _, g := range lx.Synonyms {
			want := lx.Rewrite(strings.Fields(strings.TrimSuffix(g[0], "*")))
			for _, e := range g {
				toks := strings.Fields(strings.TrimSuffix(e, "*"))
				got := lx.Rewrite(toks)
				if !slices.Equal(got, want) {
					t.Errorf("%s: %q is rewritten %q, want %q as the group's first entry", lang, e, got, want)
				}
				if again := lx.Rewrite(got); !slices.Equal(again, got) {
					t.Errorf("%s: rewriting %q is not stable: %q then %q", lang, e, got, again)
				}
			}
		}
	}
}

func TestLexiconRewrite(t *testing.T) {
	lx := &Lexicon{Letters: map[rune]rune{}, phrases: map[string][]phrase{}}
	if err := lx.parse("test.txt", `
[letters]
ټ ٹ -> ت
[stop]
the a
[same]
return, going back, go back home
wapas*, wapis*, vapas*
O.Q.T.F, oqtf # the dotted form is the first
`, map[string]string{}); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ in, want string }{
		{"i want going back home", "i want return home"},
		{"go back home now", "return now"},
		{"wapisi vapas", "wapasi wapas"},
		{"wapisiiiiii", "wapisiiiiii"},
		{"my oqtf", "my o q t f"},
		{"ٹکٹ", "تکت"},
	}
	for _, tt := range tests {
		if got := strings.Join(lx.Tokens(tt.in), " "); got != tt.want {
			t.Errorf("Tokens(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if !slices.Equal(lx.Stop, []string{"the", "a"}) {
		t.Errorf("stop = %q", lx.Stop)
	}
	if err := lx.stable(); err != nil {
		t.Error(err)
	}
	unstable := &Lexicon{Letters: map[rune]rune{}, phrases: map[string][]phrase{}}
	if err := unstable.parse("unstable.txt", "[same]\nreturn, wapas\nwapas*, vapas*\n", map[string]string{}); err != nil {
		t.Fatal(err)
	}
	if err := unstable.stable(); err == nil {
		t.Error("an unstable lexicon was accepted")
	}
	for _, bad := range []string{"[same]\nalone\n", "[same]\nx, y\ny, z\n", "[same]\nx*, y\n", "words\n", "[letters]\nab -> c\n"} {
		lx := &Lexicon{Letters: map[rune]rune{}, phrases: map[string][]phrase{}}
		if err := lx.parse("bad.txt", bad, map[string]string{}); err == nil {
			t.Errorf("parse(%q) accepted", bad)
		}
	}
}
