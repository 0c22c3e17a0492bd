package meilitest

// typos counts the typos between a query word and a document word: the
// Damerau-Levenshtein distance, a different first letter costing one
// more; limit+1 when over limit.
func typos(a, b []rune, limit int) int {
	d := distance(a, b, limit)
	if len(a) > 0 && len(b) > 0 && a[0] != b[0] {
		d++
	}
	return min(d, limit+1)
}

func isNumber(w string) bool {
	for _, r := range w {
		if r < '0' || r > '9' {
			return false
		}
	}
	return w != ""
}

// distance is the Damerau-Levenshtein distance of a and b, or limit+1
// when it is over limit.
func distance(a, b []rune, limit int) int {
	if abs(len(a)-len(b)) > limit {
		return limit + 1
	}
	var buf [3][32]int
	prev2, prev, cur := buf[0][:0], buf[1][:0], buf[2][:0]
	if len(b)+1 > 32 {
		prev2, prev, cur = make([]int, 0, len(b)+1), make([]int, 0, len(b)+1), make([]int, 0, len(b)+1)
	}
	prev2, prev, cur = prev2[:len(b)+1], prev[:len(b)+1], cur[:len(b)+1]
	for j := range prev {
		prev[j] = j
	}
	prevMin := 0
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := i
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit && prevMin >= limit { // a transposition reaches back one row
			return limit + 1
		}
		prevMin = rowMin
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[len(b)], limit+1)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
