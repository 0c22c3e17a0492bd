package meilitest

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"unicode/utf8"
)

// This file models how Meilisearch (milli) ranks documents and computes
// _rankingScore, after its documentation (learn/relevancy/ranking_rules,
// ranking_score, typo_tolerance_settings) and its source
// (milli/src/score_details.rs, search/new/ranking_rule_graph):
//
//   - The query keeps its first maxQueryWords words; stop words are
//     dropped but keep their position.
//   - A query word matches itself, its synonyms and, for the last word, any
//     word it begins (prefix search) with 0 typos; words at 1 or 2 typos
//     (Damerau-Levenshtein) from it when it is at least
//     minWordSizeForTypos long, a typo on the first letter counting as two.
//   - words: with matchingStrategy "last" the query words are dropped from
//     the end, with "frequency" the words in most documents first (a word in
//     none counts as the most frequent), with "all" none; the last word left
//     is never dropped. rank = removable words + 1 - words dropped.
//   - typo: rank = sum of allowed typos + 1 - typos.
//   - attribute (attributeRank then wordPosition): each word's best
//     attribute weight (its rank in searchableAttributes), then its best
//     distance between its position in the attribute and in the query,
//     bucketed (costFromDistance); max 10 a word.
//   - proximity: for each two words next to each other in the query, the
//     distance between them in one attribute (one more when reversed), at
//     most 7 a pair.
//   - exactness: an attribute equal to the query, then starting with it,
//     then the number of words found as typed.
//   - _rankingScore merges the ranks in rule order: each rank is a digit of
//     a mixed-radix number whose bases are the rules' maximum ranks
//     (Rank::merge), so the first rule dominates. sort and custom rules
//     order the hits but do not count.
//
// Not modelled: word splitting and concatenation (n-grams), phrases and
// negative words, typos on a prefix, position bucketing past 16,
// searchCutoffMs (the fake is never cut off), and multi-word synonyms.

// maxQueryWords is the number of query words Meilisearch uses.
const maxQueryWords = 10

// term is one query word and what it matches.
type term struct {
	word     string
	pos      int            // position in the query, stop words counted
	typos    map[string]int // matching word -> typos (0: itself, a synonym, a completion)
	maxTypos int
	freq     int // documents holding any matching word (frequency strategy)
}

// rank is one ranking rule's rank of a document: max is the best.
type rank struct{ rank, max int }

// mergeRanks computes the global score of ranks in rule order, as milli's
// Rank::global_score does.
func mergeRanks(ranks []rank) float64 {
	r, m := 1.0, 1.0
	for _, x := range ranks {
		r = (r-1)*float64(x.max) + float64(x.rank)
		m *= float64(x.max)
	}
	return r / m
}

// parseQuery turns q into terms over the vocabulary of a.
func (ix *index) parseQuery(q string, a *analysedIndex) []*term {
	stop := map[string]bool{}
	for _, w := range ix.settings.StopWords {
		stop[w] = true
	}
	words := tokenize(q)
	var terms []*term
	for pos, w := range words {
		if stop[w] {
			continue
		}
		if len(terms) == maxQueryWords {
			break
		}
		terms = append(terms, &term{word: w, pos: pos})
	}
	// The last word is a prefix unless the query ends with a separator.
	prefixLast := len(q) > 0 && len(words) > 0 && !isSeparator(q[len(q)-1])
	tt := ix.settings.TypoTolerance
	for i, t := range terms {
		if n := int64(utf8.RuneCountInString(t.word)); tt.Enabled && !(tt.DisableOnNumbers && isNumber(t.word)) && !slices.Contains(tt.DisableOnWords, t.word) {
			switch {
			case n >= tt.MinWordSizeForTypos.TwoTypos:
				t.maxTypos = 2
			case n >= tt.MinWordSizeForTypos.OneTypo:
				t.maxTypos = 1
			}
		}
		t.typos = map[string]int{}
		prefix := prefixLast && i == len(terms)-1 && t.pos == len(words)-1
		q := []rune(t.word)
		for _, v := range a.vocab {
			switch {
			case v.word == t.word || slices.Contains(ix.settings.Synonyms[t.word], v.word) || prefix && strings.HasPrefix(v.word, t.word):
				t.typos[v.word] = 0
			case t.maxTypos > 0 && abs(len(v.runes)-len(q)) <= t.maxTypos:
				if d := typos(q, v.runes, t.maxTypos); d <= t.maxTypos {
					t.typos[v.word] = d
				}
			}
		}
		for _, d := range a.docs {
			if t.in(d) {
				t.freq++
			}
		}
	}
	return terms
}

