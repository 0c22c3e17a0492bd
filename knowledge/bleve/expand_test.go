package bleve

import (
	"math/bits"
	"math/rand/v2"
	"testing"
)

// TestEditDistanceBand checks the banded editDistance against the whole
// optimal string alignment table, capped at limit+1, on random words of a
// small alphabet (so that they often come close) and of up to 40 letters
// (past the stack buffer), and editDistanceIn in a buffer left dirty by
// the previous comparisons; and that letterSet never rules out two words
// within reach.
func TestEditDistanceBand(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var buf [3 * 32]int
	word := func() []rune {
		w := make([]rune, r.IntN(41))
		for i := range w {
			w[i] = rune('a' + r.IntN(4) + 64*r.IntN(2)) // letters sharing a bit too
		}
		return w
	}
	for range 20000 {
		a, b := word(), word()
		if r.IntN(2) == 0 { // a close variant of a
			b = append([]rune(nil), a...)
			for range r.IntN(4) {
				if len(b) > 1 {
					i := r.IntN(len(b) - 1)
					b[i], b[i+1] = b[i+1], b[i]
				}
				if len(b) > 0 && r.IntN(2) == 0 {
					b = append(b[:r.IntN(len(b))], b[r.IntN(len(b)):]...)
				}
			}
		}
		for limit := range 4 {
			want := min(fullOSA(a, b), limit+1)
			if got := editDistance(a, b, limit); got != want {
				t.Fatalf("editDistance(%q, %q, %d) = %d, want %d", string(a), string(b), limit, got, want)
			}
			if got := editDistanceIn(buf[:], a, b, limit); got != want {
				t.Fatalf("editDistanceIn(%q, %q, %d) = %d, want %d", string(a), string(b), limit, got, want)
			}
			sa, sb := letterSet(a), letterSet(b)
			if want <= limit && (bits.OnesCount64(sa&^sb) > limit || bits.OnesCount64(sb&^sa) > limit) {
				t.Fatalf("letterSet rules out %q and %q, %d typos apart", string(a), string(b), want)
			}
		}
	}
}

// fullOSA is the optimal string alignment distance over the whole table.
func fullOSA(a, b []rune) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
