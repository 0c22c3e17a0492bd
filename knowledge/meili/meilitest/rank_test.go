package meilitest

import (
	"math"
	"testing"
)

// TestMergeRanks checks the score formula against values worked out by
// hand from milli's Rank::merge: the first rule's rank is the most
// significant digit.
func TestMergeRanks(t *testing.T) {
	for _, c := range []struct {
		ranks []rank
		want  float64
	}{
		{nil, 1},
		{[]rank{{2, 3}}, 2.0 / 3},
		{[]rank{{3, 3}, {1, 2}}, 5.0 / 6},         // ((3-1)*2+1)/(3*2)
		{[]rank{{1, 2}, {5, 5}}, 0.5},             // one word of two, perfect after: at most 1/2
		{[]rank{{2, 2}, {1, 3}, {7, 7}}, 4.0 / 6}, // ((2-1)*3+1-1)*7+7 over 42
	} {
		if got := mergeRanks(c.ranks); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("mergeRanks(%v) = %v, want %v", c.ranks, got, c.want)
		}
	}
}

func TestCostFromDistance(t *testing.T) {
	for d, want := range map[int]int{0: 0, 1: 1, 2: 2, 4: 2, 5: 3, 11: 4, 12: 5, 24: 6, 64: 7, 65: 8, 1024: 9, 1025: 10} {
		if got := costFromDistance(d); got != want {
			t.Errorf("costFromDistance(%d) = %d, want %d", d, got, want)
		}
	}
}

func TestTypos(t *testing.T) {
	for _, c := range []struct {
		q, w  string
		limit int
		want  int
	}{
		{"passport", "pasport", 1, 1},
		{"passport", "passprot", 1, 1}, // a transposition is one typo
		{"passport", "bassport", 2, 2}, // a typo on the first letter counts as two
		{"passport", "bassport", 1, 2}, // so it is out of reach of one typo
		{"passport", "visa", 2, 3},
	} {
		if got := typos([]rune(c.q), []rune(c.w), c.limit); got != c.want {
			t.Errorf("typos(%s, %s, %d) = %d, want %d", c.q, c.w, c.limit, got, c.want)
		}
	}
}
