package knowledge

import (
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"unicode/utf8"
)

// langFiles holds the search data of each language (lang/<code>.txt) and
// of all of them (lang/all.txt).
//
//go:embed lang/*.txt
var langFiles embed.FS

// Lexicon is the search data of one language, shared by every search
// backend: stop words, and groups of words and phrases that mean the same
// for a search (synonyms, spelling variants, romanised forms). Every entry
// is stored normalised (see Normalize). A Lexicon is immutable.
//
// The files are plain text, in sections "[letters]", "[latin]", "[stop]"
// and "[same]"; "#" starts a comment:
//
//	[letters]
//	ტ -> თ
//	[latin]
//	a=ა b=ბ sh=შ
//	[stop]
//	[stop]
//	words that say nothing about the topic, separated by spaces
//	[same]
//	برگشت, بازگشت, عودت, bargasht
//	dib u laabasho, ku noqosho
//	wapas*, wapis*, vapas*
//
// A line of [letters] folds letters that Normalize keeps apart because
// another language needs them apart (Pashto ټ is typed ت on a Persian
// keyboard; Persian needs no ټ); it applies to every token of the
// language before the groups. [latin] gives the romanisation of the
// script, for Transliterate; [capitals] the capitals that are letters of
// their own when the language is typed in Latin letters (see Tokens). A line of [same] is one group; its first entry is the form the others
// are written as. An entry ending in "*" is a stem: it matches a word that
// starts with it and adds at most four letters, which are kept after the
// first entry's stem (every entry of such a group is a stem). Groups of a
// language and of all.txt apply together; a word or phrase may belong to
// one group only.
type Lexicon struct {
	Lang     string
	Stop     []string          // stop words, normalised
	Synonyms [][]string        // groups, normalised, first entry first; stems end in "*"
	Letters  map[rune]rune     // letter folds, applied first
	latin    map[string]string // romanisation: Latin letters -> script, see Transliterate
	latinMax int               // longest key of latin, in bytes
	capitals map[rune]string   // Latin capitals that are letters of their own, see Tokens
	phrases  map[string][]phrase
	stems    []stemRule
}

// phrase rewrites a sequence of tokens.
type phrase struct {
	from, to []string
}

// stemRule rewrites the start of one token.
type stemRule struct {
	from, to string
}

// maxStemEnding is the longest ending, in letters, a stem entry accepts.
const maxStemEnding = 4

// LoadLexicon returns the search data of lang merged with that of every
// language; an unknown or empty lang gets the shared data alone.
func LoadLexicon(lang string) (*Lexicon, error) {
	lx := &Lexicon{Lang: lang, Letters: map[rune]rune{}, phrases: map[string][]phrase{}, latin: map[string]string{}, capitals: map[rune]string{}}
	files := []string{"lang/all.txt"}
	if IsLanguage(lang) {
		files = append(files, "lang/"+lang+".txt")
	}
	owner := map[string]string{} // entry -> file, to reject duplicates
	for _, name := range files {
		data, err := fs.ReadFile(langFiles, name)
		if err != nil {
			continue // a language without data
		}
		if err := lx.parse(name, string(data), owner); err != nil {
			return nil, err
		}
	}
	for k := range lx.phrases {
		slices.SortStableFunc(lx.phrases[k], func(a, b phrase) int { return len(b.from) - len(a.from) })
	}
	slices.SortStableFunc(lx.stems, func(a, b stemRule) int { return len(b.from) - len(a.from) })
	if err := lx.stable(); err != nil {
		return nil, fmt.Errorf("lexicon %s: %w", lang, err)
	}
	return lx, nil
}

// stable checks that every entry is rewritten once and for all: a group's
// first entry must not contain an entry of another group.
func (lx *Lexicon) stable() error {
	for _, g := range lx.Synonyms {
		for _, e := range g {
			once := lx.Rewrite(strings.Fields(strings.TrimSuffix(e, "*")))
			if twice := lx.Rewrite(once); !slices.Equal(once, twice) {
				return fmt.Errorf("%q is rewritten %q, then %q: the first entry of its group holds a word of another group", e, once, twice)
			}
		}
	}
	return nil
}

func (lx *Lexicon) parse(name, data string, owner map[string]string) error {
	section := ""
	n := 0
	for line := range strings.Lines(data) {
		n++
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		switch {
		case line == "":
			continue
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = line
			continue
		}
		switch section {
		case "[letters]":
			from, to, ok := strings.Cut(line, "->")
			tr := []rune(Normalize(to))
			if !ok || len(tr) != 1 {
				return fmt.Errorf("%s:%d: want letters -> letter", name, n)
			}
			for _, f := range strings.Fields(from) {
				fr := []rune(f)
				if len(fr) != 1 || fr[0] == tr[0] {
					return fmt.Errorf("%s:%d: %q is not one other letter", name, n, f)
				}
				lx.Letters[fr[0]] = tr[0]
			}
		case "[latin]":
			for _, pair := range strings.Fields(line) {
				from, to, ok := strings.Cut(pair, "=")
				if !ok || from == "" || to == "" || Normalize(from) != from {
					return fmt.Errorf("%s:%d: want latin=letters, lower case, got %q", name, n, pair)
				}
				lx.latin[from] = to
				lx.latinMax = max(lx.latinMax, len(from))
			}
		case "[capitals]":
			for _, pair := range strings.Fields(line) {
				from, to, ok := strings.Cut(pair, "=")
				if r, _ := utf8.DecodeRuneInString(from); !ok || len(from) != 1 || r < 'A' || r > 'Z' || to == "" {
					return fmt.Errorf("%s:%d: want C=letters with C a capital Latin letter, got %q", name, n, pair)
				}
				lx.capitals[rune(from[0])] = to
			}
		case "[stop]":
			lx.Stop = append(lx.Stop, lx.tokens(line)...)
		case "[same]":
			var group []string
			for _, e := range strings.Split(line, ",") {
				stem := strings.HasSuffix(strings.TrimSpace(e), "*")
				norm := strings.Join(lx.tokens(e), " ")
				if norm == "" {
					continue
				}
				if stem {
					if strings.Contains(norm, " ") {
						return fmt.Errorf("%s:%d: stem %q must be one word", name, n, e)
					}
					norm += "*"
				}
				if slices.Contains(group, norm) {
					continue // two spellings that normalise alike
				}
				if prev, dup := owner[norm]; dup {
					return fmt.Errorf("%s:%d: %q is already in a group of %s", name, n, norm, prev)
				}
				owner[norm] = fmt.Sprintf("%s:%d", name, n)
				group = append(group, norm)
			}
			if len(group) < 2 {
				return fmt.Errorf("%s:%d: a group needs two entries or more", name, n)
			}
			stems := 0
			for _, e := range group {
				if strings.HasSuffix(e, "*") {
					stems++
				}
			}
			if stems != 0 && stems != len(group) {
				return fmt.Errorf("%s:%d: mix of stems and words", name, n)
			}
			lx.Synonyms = append(lx.Synonyms, group)
			lx.add(group)
		default:
			return fmt.Errorf("%s:%d: text outside a [letters], [latin], [capitals], [stop] or [same] section", name, n)
		}
	}
	return nil
}

// add records the rewrite rules of one group.
func (lx *Lexicon) add(group []string) {
	if strings.HasSuffix(group[0], "*") {
		to := strings.TrimSuffix(group[0], "*")
		for _, e := range group { // the first maps to itself: the longest stem wins
			lx.stems = append(lx.stems, stemRule{from: strings.TrimSuffix(e, "*"), to: to})
		}
		return
	}
	to := strings.Fields(group[0])
	for _, e := range group { // the first maps to itself: the longest phrase wins
		from := strings.Fields(e)
		lx.phrases[from[0]] = append(lx.phrases[from[0]], phrase{from: from, to: to})
	}
}

