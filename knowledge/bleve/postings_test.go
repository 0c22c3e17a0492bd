package bleve

import (
	"context"
	"testing"

	"github.com/passerelle-org/passerelle/knowledge"
)

// TestQuestionSimsExact checks that the question similarities and the
// closest "known elsewhere" subject found through the postings are bit for
// bit those of comparing the message with every question in turn (the
// way they were computed before postings.go), on our own and the held-out
// messages, in the person's language and as an unknown one.
func TestQuestionSimsExact(t *testing.T) {
	x := newTestIndex(t)
	lines := readEval(t, "testdata/queries.jsonl")
	if !testing.Short() {
		lines = append(lines, readEval(t, "testdata/held-out.jsonl")...)
	}
	ctx := context.Background()
	compared, rc := 0, refCache{}
	for _, l := range lines {
		for _, lang := range []string{l.Lang, ""} {
			words, all := x.words(l.Text, lang)
			if len(words) == 0 {
				continue
			}
			_, hasOwn := x.langs[lang]
			_, exps, err := x.gather(ctx, words, lang, hasOwn, false)
			if err != nil {
				t.Fatal(err)
			}
			weights := x.weights(words, lang, hasOwn || lang == "")
			tail, tailTotal := x.tailWeights(l.Text, lang, words, weights)
			total := 0.0
			for _, w := range weights {
				total += w
			}
			invs := invert(exps)
			got := x.questionSims(lang, hasOwn, invs, weights, total, tail, tailTotal, all)
			for topic, id := range x.topicID {
				want := refSimilarity(rc, x, topic, lang, hasOwn, invs, weights, total, all)
				if tail != nil {
					want = max(want, refSimilarity(rc, x, topic, lang, hasOwn, invs, tail, tailTotal, all))
				}
				if got[id] != want {
					t.Errorf("%s (%q) %s: question similarity %v, want %v", l.ID, lang, topic, got[id], want)
				}
				compared++
			}
			if got, want := x.elsewhere(words, lang, hasOwn, weights, total), refElsewhere(rc, x, words, lang, hasOwn, weights, total); got != want {
				t.Errorf("%s (%q): elsewhere %+v, want %+v", l.ID, lang, got, want)
			}
		}
	}
	t.Logf("%d similarities compared", compared)
}

// refQuestions returns the questions of qi in group g, rebuilt from the
// postings (their terms in another order) and kept in refCache.
func refQuestions(refCache refCache, qi *qindex, g int) []question {
	groups, ok := refCache[qi]
	if !ok {
		terms := make([][]string, len(qi.qs))
		for t, ids := range qi.post {
			for _, id := range ids {
				terms[id] = append(terms[id], t)
			}
		}
		groups = map[int][]question{}
		for id, q := range qi.qs {
			groups[int(q.group)] = append(groups[int(q.group)], question{terms: terms[id], weight: q.weight, weightAll: q.weightAll})
		}
		refCache[qi] = groups
	}
	return groups[g]
}

// refCache holds the questions of each qindex by group, rebuilt once.
type refCache map[*qindex]map[int][]question

// refSimilarity is the former questionSimilarity: every question of the
// topic in every language, compared term by term.
func refSimilarity(rc refCache, x *Index, topic, lang string, hasOwn bool, invs []map[string][]wordMatch, weights []float64, total float64, all bool) float64 {
	sim := 0.0
	best := make([]float64, len(weights))
	for col, l := range x.order {
		inv := invs[col]
		if inv == nil {
			continue
		}
		factor := 1.0
		if l != lang && lang != "" && hasOwn {
			factor = crossLang
		}
		dice, _ := refBestDice(refQuestions(rc, &x.langs[l].qs, x.topicID[topic]), inv, weights, best, total, all)
		sim = max(sim, factor*dice)
	}
	return sim
}

// refElsewhere is the former elsewhere.
func refElsewhere(rc refCache, x *Index, words []word, lang string, hasOwn bool, weights []float64, total float64) away {
	exps := make([][]map[string]float64, len(x.order))
	for col, l := range x.order {
		d := &x.langs[l].away
		own := l == lang || lang == ""
		exps[col] = make([]map[string]float64, len(words))
		for i, w := range words {
			exps[col][i] = expandIn(d.df, &d.vocab, w.forms[col], w.tok, w.fuzz, own)
		}
	}
	invs, scratch := invert(exps), make([]float64, len(words))
	var best away
	for col, l := range x.order {
		if invs[col] == nil || total == 0 {
			continue
		}
		factor := 1.0
		if l != lang && lang != "" && hasOwn {
			factor = crossLang
		}
		for g, s := range knowledge.ElsewhereSubjects() {
			sim, most := refBestDice(refQuestions(rc, &x.langs[l].away.samples, g), invs[col], weights, scratch, total, false)
			if sim*factor > best.sim {
				best = away{subject: s, sim: sim * factor, coverage: most * factor / total}
			}
		}
	}
	return best
}

// refBestDice is the former bestDice.
func refBestDice(qs []question, inv map[string][]wordMatch, weights, best []float64, total float64, all bool) (sim, most float64) {
	for _, q := range qs {
		clear(best)
		for _, t := range q.terms {
			for _, m := range inv[t] {
				best[m.word] = max(best[m.word], m.strength)
			}
		}
		matched := 0.0
		for i, s := range best {
			matched += weights[i] * s
		}
		qw := q.weight
		if all {
			qw = q.weightAll
		}
		if total+qw > 0 {
			sim = max(sim, 2*matched/(total+qw))
		}
		most = max(most, matched)
	}
	return sim, most
}
