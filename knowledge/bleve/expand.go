package bleve

import (
	"math/bits"
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
	word    []rune
	term    string
	letters uint64 // see letterSet
}

// letterSet returns the set of the letters of w, each letter as one of 64
// bits (its code point modulo 64). Each typo (a letter deleted, added or
// replaced, or two swapped) removes at most one letter of a word and adds
// at most one, so two words within k typos differ by at most k bits each
// way: most words of the vocabulary are ruled out by comparing sets,
// before their edit distance is computed. Letters sharing a bit only make
// the sets closer, never rule out a word within reach.
func letterSet(w []rune) uint64 {
	var s uint64
	for _, r := range w {
		s |= 1 << (uint32(r) % 64)
	}
	return s
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
		v.byLen[len(r)] = append(v.byLen[len(r)], surfaced{r, t, letterSet(r)})
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
//
// A word that matches nothing gets a nil map (most words in most
// languages): reading it is the same as reading an empty one.
func expandIn(df map[string]int, v *vocab, form, tok string, fuzz int, approx bool) map[string]float64 {
	var out map[string]float64
	put := func(t string, s float64) {
		if out == nil {
			out = map[string]float64{}
		}
		if s > out[t] {
			out[t] = s
		}
	}
	if df[form] > 0 {
		put(form, matchExact)
	}
	if !approx || form == "" {
		return out
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
	var buf [32]rune
	rt := buf[:0]
	for _, r := range tok {
		rt = append(rt, r)
	}
	var rows [3 * 32]int // zeroed once here rather than in every comparison
	letters := letterSet(rt)
	for l := len(rt) - fuzz; l <= len(rt)+fuzz; l++ {
		for _, sw := range v.byLen[l] {
			if bits.OnesCount64(letters&^sw.letters) > fuzz || bits.OnesCount64(sw.letters&^letters) > fuzz {
				continue // more than fuzz typos apart (see letterSet)
			}
			switch d := editDistanceIn(rows[:], rt, sw.word, fuzz); {
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
//
// Only the cells of the table within limit of its diagonal are computed
// (Ukkonen's band): a cell further away is at least that far, more than
// limit, so no alignment within limit goes through it. The cells just
// outside the band are set to limit+1, which is at most their true value;
// every computed cell is then exact when its distance is at most limit,
// and more than limit otherwise, so the answer is the same as with the
// whole table.
func editDistance(a, b []rune, limit int) int {
	return editDistanceIn(nil, a, b, limit)
}

// editDistanceIn is editDistance working in buf when it is large enough
// (3 rows of len(b)+1 cells), whatever it holds: every cell is written
// before it is read.
func editDistanceIn(buf []int, a, b []rune, limit int) int {
	if d := len(a) - len(b); d > limit || -d > limit {
		return limit + 1
	}
	out := limit + 1 // value of the cells outside the band
	w := len(b) + 1
	rows := buf
	if 3*w > len(buf) {
		rows = make([]int, 3*w)
	}
	pp, prev, cur := rows[:w], rows[w:2*w], rows[2*w:3*w]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		lo, hi := max(1, i-limit), min(len(b), i+limit)
		cur[0] = i
		if lo > 1 {
			cur[lo-1] = out
		}
		best := i
		for j := lo; j <= hi; j++ {
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
		if hi < len(b) {
			cur[hi+1] = out // read as prev[j] by the next row's last cell
		}
		if best > limit {
			return limit + 1
		}
		pp, prev, cur = prev, cur, pp
	}
	return min(prev[len(b)], limit+1)
}
