package bleve

import "slices"

// Question postings. The closeness of a message to a known question (see
// rank) is the best Dice coefficient over the questions of a topic: twice
// the message weight a question matches over the weight of both. Comparing
// every question of every candidate topic, term by term, with the terms the
// message expands to cost most of a search in map lookups that miss. Each
// language therefore holds, built once with the index, the postings of its
// questions: for each term, the questions that hold it. A search walks only
// the few terms the message expands to and touches only the questions that
// share one of them; a question sharing none matches nothing, its Dice
// coefficient is 0, and the similarities start at 0, so skipping it changes
// no result. The sums are made in the same order as a question-by-question
// comparison would make them, so the results are bit for bit the same.

// qindex holds the analysed questions of one language, each in a group
// (a topic's article or a "known elsewhere" subject), with their postings.
type qindex struct {
	qs   []qentry
	post map[string][]int32 // term -> the questions holding it, by index in qs
}

// qentry is one question of a qindex.
type qentry struct {
	group     int32   // topic id (Index.topicID) or subject index
	weight    float64 // see question
	weightAll float64
}

// add puts a question in the index under group g. The terms of q are
// distinct, so a question is listed at most once under a term.
func (qi *qindex) add(g int, q question) {
	if qi.post == nil {
		qi.post = map[string][]int32{}
	}
	id := int32(len(qi.qs))
	qi.qs = append(qi.qs, qentry{group: int32(g), weight: q.weight, weightAll: q.weightAll})
	for _, t := range q.terms {
		qi.post[t] = append(qi.post[t], id)
	}
}

// diceScratch is the working space of the question comparisons, reused
// from language to language and, through Index.dice, from search to search:
// for each question touched, the best strength of each message word in it.
type diceScratch struct {
	words   int     // words of the message
	slot    []int32 // question -> 1 + its row in best, 0 when untouched
	touched []int32 // questions touched, in the order first met
	best    []float64
}

// scratch returns working space for a message of n words, reused from one
// search to the next (see Index.dice); put it back with x.dice.Put.
func (x *Index) scratch(n int) *diceScratch {
	sc, _ := x.dice.Get().(*diceScratch)
	if sc == nil {
		sc = &diceScratch{}
	}
	for _, q := range sc.touched {
		sc.slot[q] = 0
	}
	sc.words, sc.touched, sc.best = n, sc.touched[:0], sc.best[:0]
	return sc
}

// touch fills the scratch space with the questions of qi that hold a term
// of inv (the words each term stands for, see invert) and, for each, the
// best strength with which each word meets one of its terms.
func (sc *diceScratch) touch(qi *qindex, inv map[string][]wordMatch) {
	for _, q := range sc.touched {
		sc.slot[q] = 0
	}
	sc.touched, sc.best = sc.touched[:0], sc.best[:0]
	if len(sc.slot) < len(qi.qs) {
		sc.slot = make([]int32, len(qi.qs))
	}
	for t, ms := range inv {
		for _, q := range qi.post[t] {
			r := sc.slot[q]
			if r == 0 {
				sc.touched = append(sc.touched, q)
				r = int32(len(sc.touched))
				sc.slot[q] = r
				n := len(sc.best)
				sc.best = slices.Grow(sc.best, sc.words)[:n+sc.words]
				clear(sc.best[n:])
			}
			row := sc.best[int(r-1)*sc.words : int(r)*sc.words]
			for _, m := range ms {
				row[m.word] = max(row[m.word], m.strength)
			}
		}
	}
}

// dice returns the Dice coefficient of the message against the k-th
// touched question, given the weight of each word and their total, and the
// message weight it matches. all counts the question's stop words too (a
// message made only of them).
func (sc *diceScratch) dice(qi *qindex, k int, weights []float64, total float64, all bool) (sim, matched float64) {
	q := &qi.qs[sc.touched[k]]
	for i, s := range sc.best[k*sc.words : (k+1)*sc.words] {
		matched += weights[i] * s
	}
	qw := q.weight
	if all {
		qw = q.weightAll
	}
	if total+qw > 0 {
		sim = 2 * matched / (total + qw)
	}
	return sim, matched
}

// questionSims returns, for every topic id (see Index.topicID), the
// closeness of the message to the topic's questions: the best Dice
// coefficient over the questions of its articles, questions in another
// language than the person's counting crossLang times. invs holds the
// words each term stands for, per language (see invert). When tail is not
// nil, the similarity of the message's last sentence alone (weights tail,
// total tailTotal) is measured too and each topic keeps the better one.
func (x *Index) questionSims(lang string, hasOwn bool, invs []map[string][]wordMatch, weights []float64, total float64, tail []float64, tailTotal float64, all bool) []float64 {
	sims := make([]float64, len(x.topicID))
	sc := x.scratch(len(weights))
	defer x.dice.Put(sc)
	for col, l := range x.order {
		if invs[col] == nil {
			continue
		}
		factor := 1.0
		if l != lang && lang != "" && hasOwn {
			factor = crossLang
		}
		qi := &x.langs[l].qs
		sc.touch(qi, invs[col])
		for k, q := range sc.touched {
			g := qi.qs[q].group
			d, _ := sc.dice(qi, k, weights, total, all)
			sims[g] = max(sims[g], factor*d)
			if tail != nil {
				d, _ = sc.dice(qi, k, tail, tailTotal, all)
				sims[g] = max(sims[g], factor*d)
			}
		}
	}
	return sims
}
