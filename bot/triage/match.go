package triage

import (
	"fmt"
	"unicode/utf8"
)

// pattern is one compiled term of one language.
type pattern struct {
	toks []ptok
	lang int
	cls  class
}

// matcher finds every pattern of every language in a tokenised message in
// one pass. Patterns are indexed by their first word: whole when it must
// equal a message word, else by its first one or two runes, looked up at
// the start of each message word (trailing "*") or at every rune (leading
// "*").
type matcher struct {
	pats       []pattern
	exact      map[string][]int32 // first word equals the message word
	start      map[string][]int32 // first word begins the message word
	inner      map[string][]int32 // first word has a leading "*"
	innerFirst runeSet            // first runes of the keys of inner
}

// runeSet is a set of runes, a bitmap below 0x3000 (every script the
// lexicons use) and a map above.
type runeSet struct {
	low  [0x3000 / 64]uint64
	high map[rune]bool
}

func (s *runeSet) add(r rune) {
	if r >= 0 && r < 0x3000 {
		s.low[r/64] |= 1 << (r % 64)
		return
	}
	if s.high == nil {
		s.high = map[rune]bool{}
	}
	s.high[r] = true
}

func (s *runeSet) has(r rune) bool {
	if r >= 0 && r < 0x3000 {
		return s.low[r/64]&(1<<(r%64)) != 0
	}
	return s.high[r]
}

// hit is one pattern found in a message, over words [start, end).
type hit struct {
	start, end int
	lang       int
	cls        class
}

// How many words may stand between a negation, or a past marker, and the
// term it cancels: "not really hitting", "years ago in Libya they beat".
const (
	negWindow  = 1
	pastWindow = 3
)

func compile(files []lexiconFile) (*matcher, error) {
	m := &matcher{exact: map[string][]int32{}, start: map[string][]int32{}, inner: map[string][]int32{}}
	for li, f := range files {
		for c, terms := range f.terms {
			for _, term := range terms {
				ps, err := compilePattern(term)
				if err != nil {
					return nil, fmt.Errorf("lexicon %s, class %s: %w", f.lang, classNames[c], err)
				}
				for _, toks := range ps {
					m.add(pattern{toks: toks, lang: li, cls: class(c)})
					if toks[0].pre {
						continue
					}
					for _, cl := range f.clitics {
						glued := append([]ptok{toks[0]}, toks[1:]...)
						glued[0].lit = cl + glued[0].lit
						m.add(pattern{toks: glued, lang: li, cls: class(c)})
					}
				}
			}
		}
	}
	return m, nil
}

func (m *matcher) add(p pattern) {
	id := int32(len(m.pats))
	m.pats = append(m.pats, p)
	first := p.toks[0]
	switch {
	case first.pre:
		k := key(first.lit)
		m.inner[k] = append(m.inner[k], id)
		r, _ := utf8.DecodeRuneInString(k)
		m.innerFirst.add(r)
	case first.suf:
		k := key(first.lit)
		m.start[k] = append(m.start[k], id)
	default:
		m.exact[first.lit] = append(m.exact[first.lit], id)
	}
}

// key is the first two runes of s, or s when it is shorter.
func key(s string) string {
	_, a := utf8.DecodeRuneInString(s)
	_, b := utf8.DecodeRuneInString(s[a:])
	return s[:a+b]
}

// find returns every pattern found in toks.
func (m *matcher) find(toks []string) []hit {
	var hits []hit
	for ti, tok := range toks {
		hits = m.try(m.exact[tok], toks, ti, tok, hits)
		hits = m.lookup(m.start, toks, ti, 0, hits)
		if len(m.inner) == 0 {
			continue
		}
		for pos := 0; pos < len(tok); {
			r, sz := utf8.DecodeRuneInString(tok[pos:])
			if m.innerFirst.has(r) {
				hits = m.lookup(m.inner, toks, ti, pos, hits)
			}
			pos += sz
		}
	}
	return hits
}