func isSeparator(b byte) bool {
	return b == ' ' || b == '\t' || b == '\n' || b == ',' || b == '.' || b == '?' || b == '!' || b == ';' || b == ':'
}

// best returns the fewest typos with which t is in d, or -1.
func (t *term) best(d *analysedDoc) int {
	best := -1
	for v, n := range t.typos {
		if _, ok := d.words[v]; ok && (best < 0 || n < best) {
			best = n
		}
	}
	return best
}

func (t *term) in(d *analysedDoc) bool { return t.best(d) >= 0 }

// occurrences lists where t appears in d with its fewest typos (the
// subset of the word later rules see).
func (t *term) occurrences(d *analysedDoc) []occurrence {
	best := t.best(d)
	var out []occurrence
	for v, n := range t.typos {
		if n == best {
			out = append(out, d.words[v]...)
		}
	}
	return out
}

// removalOrder returns the groups of terms the words rule drops, first
// dropped first; the last group left is never dropped, so it is not
// returned.
func removalOrder(terms []*term, strategy string) [][]*term {
	var groups [][]*term
	switch strategy {
	case "all":
		return nil
	case "frequency":
		byFreq := slices.Clone(terms)
		f := func(t *term) int {
			if t.freq == 0 {
				return math.MaxInt
			}
			return t.freq
		}
		slices.SortStableFunc(byFreq, func(a, b *term) int { return cmp.Compare(f(b), f(a)) })
		for i, t := range byFreq {
			if i > 0 && f(t) == f(byFreq[i-1]) {
				groups[len(groups)-1] = append(groups[len(groups)-1], t)
				continue
			}
			groups = append(groups, []*term{t})
		}
	default: // "last"
		for i := len(terms) - 1; i >= 0; i-- {
			groups = append(groups, []*term{terms[i]})
		}
	}
	if len(groups) == 0 {
		return nil
	}
	return groups[:len(groups)-1]
}

// scoredDoc is a document that matches, with its ranks in rule order.
type scoredDoc struct {
	doc   *analysedDoc
	ranks []rank
	score float64
}

// rankDocs returns the documents that match terms, best first.
func (ix *index) rankDocs(a *analysedIndex, docs []*analysedDoc, terms []*term, strategy string) []scoredDoc {
	groups := removalOrder(terms, strategy)
	removable := 0
	for _, g := range groups {
		removable += len(g)
	}
	var out []scoredDoc
	for _, d := range docs {
		// words: drop every group before the last one holding a missing
		// word, and the missing words of that group.
		last := -1
		dropped := map[*term]bool{}
		for gi, g := range groups {
			for _, t := range g {
				if !t.in(d) {
					last = gi
				}
			}
		}
		for gi := 0; gi < last; gi++ {
			for _, t := range groups[gi] {
				dropped[t] = true
			}
		}
		if last >= 0 {
			for _, t := range groups[last] {
				if !t.in(d) {
					dropped[t] = true
				}
			}
		}
		var left []*term
		for _, t := range terms {
			if !dropped[t] {
				left = append(left, t)
			}
		}
		if len(left) == 0 || slices.ContainsFunc(left, func(t *term) bool { return !t.in(d) }) {
			continue
		}
		sd := scoredDoc{doc: d}
		for _, rule := range ix.settings.RankingRules {
			switch rule {
			case "words":
				sd.ranks = append(sd.ranks, rank{removable + 1 - len(dropped), removable + 1})
			case "typo":
				sd.ranks = append(sd.ranks, typoRank(d, left))
			case "attribute":
				sd.ranks = append(sd.ranks, fidRank(d, left, len(a.attrs)), positionRank(d, left))
			case "attributeRank":
				sd.ranks = append(sd.ranks, fidRank(d, left, len(a.attrs)))
			case "wordPosition":
				sd.ranks = append(sd.ranks, positionRank(d, left))
			case "proximity":
				sd.ranks = append(sd.ranks, proximityRank(d, left))
			case "exactness":
				sd.ranks = append(sd.ranks, exactAttributeRank(d, terms), exactWordsRank(d, left))
			}
		}
		sd.score = mergeRanks(sd.ranks)
		out = append(out, sd)
	}
	// Bucket sort: each rule breaks the ties of the ones before; then the
	// internal document id.
	slices.SortStableFunc(out, func(x, y scoredDoc) int {
		for i := range x.ranks {
			// cross-multiplied: the maximum ranks may differ when the words
			// rule dropped different words.
			if c := cmp.Compare(y.ranks[i].rank*x.ranks[i].max, x.ranks[i].rank*y.ranks[i].max); c != 0 {
				return c
			}
		}
		return x.doc.seq - y.doc.seq
	})
	return out
}

