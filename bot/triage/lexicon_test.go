package triage

import (
	"strings"
	"testing"
	"unicode"

	"github.com/passerelle-org/passerelle/knowledge"
)

// scripts lists, per language, the scripts its terms may use besides Latin
// (romanised forms, French admin words).
var scripts = map[string][]*unicode.RangeTable{
	"en": nil, "fr": nil, "so": nil, "vi": nil, "sq": nil,
	"ar": {unicode.Arabic}, "fa": {unicode.Arabic}, "ps": {unicode.Arabic},
	"ur": {unicode.Arabic}, "ckb": {unicode.Arabic},
	"ti": {unicode.Ethiopic}, "am": {unicode.Ethiopic},
	"hi": {unicode.Devanagari}, "pa": {unicode.Gurmukhi},
	"uk": {unicode.Cyrillic}, "ka": {unicode.Georgian},
}

// coreClasses must have terms in every language.
var coreClasses = []class{
	cNow, cSoon, cConfine, cSelfHarm, cThreat, cViolence, cHurt, cPartner, cChild,
	cMinor, cStreet, cPassport, cExploit, cDetained, cPolice, cRemoval, cDeport,
	cDeadline, cMedical, cPregnant, cPain, cCond,
}

// TestLexicons checks every lexicon: it parses, names known classes, has
// the core classes, uses its own script or Latin only (a stray letter from
// another alphabet never matches anything), and lists no pattern twice.
func TestLexicons(t *testing.T) {
	for _, lang := range knowledge.Languages() {
		data, err := lexiconFS.ReadFile("lexicon/" + lang + ".yaml")
		if err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		f, err := parseLexicon(lang, data)
		if err != nil {
			t.Fatal(err)
		}
		allowed, ok := scripts[lang]
		if !ok {
			t.Errorf("%s: no script listed for this language in the test", lang)
		}
		for _, c := range coreClasses {
			if len(f.terms[c]) == 0 {
				t.Errorf("%s: class %s has no terms", lang, classNames[c])
			}
		}
		for c, terms := range f.terms {
			seen := map[string]bool{}
			for _, term := range terms {
				if bad := foreignRune(term, allowed); bad != 0 {
					t.Errorf("%s %s: %q has %q, outside the language's scripts", lang, classNames[c], term, bad)
				}
				if _, err := compilePattern(term); err != nil {
					t.Errorf("%s %s: %v", lang, classNames[c], err)
				}
				k := normalPattern(term)
				if seen[k] {
					t.Errorf("%s %s: %q is listed twice", lang, classNames[c], term)
				}
				seen[k] = true
			}
		}
	}
}

func foreignRune(term string, allowed []*unicode.RangeTable) rune {
	for _, r := range term {
		switch {
		case r < 0x80, unicode.Is(unicode.Latin, r), unicode.IsMark(r),
			unicode.Is(unicode.Common, r), unicode.Is(unicode.Inherited, r):
			continue
		case unicode.In(r, allowed...):
			continue
		}
		return r
	}
	return 0
}

func normalPattern(term string) string {
	var b strings.Builder
	for _, w := range strings.Fields(term) {
		pre, suf := strings.HasPrefix(w, "*"), strings.HasSuffix(w, "*")
		if pre {
			b.WriteByte('*')
		}
		b.WriteString(knowledge.Normalize(strings.Trim(w, "*")))
		if suf {
			b.WriteByte('*')
		}
		b.WriteByte(' ')
	}
	return b.String()
}

func TestParseLexiconErrors(t *testing.T) {
	for _, tc := range []struct{ name, yaml string }{
		{"unknown class", "hurts: [a]"},
		{"not a mapping", "- a\n- b"},
		{"not a list", "now: {a: b}"},
	} {
		if _, err := parseLexicon("xx", []byte(tc.yaml)); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
	for _, bad := range []string{"*", "~", "a ~", "~ a", "'", "* *"} {
		if _, err := compilePattern(bad); err == nil {
			t.Errorf("pattern %q: no error", bad)
		}
	}
}

func TestCompilePattern(t *testing.T) {
	ps, err := compilePattern("took ~ Passport* l'avion")
	if err != nil {
		t.Fatal(err)
	}
	want := []ptok{{lit: "took"}, {lit: "passport", gap: true, suf: true}, {lit: "l"}, {lit: "avion"}}
	if len(ps) != 1 || len(ps[0]) != len(want) {
		t.Fatalf("got %+v", ps)
	}
	for i, p := range ps[0] {
		if p != want[i] {
			t.Errorf("word %d: got %+v, want %+v", i, p, want[i])
		}
	}
	ages, err := compilePattern("i am #age")
	if err != nil || len(ages) != 8 || ages[0][2].lit != "10" || ages[7][2].lit != "17" {
		t.Errorf("#age: got %+v, %v", ages, err)
	}
}

// TestRules checks the rule table: every kind is in kindOrder and every
// topic is a topic of the knowledge base.
func TestRules(t *testing.T) {
	topics, err := knowledge.Topics()
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, tp := range topics {
		ids[tp.ID] = true
	}
	for i, r := range rules {
		known := false
		for _, k := range kindOrder {
			known = known || k == r.kind
		}
		if !known {
			t.Errorf("rule %d: kind %q is not in kindOrder", i, r.kind)
		}
		if !ids[r.topic] {
			t.Errorf("rule %d: topic %q is not in knowledge/topics.yaml", i, r.topic)
		}
		if r.all == 0 {
			t.Errorf("rule %d: no required class", i)
		}
	}
}
