package langid

import (
	"math"
)

// Result is the language found in a message.
type Result struct {
	// Lang is a language code of shared/kb/languages.yaml, or "" when the
	// text gives nothing to go on (emoji, digits, an acronym alone).
	Lang string
	// Confidence is in [0,1]: 0 when Lang is "", near 1 when the evidence
	// is long and one-sided.
	Confidence float64
	// Script is the ISO 15924 code of the text's main script (Latn, Arab,
	// Ethi, Deva, Guru, Cyrl, Geor), or "" when it has none of these.
	Script string
}

// scores holds one score per language, indexed like codes.
type scores [numLangs]float64

// analysis is what Detect and Keep learn from one message.
type analysis struct {
	script  string
	letters int // letters of the main script
	content int // words of the main script that are not admin or courtesy words
	s       scores
	name    int // language whose own name is the whole message, or -1
	best    Result
}

// Detect returns the most likely language of text. It never fails: for
// input with no letters of a supported script it returns Lang "" and
// Confidence 0.
func Detect(text string) Result {
	a := analyze(text)
	return a.best
}

// scriptOrder is the tie-break order inside a script.
var scriptOrder = map[string][]string{
	Arabic:   {"ar", "fa", "ur", "ps", "ckb"},
	Ethiopic: {"ti", "am"},
	Latin:    {"en", "fr", "so", "sq", "vi", "ar", "fa", "ur", "hi", "pa", "ps", "ti", "am", "ka", "uk", "ckb"},
}

// single maps scripts that only one supported language uses.
var single = map[string]string{Devanagari: "hi", Gurmukhi: "pa", Cyrillic: "uk", Georgian: "ka"}

func analyze(text string) analysis {
	l := lex()
	toks := tokenize(text)
	a := analysis{name: -1}

	// The main script: letters of words that carry language (not acronyms
	// nor admin words). Any other script beats Latin, which phones mix in
	// (OQTF, Pas-de-Calais, "English") without changing language.
	var count [len(allScripts)]int
	hasLower := false
	for _, t := range toks {
		if !t.upper {
			hasLower = true
		}
	}
	for _, t := range toks {
		if t.script == "" || l.admin[t.key] || (t.upper && hasLower) {
			continue
		}
		count[scriptIndex(t.script)] += t.letters
	}
	best, bestN := "", 0
	for i, s := range allScripts {
		if s != Latin && count[i] > bestN {
			best, bestN = s, count[i]
		}
	}
	if latin := count[scriptIndex(Latin)]; best == "" || (bestN < 2 && latin > 2*bestN) {
		best, bestN = Latin, latin
	}
	if bestN == 0 {
		return a
	}
	a.script, a.letters = best, bestN
	a.best.Script = best

	if len(toks) <= 3 {
		if i, ok := l.names[joinKeys(toks)]; ok && (l.script[i] == best || best == Latin) {
			a.name = i
		}
	}

	for _, t := range toks {
		if t.script != best || l.admin[t.key] || (t.upper && hasLower) {
			continue
		}
		if !l.courtesy[t.key] {
			a.content++
		}
		l.scoreToken(&a.s, t)
	}
	for i := range a.s {
		if a.s[i] < 0 {
			a.s[i] = 0
		}
	}

	if a.name >= 0 {
		a.best.Lang, a.best.Confidence = codes[a.name], 0.99
		return a
	}
	if code, ok := single[best]; ok {
		a.best.Lang = code
		a.best.Confidence = round2(0.5 + 0.5*(1-math.Exp(-float64(bestN)/4)))
		return a
	}
	order := scriptOrder[best]
	top, second := -1, 0.0
	for _, c := range order {
		i := l.index[c]
		switch {
		case top < 0 || a.s[i] > a.s[top]:
			if top >= 0 {
				second = math.Max(second, a.s[top])
			}
			top = i
		case a.s[i] > second:
			second = a.s[i]
		}
	}
	s1 := a.s[top]
	if s1 < 0.5 {
		if best == Latin {
			return a // letters, but no known word: a name, a brand
		}
		a.best.Lang, a.best.Confidence = codes[top], 0.2
		return a
	}
	a.best.Lang = codes[top]
	a.best.Confidence = confidence(s1, second)
	return a
}

// confidence grows with the margin between the two best scores and with
// the amount of evidence.
func confidence(s1, s2 float64) float64 {
	c := 0.5 + 0.5*(s1-s2)/s1
	c *= 1 - math.Exp(-s1/2.5)
	return round2(c)
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }
