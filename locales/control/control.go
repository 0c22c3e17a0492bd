package control

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/passerelle-org/passerelle/knowledge"
)

// Intent is what a control word asks for.
type Intent string

// The intents, in the order of words.yaml.
const (
	Menu     Intent = "menu"     // show the main menu
	Language Intent = "language" // choose another language
	Person   Intent = "person"   // talk to a caseworker
	Delete   Intent = "delete"   // delete my data
	Stop     Intent = "stop"     // opt out: send nothing more
	Start    Intent = "start"    // opt back in, or begin
	Help     Intent = "help"     // what this service is and how to use it
	More     Intent = "more"     // more of the last answer
	Yes      Intent = "yes"      // yes, at a question
	No       Intent = "no"       // no, at a question
)

// Intents returns every intent, in a fixed order.
func Intents() []Intent {
	return []Intent{Menu, Language, Person, Delete, Stop, Start, Help, More, Yes, No}
}

// all is the pseudo-language of words.yaml for words of no single language.
const all = "all"

// alwaysLangs are the languages whose words work in every conversation.
var alwaysLangs = []string{"en", "fr"}

//go:embed words.yaml
var wordsYAML []byte

// entry is what one normalised word or phrase means.
type entry struct {
	intent Intent
	langs  []string // languages it belongs to; contains "all" for shared words
}

// table is the loaded words.yaml.
type table struct {
	byText map[string]*entry
	lists  map[Intent]map[string][]string // intent -> lang -> words, the one to show first
	langs  map[Intent][]string            // intent -> languages, in file order
	// courtesy is the normalised courtesy words.
	courtesy []string
}

var words = sync.OnceValue(func() *table {
	t, err := load(wordsYAML)
	if err != nil {
		panic("control: " + err.Error())
	}
	return t
})

func load(data []byte) (*table, error) {
	var raw map[Intent]yaml.Node
	if err := yaml.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("parsing words.yaml: %w", err)
	}
	t := &table{
		byText: make(map[string]*entry),
		lists:  make(map[Intent]map[string][]string),
		langs:  make(map[Intent][]string),
	}
	for intent, node := range raw {
		if !slices.Contains(Intents(), intent) {
			return nil, fmt.Errorf("unknown intent %q", intent)
		}
		// Decode pairs in order, so that languages keep the file's order.
		if node.Kind != yaml.MappingNode {
			return nil, fmt.Errorf("intent %s: want a map of languages", intent)
		}
		t.lists[intent] = make(map[string][]string)
		for i := 0; i+1 < len(node.Content); i += 2 {
			lang := node.Content[i].Value
			var list []string
			if err := node.Content[i+1].Decode(&list); err != nil {
				return nil, fmt.Errorf("%s.%s: %w", intent, lang, err)
			}
			if lang != all && !knowledge.IsLanguage(lang) {
				return nil, fmt.Errorf("%s: unknown language %q", intent, lang)
			}
			if len(list) == 0 {
				return nil, fmt.Errorf("%s.%s: no words", intent, lang)
			}
			t.lists[intent][lang] = list
			t.langs[intent] = append(t.langs[intent], lang)
			for _, w := range list {
				if err := t.add(intent, lang, w); err != nil {
					return nil, err
				}
			}
		}
	}
	for _, c := range courtesy {
		t.courtesy = append(t.courtesy, knowledge.Normalize(c))
	}
	return t, nil
}

func (t *table) add(intent Intent, lang, word string) error {
	key := knowledge.Normalize(word)
	if key == "" {
		return fmt.Errorf("%s.%s: %q is empty once normalised", intent, lang, word)
	}
	e := t.byText[key]
	if e == nil {
		t.byText[key] = &entry{intent: intent, langs: []string{lang}}
		return nil
	}
	if e.intent != intent {
		return fmt.Errorf("%q means %s in %v and %s in %s", word, e.intent, e.langs, intent, lang)
	}
	if !slices.Contains(e.langs, lang) {
		e.langs = append(e.langs, lang)
	}
	return nil
}

// Match reports whether text, as a whole, is a control word or a very short
// control phrase in any supported language, and which. lang is the language
// the word belongs to, or "" when several languages share it ("menu",
// "stop", "ok"). Text that merely contains a control word is not one.
//
// Match accepts every language's words whatever the conversation; use
// MatchIn when the conversation's language is known, so that a word that is
// a command in one language and an ordinary answer in another (Pashto نور
// "more" is also the name Nour) only counts where it is a command.
func Match(text string) (intent Intent, lang string, ok bool) {
	e := words().find(text)
	if e == nil {
		return "", "", false
	}
	return e.intent, e.lang(), true
}

// MatchIn is Match for a conversation in language conv: it accepts the words
// of conv, English and French words, and shared words, and no others. With
// conv "" (a first message) it is Match.
func MatchIn(text, conv string) (intent Intent, lang string, ok bool) {
	e := words().find(text)
	if e == nil {
		return "", "", false
	}
	if conv == "" {
		return e.intent, e.lang(), true
	}
	for _, l := range e.langs {
		if l == all || l == conv || slices.Contains(alwaysLangs, l) {
			return e.intent, e.lang(), true
		}
	}
	return "", "", false
}

// Shared reports whether text is a control word that belongs to no single
// language ("ok", "okay"): too casual a word to carry a decision such as
// opting back in after STOP.
func Shared(text string) bool {
	e := words().find(text)
	return e != nil && slices.Contains(e.langs, all)
}

// Word returns the control word to show users of language lang for
// intent, as listed first in words.yaml (and in WORDS.md), or the English
// word when lang has none.
func Word(intent Intent, lang string) string {
	p := words().lists[intent]
	if w, ok := p[lang]; ok {
		return w[0]
	}
	return p["en"][0]
}

func (e *entry) lang() string {
	if len(e.langs) == 1 && e.langs[0] != all {
		return e.langs[0]
	}
	return ""
}

// maxLen bounds the messages worth normalising: the longest control phrase
// is far shorter.
const maxLen = 200

// find returns the entry text is, or nil.
func (t *table) find(text string) *entry {
	text = strings.TrimSpace(text)
	if text == "" || len(text) > maxLen {
		return nil
	}
	if strings.HasPrefix(text, "/") {
		return t.command(text[1:])
	}
	key := knowledge.Normalize(text)
	if e := t.byText[key]; e != nil {
		return e
	}
	// "menu please", "svp stop": one courtesy word or phrase around a
	// control word. Not around help: "please help" may be a cry for help,
	// which safety triage must see.
	for _, c := range t.courtesy {
		rest, ok := strings.CutPrefix(key, c+" ")
		if !ok {
			rest, ok = strings.CutSuffix(key, " "+c)
		}
		if e := t.byText[rest]; ok && e != nil && e.intent != Help {
			return e
		}
	}
	return nil
}

// courtesy words may come before or after a control word.
var courtesy = []string{"please", "pls", "plz", "svp", "stp", "s'il vous plaît", "s'il te plaît",
	"merci", "thanks", "thank you", "لطفا", "من فضلك", "لو سمحت", "مہربانی", "مہربانی کرکے"}

// command handles a Telegram bot command: "/start", "/menu@PasserelleBot",
// "/start ref-qr-12" (a deep link's payload follows /start).
func (t *table) command(text string) *entry {
	name, _, _ := strings.Cut(text, " ")
	name, _, _ = strings.Cut(name, "@")
	if name == "" {
		return nil
	}
	return t.byText[knowledge.Normalize(name)]
}