// poolMask returns the classes found by the terms of language x and of the
// shared languages (bits of sharedLangs), once the terms that a negation
// or past marker of those same languages cancels are dropped, plus the
// scope classes of every language.
func poolMask(terms []hit, mods *modIndex, x int, sharedLangs uint64) mask {
	pool := sharedLangs | 1<<x
	var m mask
	for _, h := range terms {
		switch {
		case isScope(h.cls):
			m |= 1 << h.cls
		case pool&(1<<h.lang) != 0 && !mods.cancels(h, pool):
			m |= 1 << h.cls
		}
	}
	return m
}

func isModifier(c class) bool { return c == cNeg || c == cNegAfter || c == cPast }

// isScope reports whether c qualifies the whole message (a general question,
// a danger only on return, a place): such phrases count in every language's
// pool, so a language whose terms miss the qualifier cannot overrule the
// language that saw it.
func isScope(c class) bool { return c == cHypo || c == cCond || c == cPlace }

// modIndex records, for each word position, the languages whose negation
// ends there (neg), whose past marker ends there (past), and whose
// negation or past auxiliary starts there (after).
type modIndex struct{ neg, past, after []uint64 }

// splitMods separates negation and past markers from the other hits of a
// message of n words.
func splitMods(hits []hit, n int) (terms []hit, mods *modIndex) {
	mods = &modIndex{}
	for _, h := range hits {
		if !isModifier(h.cls) {
			terms = append(terms, h)
			continue
		}
		if mods.neg == nil {
			mods.neg, mods.past, mods.after = make([]uint64, n+1), make([]uint64, n+1), make([]uint64, n+1)
		}
		switch h.cls {
		case cNeg:
			mods.neg[h.end] |= 1 << h.lang
		case cPast:
			mods.past[h.end] |= 1 << h.lang
		case cNegAfter:
			mods.after[h.start] |= 1 << h.lang
		}
	}
	return terms, mods
}

// cancels reports whether a negation or past marker of a language in pool
// stands just before h (or, for neg_after, right after it).
func (x *modIndex) cancels(h hit, pool uint64) bool {
	if x.neg == nil {
		return false
	}
	if h.end < len(x.after) && x.after[h.end]&pool != 0 {
		return true
	}
	for end := h.start; end >= 0 && end >= h.start-pastWindow; end-- {
		if x.past[end]&pool != 0 || (end >= h.start-negWindow && x.neg[end]&pool != 0) {
			return true
		}
	}
	return false
}

// lookup appends the hits of the patterns of idx whose first word matches
// toks[ti] at byte pos: patterns whose first word is one rune long are
// indexed by that rune, the others by their first two runes.
func (m *matcher) lookup(idx map[string][]int32, toks []string, ti, pos int, hits []hit) []hit {
	rest := toks[ti][pos:]
	_, a := utf8.DecodeRuneInString(rest)
	hits = m.try(idx[rest[:a]], toks, ti, rest, hits)
	if _, b := utf8.DecodeRuneInString(rest[a:]); b > 0 {
		hits = m.try(idx[rest[:a+b]], toks, ti, rest, hits)
	}
	return hits
}

// try checks the candidate patterns ids against the message from the part
// rest of word ti on.
func (m *matcher) try(ids []int32, toks []string, ti int, rest string, hits []hit) []hit {
	for _, id := range ids {
		p := &m.pats[id]
		first := p.toks[0]
		if len(rest) < len(first.lit) || rest[:len(first.lit)] != first.lit {
			continue
		}
		if !first.suf && len(first.lit) != len(rest) {
			continue
		}
		if end, ok := matchRest(p.toks[1:], toks, ti+1); ok {
			hits = append(hits, hit{start: ti, end: end, lang: p.lang, cls: p.cls})
		}
	}
	return hits
}

// matchRest matches pattern words pt against toks from j on and returns
// the end of the match.
func matchRest(pt []ptok, toks []string, j int) (int, bool) {
	if len(pt) == 0 {
		return j, true
	}
	skip := 0
	if pt[0].gap {
		skip = maxGap
	}
	for s := 0; s <= skip && j+s < len(toks); s++ {
		if pt[0].matches(toks[j+s]) {
			if end, ok := matchRest(pt[1:], toks, j+s+1); ok {
				return end, true
			}
		}
	}
	return 0, false
}
