package bleve

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// vocab is the set of terms of one language index, arranged for
// approximate lookups.
type vocab struct {
	sorted []string           // every term, sorted (prefix ranges)
	byLen  map[int][]surfaced // written words by length in runes (typos)
}

// surfaced is a word as written in the articles, with its term.
type surfaced struct {
	word []rune
	term string
}

// newVocab arranges the written words of an index (word -> term).
func newVocab(surface map[string]string) vocab {
	v := vocab{byLen: map[int][]surfaced{}}
	terms := map[string]bool{}
	for w, t := range surface {
		if !terms[t] {
			terms[t] = true
			v.sorted = append(v.sorted, t)
		}
		r := []rune(w)
		v.byLen[len(r)] = append(v.byLen[len(r)], surfaced{r, t})
	}
	slices.Sort(v.sorted)
	return v
}

// expand returns the index terms of li that a word matches, with the
// strength of each match. form is the word's term in li, tok the word as
// typed (normalised). The term itself matches with matchExact; with
// approx, so do terms that add or drop an ending of up to 3 letters to a
// stem of at least minStem letters (matchPrefix), and the terms of written
// words within fuzz typos of tok (matchFuzzy1, matchFuzzy2), a swap of two
// neighbouring letters counting as one typo. Typos are counted on the
// words as written, not on stems, which a typo can change beyond
// recognition.
func (li *langIndex) expand(form, tok string, fuzz int, approx bool) map[string]float64 {
	return expandIn(li.df, &li.vocab, form, tok, fuzz, approx)
}

// expandIn is expand over any set of terms: df holds the terms (a count
// above zero), v the same terms arranged for approximate lookups. The
// "known elsewhere" samples (elsewhere.go) are matched through it too.
func expandIn(df map[string]int, v *vocab, form, tok string, fuzz int, approx bool) map[string]float64 {
	out := map[string]float64{}
	if df[form] > 0 {
		out[form] = matchExact
	}
	if !approx || form == "" {
		return out
	}
	put := func(t string, s float64) {
		if s > out[t] {
			out[t] = s
		}
	}
	n, stem := utf8.RuneCountInString(form), minStem(form)
	if n >= stem {
		i, _ := slices.BinarySearch(v.sorted, form)
		for ; i < len(v.sorted) && strings.HasPrefix(v.sorted[i], form); i++ {
			if t := v.sorted[i]; t != form && utf8.RuneCountInString(t)-n <= 3 {
				put(t, matchPrefix)
			}
		}
	}
	for k := n - 1; k >= stem && k >= n-3; k-- {
		if p := runePrefix(form, k); df[p] > 0 {
			put(p, matchPrefix)
		}
	}
	if fuzz == 0 {
		return out
	}
	rt := []rune(tok)
	for l := len(rt) - fuzz; l <= len(rt)+fuzz; l++ {
		for _, sw := range v.byLen[l] {
			switch d := editDistance(rt, sw.word, fuzz); {
			case d == 1:
				put(sw.term, matchFuzzy1)
			case d == 2 && fuzz >= 2:
				put(sw.term, matchFuzzy2)
			}
		}
	}
	return out
}

// minStem is the shortest stem that prefix matching may use: 3 letters in
// the dense Arabic and Ethiopic scripts, 4 elsewhere.
func minStem(term string) int {
	r, _ := utf8.DecodeRuneInString(term)
	if (r >= 0x0600 && r <= 0x06FF) || (r >= 0x1200 && r <= 0x137F) {
		return 3
	}
	return 4
}

// runePrefix returns the first n runes of s.
func runePrefix(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// editDistance returns the optimal string alignment distance of a and b
// (Levenshtein plus swaps of neighbouring letters), or limit+1 as soon as
// it exceeds limit.
func editDistance(a, b []rune, limit int) int {
	if d := len(a) - len(b); d > limit || -d > limit {
		return limit + 1
	}
	var buf [3 * 32]int
	w := len(b) + 1
	var rows []int
	if 3*w <= len(buf) {
		rows = buf[:3*w]
	} else {
		rows = make([]int, 3*w)
	}
	pp, prev, cur := rows[:w], rows[w:2*w], rows[2*w:]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		best := i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			c := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				c = min(c, pp[j-2]+1)
			}
			cur[j] = c
			best = min(best, c)
		}
		if best > limit {
			return limit + 1
		}
		pp, prev, cur = prev, cur, pp
	}
	return min(prev[len(b)], limit+1)
}