func typoRank(d *analysedDoc, terms []*term) rank {
	r := rank{1, 1}
	for _, t := range terms {
		r.max += t.maxTypos
		r.rank += t.maxTypos - t.best(d)
	}
	return r
}

// fidRank ranks the attribute each word is found in: its weight is its
// rank in searchableAttributes.
func fidRank(d *analysedDoc, terms []*term, attrs int) rank {
	maxWeight := max(attrs-1, 0)
	r := rank{1, 1}
	for _, t := range terms {
		best := maxWeight
		for _, o := range t.occurrences(d) {
			best = min(best, o.attr)
		}
		r.max += maxWeight
		r.rank += maxWeight - best
	}
	return r
}

// positionRank ranks how far each word is from where it is in the query.
func positionRank(d *analysedDoc, terms []*term) rank {
	r := rank{1, 1}
	for _, t := range terms {
		best := 10
		for _, o := range t.occurrences(d) {
			best = min(best, costFromDistance(abs(o.pos-t.pos)))
		}
		r.max += 10
		r.rank += 10 - best
	}
	return r
}

// costFromDistance buckets a position distance (milli's
// cost_from_distance).
func costFromDistance(d int) int {
	for i, limit := range []int{0, 1, 4, 7, 11, 16, 24, 64, 256, 1024} {
		if d <= limit {
			return i
		}
	}
	return 10
}

// proximityRank ranks how close the words that follow each other in the
// query are in one attribute of the document.
func proximityRank(d *analysedDoc, terms []*term) rank {
	r := rank{1, 1}
	for i := 1; i < len(terms); i++ {
		a, b := terms[i-1], terms[i]
		if b.pos != a.pos+1 { // a word was dropped or a stop word between: no condition
			continue
		}
		cost := maxDistance - 1
		for _, oa := range a.occurrences(d) {
			for _, ob := range b.occurrences(d) {
				if oa.attr != ob.attr {
					continue
				}
				p := ob.pos - oa.pos
				if p <= 0 {
					p = -p + 1
				}
				if p < maxDistance {
					cost = min(cost, p-1)
				}
			}
		}
		r.max += maxDistance - 1
		r.rank += maxDistance - 1 - cost
	}
	return r
}

// exactAttributeRank: 3 when an attribute value is the query, 2 when one
// starts with it, 1 otherwise.
func exactAttributeRank(d *analysedDoc, terms []*term) rank {
	best := 1
	for _, val := range d.values {
		v := val.words
		if len(v) < len(terms) || len(terms) == 0 {
			continue
		}
		match := true
		for i, t := range terms {
			if v[i] != t.word {
				match = false
				break
			}
		}
		switch {
		case match && len(v) == len(terms):
			return rank{3, 3}
		case match:
			best = 2
		}
	}
	return rank{best, 3}
}

// exactWordsRank counts the words found as typed.
func exactWordsRank(d *analysedDoc, terms []*term) rank {
	r := rank{1, len(terms) + 1}
	for _, t := range terms {
		if _, ok := d.words[t.word]; ok {
			r.rank++
		}
	}
	return r
}
