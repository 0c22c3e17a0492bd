package langid

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

//go:embed data/*.yaml
var dataFS embed.FS

// codes lists the supported languages; the order is that of the language
// menu and is also the tie-break order when two languages score the same.
var codes = []string{"en", "fr", "ar", "fa", "ps", "ur", "ckb", "ti", "am", "so", "vi", "hi", "pa", "uk", "sq", "ka"}

// numLangs is the number of supported languages.
const numLangs = 16

// Scripts, as ISO 15924 codes.
const (
	Latin      = "Latn"
	Arabic     = "Arab"
	Ethiopic   = "Ethi"
	Devanagari = "Deva"
	Gurmukhi   = "Guru"
	Cyrillic   = "Cyrl"
	Georgian   = "Geor"
)

// langFile is one data/*.yaml file. Weighted fields map a weight ("3",
// "0.5") to a whitespace-separated list of words, letters or affixes.
type langFile struct {
	Lang     string            `yaml:"lang"` // one code, or several separated by spaces (shared vocabulary)
	Script   string            `yaml:"script"`
	Names    []string          `yaml:"names"`    // the language's own names, in any script
	Letters  map[string]string `yaml:"letters"`  // weight -> letters (each rune counts)
	Initial  map[string]string `yaml:"initial"`  // weight -> letters that count only at the start of a word
	Words    map[string]string `yaml:"words"`    // weight -> words in the language's own script
	Roman    map[string]string `yaml:"roman"`    // weight -> romanised (Latin) words
	Prefixes map[string]string `yaml:"prefixes"` // weight -> prefixes, tried on words not in any list
	Suffixes map[string]string `yaml:"suffixes"` // weight -> suffixes, tried on words not in any list
}

// neutralFile is data/neutral.yaml.
type neutralFile struct {
	Admin    string `yaml:"admin"`    // French administrative words used in every language
	Courtesy string `yaml:"courtesy"` // ok, merci...: a language, but no reason to switch
}

// lw is a weight for one language.
type lw struct {
	lang int
	w    float64
}

type affix struct {
	s string
	n int // length in runes
	w float64
}

// lexicon is the loaded, read-only evidence tables.
type lexicon struct {
	index    map[string]int // code -> index in codes
	script   [numLangs]string
	words    map[string][]lw // folded word -> weights
	letters  map[rune][]lw
	initial  map[rune][]lw
	prefixes [numLangs][]affix // longest first
	suffixes [numLangs][]affix
	names    map[string]int // folded whole text -> language
	admin    map[string]bool
	courtesy map[string]bool
}

// lex returns the lexicon, loading it on first use. The embedded data is
// checked by the tests, so a failure here is a build defect.
var lex = sync.OnceValue(func() *lexicon {
	l, err := loadLexicon(dataFS)
	if err != nil {
		panic("langid: " + err.Error())
	}
	return l
})

func loadLexicon(fsys fs.FS) (*lexicon, error) {
	l := &lexicon{
		index:    make(map[string]int, numLangs),
		words:    make(map[string][]lw, 8192),
		letters:  make(map[rune][]lw),
		initial:  make(map[rune][]lw),
		names:    make(map[string]int),
		admin:    make(map[string]bool),
		courtesy: make(map[string]bool),
	}
	for i, c := range codes {
		l.index[c] = i
	}
	paths, err := fs.Glob(fsys, "data/*.yaml")
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	for _, p := range paths {
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, err
		}
		if strings.HasSuffix(p, "/neutral.yaml") {
			var n neutralFile
			if err := yaml.Unmarshal(b, &n); err != nil {
				return nil, fmt.Errorf("parsing %s: %w", p, err)
			}
			for _, w := range strings.Fields(n.Admin) {
				l.admin[foldWord(w)] = true
			}
			for _, w := range strings.Fields(n.Courtesy) {
				l.courtesy[foldWord(w)] = true
			}
			continue
		}
		var f langFile
		if err := yaml.Unmarshal(b, &f); err != nil {
			return nil, fmt.Errorf("parsing %s: %w", p, err)
		}
		if err := l.add(f); err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
	}
	for i := range codes {
		if l.script[i] == "" {
			return nil, fmt.Errorf("language %s has no data file with its script", codes[i])
		}
		byLen := func(a []affix) {
			sort.SliceStable(a, func(x, y int) bool { return a[x].n > a[y].n })
		}
		byLen(l.prefixes[i])
		byLen(l.suffixes[i])
	}
	return l, nil
}

func (l *lexicon) add(f langFile) error {
	var langs []int
	for _, c := range strings.Fields(f.Lang) {
		i, ok := l.index[c]
		if !ok {
			return fmt.Errorf("unknown language %q", c)
		}
		langs = append(langs, i)
	}
	if len(langs) == 0 {
		return fmt.Errorf("no lang")
	}
	if f.Script != "" {
		if len(langs) != 1 {
			return fmt.Errorf("script given for a shared file")
		}
		l.script[langs[0]] = f.Script
	}
	for _, i := range langs {
		for _, n := range f.Names {
			l.names[foldPhrase(n)] = i
			for _, w := range strings.Fields(n) {
				l.addWord(foldWord(w), i, nameWeight)
			}
		}
	}
	each := func(m map[string]string, fn func(item string, w float64)) error {
		for ws, items := range m {
			w, err := strconv.ParseFloat(ws, 64)
			if err != nil {
				return fmt.Errorf("weight %q: %w", ws, err)
			}
			for _, it := range strings.Fields(items) {
				fn(it, w)
			}
		}
		return nil
	}
	var bad []string
	check := func(word, script string) {
		for _, r := range word {
			if s := scriptOf(r); s != "" && s != script {
				bad = append(bad, word)
				return
			}
		}
	}
	for _, i := range langs {
		err := each(f.Words, func(s string, w float64) {
			check(s, l.script[i])
			l.addWord(foldWord(s), i, w)
		})
		if err == nil {
			err = each(f.Roman, func(s string, w float64) {
				check(s, Latin)
				l.addWord(foldWord(s), i, w)
			})
		}
		if err == nil {
			err = each(f.Letters, func(s string, w float64) {
				for _, r := range s {
					l.letters[r] = append(l.letters[r], lw{i, w})
				}
			})
		}
		if err == nil {
			err = each(f.Initial, func(s string, w float64) {
				for _, r := range s {
					l.initial[r] = append(l.initial[r], lw{i, w})
				}
			})
		}
		if err == nil {
			err = each(f.Prefixes, func(s string, w float64) {
				s = foldWord(s)
				l.prefixes[i] = append(l.prefixes[i], affix{s, utf8.RuneCountInString(s), w})
			})
		}
		if err == nil {
			err = each(f.Suffixes, func(s string, w float64) {
				s = foldWord(s)
				l.suffixes[i] = append(l.suffixes[i], affix{s, utf8.RuneCountInString(s), w})
			})
		}
		if err != nil {
			return err
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("words not in the language's script: %v", bad)
	}
	return nil
}

// nameWeight is the weight of a language's own name inside a longer text.
const nameWeight = 3

// addWord records w for language i; a word listed twice for one language
// keeps its highest weight.
func (l *lexicon) addWord(key string, i int, w float64) {
	if key == "" {
		return
	}
	list := l.words[key]
	for k := range list {
		if list[k].lang == i {
			if w > list[k].w {
				list[k].w = w
			}
			return
		}
	}
	l.words[key] = append(list, lw{i, w})
}
