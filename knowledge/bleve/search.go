package bleve

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
)

// maxQueryWords caps the words of one message that are searched.
const maxQueryWords = 40

// Strength of the ways a query word can meet an index term, before the
// field weight. Exact matches always outrank approximate ones.
const (
	matchExact   = 1.0
	matchPrefix  = 0.7  // one word is the other plus an ending
	matchFuzzy1  = 0.6  // one typo
	matchFuzzy2  = 0.45 // two typos (words of 9 letters or more)
	crossLang    = 0.7  // a match in another language's article
	perLangHits  = 10   // hits kept from each language index
	perLangSpare = 5    // more asked for, so rounded ties are cut alike
)

// fuzziness is the number of typos tolerated in a word of the given
// length in letters (runes, not bytes): none under 5, one from 5, two
// from 9.
func fuzziness(runes int) int {
	switch {
	case runes >= 9:
		return 2
	case runes >= 5:
		return 1
	}
	return 0
}

// word is one searched word of a message.
type word struct {
	tok   string   // normalised token
	fuzz  int      // typos tolerated, from the length of tok in letters
	forms []string // its term in each language index (x.order); "" if dropped
}

// langMatches is what one language index found: for each topic, the
// strength with which each word matched, and the Bleve score.
type langMatches struct {
	strength map[string][]float64 // topic -> per word
	score    map[string]float64   // topic -> Bleve score
}

// words analyses a message: the distinct tokens that carry meaning in the
// person's language, with their terms in every language (empty where that
// language treats the token as a stop word). A message made only of stop
// words ("who are you") is searched with all of them; all is then true.
func (x *Index) words(text, lang string) (words []word, all bool) {
	own := x.analyzers[lang]
	var toks []string
	if own != nil {
		toks = own.tokens(text)
		for i, tok := range toks {
			toks[i] = x.romanised(tok, lang)
		}
	} else {
		toks = x.shared.Tokens(text)
	}
	pick := func(all bool) []word {
		var out []word
		seen := map[string]bool{}
		for _, tok := range toks {
			if seen[tok] || !indexable(tok) || (!all && own != nil && !own.content(tok)) || len(out) == maxQueryWords {
				continue
			}
			seen[tok] = true
			w := word{tok: tok, fuzz: fuzziness(utf8.RuneCountInString(tok)), forms: make([]string, len(x.order))}
			for i, l := range x.order {
				if an := x.langs[l].an; all || an.content(tok) {
					w.forms[i] = an.term(tok)
				}
			}
			out = append(out, w)
		}
		return out
	}
	if words = pick(false); len(words) > 0 {
		return words, false
	}
	return pick(true), true
}

// romanised returns tok written in the script of lang when tok is a
// romanised word of that language (see knowledge.Lexicon.Transliterate):
// a Latin word that no article uses as it is, in any language, so that
// French and English words typed in the message ("aide au retour") stay
// as they are.
func (x *Index) romanised(tok, lang string) string {
	an := x.analyzers[lang]
	script, ok := an.lex.Transliterate(tok)
	if !ok {
		return tok
	}
	for _, li := range x.langs {
		if li.df[li.an.term(tok)] > 0 {
			return tok
		}
	}
	if r := an.lex.Rewrite([]string{script}); len(r) == 1 {
		return r[0]
	}
	return script
}

// searchLang runs the words against one language index, given the index
// terms each word expands to there (exps[i]: term -> strength, see
// expand). Approximate matching (typos, endings) is used in the person's
// language only; other languages are searched for exact words (names of
// offices, acronyms). A language none of the words occurs in is skipped.
// The strength of each word in a hit comes from the fields of the hit's
// article that hold each term (langIndex.fieldsOf), the same as Bleve's
// locations of the matches would tell, at a fraction of the cost.
func (x *Index) searchLang(ctx context.Context, li *langIndex, exps []map[string]float64) (*langMatches, error) {
	terms := map[string]queried{}
	meets := make([]meet, 0, len(exps))
	for i, e := range exps {
		for t, s := range e {
			in := li.fieldsOf[t]
			terms[t] = queried{max(terms[t].strength, s), in.any}
			meets = append(meets, meet{word: i, strength: s, in: in.docs})
		}
	}
	if len(terms) == 0 {
		return &langMatches{}, nil
	}
	// In a fixed order: Bleve adds the clauses' scores in this order, and
	// an order taken from the map would change the sums in their last bits
	// from one search to the next (and so, at a tie, the answer).
	should := make([]query.Query, 0, len(terms)*len(li.fields))
	for _, t := range slices.Sorted(maps.Keys(terms)) {
		tq := terms[t]
		for fi, f := range li.fields {
			if tq.fields&(1<<fi) == 0 {
				continue
			}
			q := query.NewTermQuery(t)
			q.SetField(f.name)
			q.SetBoost(f.weight * tq.strength)
			should = append(should, q)
		}
	}
	// A few more hits than kept: Bleve's scores vary in their last bits
	// with how the index was built (the order it adds a hit's clause
	// scores), so they are rounded (roundScore) and the hits sorted again,
	// ties by article id. Two builds of one index, two replicas or one
	// before and after a restart, then give the same answer.
	req := bleve.NewSearchRequestOptions(query.NewDisjunctionQuery(should), perLangHits+perLangSpare, 0, false)
	res, err := li.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("searching %s index: %w", li.lang, err)
	}
	for _, h := range res.Hits {
		h.Score = roundScore(h.Score)
	}
	slices.SortStableFunc(res.Hits, func(a, b *search.DocumentMatch) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	res.Hits = res.Hits[:min(len(res.Hits), perLangHits)]
	lm := &langMatches{strength: make(map[string][]float64, len(res.Hits)), score: make(map[string]float64, len(res.Hits))}
	sts := make([]float64, len(res.Hits)*len(exps)) // the hits' strengths, in one allocation
	for k, h := range res.Hits {
		d, ok := li.docNum[h.ID]
		if !ok {
			continue // cannot happen: every document is an article
		}
		st := sts[k*len(exps) : (k+1)*len(exps) : (k+1)*len(exps)]
		for _, m := range meets {
			if m.in == nil {
				continue
			}
			for fi, f := range li.fields {
				if m.in[d]&(1<<fi) != 0 {
					st[m.word] = max(st[m.word], f.weight*m.strength)
				}
			}
		}
		lm.strength[h.ID] = st
		lm.score[h.ID] = h.Score
	}
	return lm, nil
}

// queried is a term searched in one language: the best strength of a word
// that expands to it, and the fields that hold it (termFields.any).
type queried struct {
	strength float64
	fields   uint8
}

// meet is one word of a message meeting one index term of a language,
// with the fields of each article that hold the term (see
// langIndex.fieldsOf).
type meet struct {
	word     int
	strength float64
	in       []uint8
}

// roundScore keeps 9 significant digits of a Bleve score: enough to rank,
// and the last bits, which depend on how the index was built, are gone.
func roundScore(s float64) float64 {
	if s == 0 || math.IsInf(s, 0) || math.IsNaN(s) {
		return s
	}
	e := math.Pow(10, 9-math.Ceil(math.Log10(math.Abs(s))))
	return math.Round(s*e) / e
}
