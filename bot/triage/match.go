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
// one pass. Patterns are indexed by the first one or two runes of their
// first word: a word is looked up once at its start (for patterns that
// begin the word) and once at every rune (for patterns with a leading "*").
type matcher struct {
	pats  []pattern
	start map[string][]int32 // first word must begin the message word
	inner map[string][]int32 // first word has a leading "*"
}

// hit is one pattern found in a message, over words [start, end).
type hit struct {
	start, end int
	lang       int
	cls        class
}

// negWindow is how many words may stand between a negation or past marker
// and the term it cancels.
const negWindow = 2

func compile(files []lexiconFile) (*matcher, error) {
	m := &matcher{start: map[string][]int32{}, inner: map[string][]int32{}}
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
	idx := m.start
	if p.toks[0].pre {
		idx = m.inner
	}
	k := key(p.toks[0].lit)
	idx[k] = append(idx[k], id)
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
		hits = m.lookup(m.start, toks, ti, 0, hits)
		if len(m.inner) == 0 {
			continue
		}
		for pos := 0; pos < len(tok); {
			hits = m.lookup(m.inner, toks, ti, pos, hits)
			_, sz := utf8.DecodeRuneInString(tok[pos:])
			pos += sz
		}
	}
	return hits
}

// poolMask returns the classes found by the terms of language x and of the
// shared languages, once the terms that a negation or past marker of those
// same languages cancels are dropped.
func poolMask(hits []hit, x int, shared func(int) bool) mask {
	in := func(l int) bool { return l == x || shared(l) }
	var m mask
	for _, h := range hits {
		if isModifier(h.cls) || !in(h.lang) {
			continue
		}
		if h.cls != cHypo && h.cls != cCond && h.cls != cPlace && cancelled(h, hits, in) {
			continue
		}
		m |= 1 << h.cls
	}
	return m
}

func isModifier(c class) bool { return c == cNeg || c == cNegAfter || c == cPast }

// cancelled reports whether a negation or past marker of a language in
// pool stands just before h (or, for neg_after, right after it).
func cancelled(h hit, hits []hit, pool func(int) bool) bool {
	for _, n := range hits {
		if !isModifier(n.cls) || !pool(n.lang) {
			continue
		}
		if n.cls == cNegAfter {
			if n.start == h.end {
				return true
			}
		} else if n.end <= h.start && h.start-n.end <= negWindow {
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
