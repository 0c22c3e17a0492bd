package triage

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/passerelle-org/passerelle/knowledge"
)

// class is a group of terms with one role in the rules (rules.go): a
// present-danger cue, a harm, a modifier. Each lexicon file maps class
// names to term patterns.
type class uint8

const (
	cNeg      class = iota // negation: cancels a term that follows closely
	cNegAfter              // negation or past auxiliary right after the verb ("pas", ነበር, था): cancels the term just before
	cPast                  // past-only marker ("used to", "years ago"): same effect
	cHypo                  // general or hypothetical question ("is it true that", "in general")
	cCond                  // danger elsewhere or conditional ("if I go back", "in my country")
	cPlace                 // here, in France: "I don't want to live here" is not despair
	cNow                   // happening now: now, right now, today, help!
	cSoon                  // imminent: tonight, tomorrow
	cHours                 // a short delay: 48 hours, 2 days, without delay
	cAgain                 // again, still: the violence goes on (never makes a removal imminent)
	cConfine               // locked in, won't let me go out
	cSelfHarm              // suicide, kill myself, want to die (urgent alone)
	cDespair               // don't want to live (urgent unless about a place)
	cDanger                // I am in danger, someone is attacking me (urgent alone)
	cThreat                // threatens to kill me, knife, gun
	cViolence              // ongoing violence against the writer: beats me, is hitting me (urgent alone)
	cHurt                  // violence that may be past: hit me, beat me (needs a cue)
	cPartner               // husband, boyfriend, partner, ex
	cChild                 // child, baby, my son, the kids
	cMinor                 // the writer is a minor: I am 16, unaccompanied minor
	cStreet                // sleeping outside, nowhere to sleep
	cPassport              // my passport held by someone else
	cForced                // forced to work or to prostitute now (urgent alone)
	cExploit               // unpaid work, debt to the smuggler
	cDetained              // in CRA, in detention, arrested
	cPolice                // police
	cRemoval               // flight, plane, airport, send back
	cDeport                // deporting me, expel me
	cDeadline              // appeal, hearing, court, must leave
	cOQTF                  // the OQTF itself: urgent only with a delay of hours
	cAsylum                // CNDA, asylum appeal
	cMedical               // can't breathe, unconscious, bleeding a lot (urgent alone)
	cPregnant              // pregnant
	cPain                  // strong pain
	numClasses
)

// classNames are the keys of the lexicon files, in class order.
var classNames = [numClasses]string{
	"neg", "neg_after", "past", "hypo", "cond", "place",
	"now", "soon", "hours", "again", "confine",
	"self_harm", "despair", "danger", "threat", "violence", "hurt", "partner",
	"child", "minor", "street", "passport", "forced", "exploit",
	"detained", "police", "removal", "deport", "deadline", "oqtf", "asylum",
	"medical", "pregnant", "pain",
}

// mask is a set of classes.
type mask uint64

func set(cs ...class) mask {
	var m mask
	for _, c := range cs {
		m |= 1 << c
	}
	return m
}

// lexiconFile is one language's terms by class.
type lexiconFile struct {
	lang  string
	terms [numClasses][]string
	// clitics may be glued to the front of the first word of any term
	// (Arabic و "and": "وما بيخليني" for "ما بيخليني").
	clitics []string
}

// cliticsKey is the lexicon key that lists clitics rather than a class.
const cliticsKey = "clitics"

func parseLexicon(lang string, data []byte) (lexiconFile, error) {
	f := lexiconFile{lang: lang}
	var raw map[string][]string
	if err := yaml.Unmarshal(data, &raw); err != nil {
		return f, fmt.Errorf("lexicon %s: %w", lang, err)
	}
	for name, terms := range raw {
		if name == cliticsKey {
			f.clitics = terms
			continue
		}
		c, ok := classByName(name)
		if !ok {
			return f, fmt.Errorf("lexicon %s: unknown class %q", lang, name)
		}
		f.terms[c] = terms
	}
	return f, nil
}

func classByName(name string) (class, bool) {
	i := slices.Index(classNames[:], name)
	return class(i), i >= 0
}

// Pattern syntax (see doc.go): words separated by spaces must follow each
// other in the message; "*" at the start or end of a word lets it continue
// inside a longer word ("beat*" matches "beating"; "*ضرب*" matches
// "يضربني"); "~" lets up to maxGap words stand between two words; "#age"
// stands for a number from 10 to 17.
const (
	maxGap  = 2
	ageWord = "#age"
)

// ptok is one word of a compiled pattern.
type ptok struct {
	lit      string // normalised text
	pre, suf bool   // may continue before / after lit inside the word
	gap      bool   // up to maxGap words may come before this one
}

func (p ptok) matches(tok string) bool {
	switch {
	case p.pre && p.suf:
		return strings.Contains(tok, p.lit)
	case p.pre:
		return strings.HasSuffix(tok, p.lit)
	case p.suf:
		return strings.HasPrefix(tok, p.lit)
	}
	return tok == p.lit
}

// compilePattern turns one term into the patterns it stands for (several
// when it holds #age).
func compilePattern(src string) ([][]ptok, error) {
	words := strings.Fields(src)
	if i := slices.Index(words, ageWord); i >= 0 {
		var out [][]ptok
		for age := 10; age <= 17; age++ {
			w := append([]string(nil), words...)
			w[i] = strconv.Itoa(age)
			ps, err := compilePattern(strings.Join(w, " "))
			if err != nil {
				return nil, err
			}
			out = append(out, ps...)
		}
		return out, nil
	}
	var toks []ptok
	gap := false
	for _, w := range words {
		if w == "~" {
			if len(toks) == 0 {
				return nil, fmt.Errorf("pattern %q: starts with ~", src)
			}
			gap = true
			continue
		}
		core := strings.Trim(w, "*")
		parts := knowledge.Tokens(core)
		if len(parts) == 0 {
			return nil, fmt.Errorf("pattern %q: word %q is empty once normalised", src, w)
		}
		for i, lit := range parts {
			t := ptok{lit: lit}
			if i == 0 {
				t.pre, t.gap = strings.HasPrefix(w, "*"), gap
			}
			if i == len(parts)-1 {
				t.suf = strings.HasSuffix(w, "*")
			}
			toks = append(toks, t)
		}
		gap = false
	}
	if len(toks) == 0 || gap {
		return nil, fmt.Errorf("pattern %q: empty or ends with ~", src)
	}
	return [][]ptok{toks}, nil
}