// Rewrite returns the normalised tokens toks with every variant written
// as the first entry of its group, longest phrase first. It is what a
// search backend applies to article text and to messages alike, so that
// both meet. toks is not modified.
func (lx *Lexicon) Rewrite(toks []string) []string {
	if lx == nil || (len(lx.phrases) == 0 && len(lx.stems) == 0 && len(lx.Letters) == 0) {
		return toks
	}
	if len(lx.Letters) > 0 {
		folded := make([]string, len(toks))
		for i, t := range toks {
			folded[i] = lx.fold(t)
		}
		toks = folded
	}
	out := make([]string, 0, len(toks))
	for i := 0; i < len(toks); {
		if p, ok := lx.match(toks[i:]); ok {
			out = append(out, p.to...)
			i += len(p.from)
			continue
		}
		out = append(out, lx.stem(toks[i]))
		i++
	}
	return out
}

// tokens normalises text and folds its letters.
func (lx *Lexicon) tokens(text string) []string {
	toks := Tokens(text)
	for i, t := range toks {
		toks[i] = lx.fold(t)
	}
	return toks
}

// fold applies the letter folds to one token.
func (lx *Lexicon) fold(tok string) string {
	if len(lx.Letters) == 0 || !strings.ContainsFunc(tok, func(r rune) bool { _, ok := lx.Letters[r]; return ok }) {
		return tok
	}
	return strings.Map(func(r rune) rune {
		if t, ok := lx.Letters[r]; ok {
			return t
		}
		return r
	}, tok)
}

// Tokens returns the words of text as the search sees them: normalised
// (Normalize), letters folded, variants rewritten; first, where the
// language has [capitals], the words typed in its chat convention are
// written in its script (see capitalised).
func (lx *Lexicon) Tokens(text string) []string {
	if lx != nil && len(lx.capitals) > 0 {
		text = lx.capitalised(text)
	}
	return lx.Rewrite(Tokens(text))
}

// match finds the longest phrase that starts toks.
func (lx *Lexicon) match(toks []string) (phrase, bool) {
	for _, p := range lx.phrases[toks[0]] {
		if len(p.from) <= len(toks) && slices.Equal(p.from, toks[:len(p.from)]) {
			return p, true
		}
	}
	return phrase{}, false
}

// stem rewrites the start of a token that begins with a stem entry.
func (lx *Lexicon) stem(tok string) string {
	for _, s := range lx.stems {
		if strings.HasPrefix(tok, s.from) && utf8.RuneCountInString(tok)-utf8.RuneCountInString(s.from) <= maxStemEnding {
			return s.to + tok[len(s.from):]
		}
		if strings.HasPrefix(tok, s.from) {
			return tok // too long an ending: another word
		}
	}
	return tok
}

// Transliterate writes a romanised word (normalised, Latin letters only)
// in the language's script, letter by letter, longest Latin sequence
// first, with the letter folds applied: for Georgian "dabrunebisas" is
// დაბრუნებისას. ok is false when the language has no romanisation, the
// word is not all Latin letters, or it is an entry of the lexicon (a
// romanised form listed there, an acronym). Whether a Latin word is
// romanised at all (and not French or English) is the caller's call.
func (lx *Lexicon) Transliterate(tok string) (string, bool) {
	if lx == nil || len(lx.latin) == 0 || tok == "" {
		return "", false
	}
	for _, r := range tok {
		if r < 'a' || r > 'z' {
			return "", false
		}
	}
	if _, listed := lx.phrases[tok]; listed {
		return "", false
	}
	return lx.script(tok)
}

// script writes a word of ASCII letters in the language's script: a
// capital of [capitals] as given, other letters by [latin], longest
// sequence first, letter folds applied. ok is false when a letter has no
// equivalent.
func (lx *Lexicon) script(word string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(word); {
		if to, ok := lx.capitals[rune(word[i])]; ok {
			b.WriteString(to)
			i++
			continue
		}
		n := min(lx.latinMax, len(word)-i)
		for ; n > 0; n-- {
			if to, ok := lx.latin[word[i:i+n]]; ok {
				b.WriteString(to)
				break
			}
		}
		if n == 0 {
			return "", false // a letter with no equivalent
		}
		i += n
	}
	return lx.fold(b.String()), true
}

// Lexicons loads the search data of the 16 languages, by code.
func Lexicons() (map[string]*Lexicon, error) {
	out := map[string]*Lexicon{}
	for _, l := range Languages() {
		lx, err := LoadLexicon(l)
		if err != nil {
			return nil, err
		}
		out[l] = lx
	}
	return out, nil
}
