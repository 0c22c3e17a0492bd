package triage

import (
	"embed"
	"fmt"

	"github.com/passerelle-org/passerelle/knowledge"
)

// Kind names one reason a message is urgent. A message can have several.
type Kind string

// The kinds of urgency, from the most to the least specific; Result.Kinds
// lists them in this order.
const (
	KindViolenceWomen Kind = "violence_women"    // a partner hits, locks in or threatens her now
	KindChild         Kind = "child"             // a child at risk: hurt now, or a minor alone on the street
	KindTrafficking   Kind = "trafficking"       // forced work or sex, passport held with control
	KindSelfHarm      Kind = "self_harm"         // suicide or self-harm thoughts
	KindDetention     Kind = "detention_removal" // detained, or police, with removal imminent
	KindDeadline      Kind = "deadline"          // an appeal or departure deadline of hours or days
	KindMedical       Kind = "medical"           // bleeding, cannot breathe, unconscious, pregnant and in pain
	KindDanger        Kind = "danger"            // violence or threats now, by anyone
)

// kindOrder is the order of Result.Kinds; Result.Topic is the topic of the
// first kind found.
var kindOrder = [...]Kind{
	KindViolenceWomen, KindChild, KindTrafficking, KindSelfHarm,
	KindDetention, KindDeadline, KindMedical, KindDanger,
}

// Result is the verdict of Assess on one message.
type Result struct {
	// Urgent is true when the person is in danger now or faces an
	// imminent deadline: the engine sends the emergency numbers at once
	// and opens an urgent handoff.
	Urgent bool
	// Kinds says why, most specific first; empty when not urgent.
	Kinds []Kind
	// Topic is the knowledge-base topic id that fits the situation best
	// (for example safety.violence-women, rights.minors, rights.detention,
	// rights.oqtf.appeal, rights.trafficking, safety.child-protection,
	// safety.emergency-numbers); "" when the message is not urgent.
	Topic string
}

//go:embed lexicon/*.yaml
var lexiconFS embed.FS

// Triage finds urgent messages. It is built once by New from the lexicons
// embedded in the binary, never changes afterwards, and is safe for
// concurrent use.
type Triage struct {
	m      *matcher
	langs  []string       // lexicon languages, in menu order
	index  map[string]int // language code -> position in langs
	shared uint64         // bit i: the terms of langs[i] join every other language's (fr, en)
}

// sharedLangs are mixed into every language: people write French admin
// words (OQTF, CRA, vol demain) and some English into any language.
var sharedLangs = []string{"fr", "en"}

// New loads and compiles the embedded lexicons, one per language of
// knowledge.Languages. It fails when a lexicon is missing, is not valid
// YAML, or names an unknown class.
func New() (*Triage, error) {
	t := &Triage{index: map[string]int{}}
	var files []lexiconFile
	for _, lang := range knowledge.Languages() {
		data, err := lexiconFS.ReadFile("lexicon/" + lang + ".yaml")
		if err != nil {
			return nil, fmt.Errorf("triage: lexicon for %q: %w", lang, err)
		}
		f, err := parseLexicon(lang, data)
		if err != nil {
			return nil, fmt.Errorf("triage: %w", err)
		}
		t.index[lang] = len(t.langs)
		t.langs = append(t.langs, lang)
		files = append(files, f)
	}
	m, err := compile(files)
	if err != nil {
		return nil, fmt.Errorf("triage: %w", err)
	}
	t.m = m
	for _, l := range sharedLangs {
		t.shared |= 1 << t.index[l]
	}
	return t, nil
}

// Assess says whether text is urgent, why, and which topic fits. lang is
// the detected language ("" when unknown). The terms of that language are
// combined first, with French and English mixed in; when they find nothing
// urgent, every other language is tried the same way, since people mix
// languages and detection can be wrong. Assess never fails: any input,
// including invalid UTF-8, gives a Result.
func (t *Triage) Assess(text, lang string) Result {
	toks := knowledge.Tokens(text)
	if len(toks) == 0 {
		return Result{}
	}
	terms, mods := splitMods(t.m.find(toks), len(toks))
	if len(terms) == 0 {
		return Result{}
	}
	first, known := t.index[lang]
	if known {
		if r := evaluate(poolMask(terms, mods, first, t.shared)); r.Urgent {
			return r
		}
	}
	var tried uint64
	for _, h := range terms {
		if (known && h.lang == first) || tried&(1<<h.lang) != 0 {
			continue
		}
		tried |= 1 << h.lang
		if r := evaluate(poolMask(terms, mods, h.lang, t.shared)); r.Urgent {
			return r
		}
	}
	return Result{}
}
