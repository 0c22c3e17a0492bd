package bleve

import (
	"slices"

	"github.com/passerelle-org/passerelle/knowledge"
)

// Known elsewhere. People ask the service about subjects next to its own
// that it deliberately does not answer: renewing a titre de séjour,
// naturalisation, a passport at one's embassy, school, work permits, French
// classes (knowledge.ElsewhereSubjects). Such a message shares words with
// real topics ("renew", "card", "permit", "work") and used to be answered
// with confidence by the nearest one (a residence card as AME renewal).
//
// Each language index therefore also holds short sample questions of those
// subjects, as pseudo-topics "elsewhere:<subject>". They are analysed like
// the articles' questions but kept out of the Bleve index and its
// statistics (df, idf, BM25), so that the ranking and confidence of every
// real topic are exactly what they were; they are never returned as hits.
// After ranking, the message is compared with the samples as with the
// articles' questions (the same Dice similarity over the same word
// weights, on the whole message, every language searched, another
// language's sample counting crossLang). When the closest sample is at
// least awayMin alike and the message is about as close to it as to the
// best real topic (see turnAway), the message is turned away: every real
// topic's confidence is capped at awayCap, under
// knowledge.DefaultThreshold, and the engine offers a caseworker. A topic
// asked exactly as one of its questions (askedAs) is never turned away.

// Thresholds of the decision, chosen on our own messages
// (elsewhere_test.go) and checked on the development, held-out and check
// sets (see the package doc).
const (
	awayMin    = 0.45 // least similarity to a sample
	awayMargin = 0.05 // how far behind the best real topic's closeness a sample may be
	awayCap    = 0.4  // confidence of every real topic of a message turned away
)

// awayPrefix starts the pseudo-topic id of a subject, for Explain.
const awayPrefix = "elsewhere:"

// decoys are the analysed "known elsewhere" samples of one language.
type decoys struct {
	samples qindex         // grouped by subject, as indexed in knowledge.ElsewhereSubjects()
	df      map[string]int // samples containing each term
	vocab   vocab          // the samples' words, for approximate matching
}

// newDecoys analyses the samples of li's language out of all. A sample's
// word weighs as in a message: its idf among the articles, or
// unknownWeight when no article uses it.
func newDecoys(li *langIndex, all []knowledge.Elsewhere) decoys {
	d := decoys{df: map[string]int{}}
	surface := map[string]string{}
	subjects := knowledge.ElsewhereSubjects()
	for _, e := range all {
		if e.Lang != li.lang {
			continue
		}
		g := slices.Index(subjects, e.Subject) // -1: never compared
		for _, text := range e.Samples {
			var q question
			for _, tok := range li.an.tokens(text) {
				if !indexable(tok) {
					continue
				}
				t, ok := surface[tok]
				if !ok {
					t = li.an.term(tok)
					surface[tok] = t
				}
				if slices.Contains(q.terms, t) {
					continue
				}
				q.terms = append(q.terms, t)
				d.df[t]++
				w := unknownWeight
				if li.df[t] > 0 {
					w = idf(li.df[t], li.n)
				}
				q.weightAll += w
				if !li.an.stop[tok] {
					q.content = append(q.content, t)
					q.weight += w
				}
			}
			if len(q.content) > 0 && g >= 0 {
				d.samples.add(g, q)
			}
		}
	}
	d.vocab = newVocab(surface)
	return d
}

// away is how close a message is to the closest "known elsewhere" subject.
type away struct {
	subject  string
	sim      float64 // Dice similarity to its closest sample
	coverage float64 // share of the message's word weight one sample matches
}

// elsewhere measures the message against the "known elsewhere" samples and
// returns the closest subject, given the weights of its words (as in
// rank). Unlike the questions of real topics, samples are compared with
// the whole message only, never with its last question alone: a long
// topical message often ends on a near-topic fragment ("does level 1 pay
// the rent? the children's school?").
func (x *Index) elsewhere(words []word, lang string, hasOwn bool, weights []float64, total float64) away {
	exps := make([][]map[string]float64, len(x.order))
	for col, l := range x.order {
		d := &x.langs[l].away
		own := l == lang || lang == ""
		exps[col] = make([]map[string]float64, len(words))
		for i, w := range words {
			exps[col][i] = expandIn(d.df, &d.vocab, w.forms[col], w.tok, w.fuzz, own)
		}
	}
	invs := invert(exps)
	subjects := knowledge.ElsewhereSubjects()
	sc := x.scratch(len(words))
	defer x.dice.Put(sc)
	// Per subject: the best similarity of its samples in one language, and
	// the most message weight one of them matches.
	sims, most := make([]float64, len(subjects)), make([]float64, len(subjects))
	var best away
	for col, l := range x.order {
		if invs[col] == nil || total == 0 {
			continue
		}
		factor := 1.0
		if l != lang && lang != "" && hasOwn {
			factor = crossLang
		}
		qi := &x.langs[l].away.samples
		clear(sims)
		clear(most)
		sc.touch(qi, invs[col])
		for k, q := range sc.touched {
			g := qi.qs[q].group
			sim, matched := sc.dice(qi, k, weights, total, false)
			sims[g], most[g] = max(sims[g], sim), max(most[g], matched)
		}
		for g, s := range subjects {
			if sims[g]*factor > best.sim {
				best = away{subject: s, sim: sims[g] * factor, coverage: most[g] * factor / total}
			}
		}
	}
	return best
}

// turnAway caps the confidence of every candidate at awayCap when the
// message is closer to a "known elsewhere" subject than to the real topics
// (see the comment at the top of this file). Closeness is the similarity
// to the closest question or sample plus the share of the message matched
// (the first candidate's coverage, the sample's): a message phrased like
// a sample is turned away even when a topic's articles match more of its
// words ("renew my residence card" matches the AME article's "renew" and
// "card"), while a topical message that merely mentions the children's
// school keeps its answer. The sample must also be at least awayMin
// alike. cands are ranked, best first; asked are the topics asked as one
// of their questions. It returns the subject, or "" when the message is
// not turned away.
func turnAway(cands []*candidate, asked map[string]bool, a away) string {
	if len(cands) == 0 || a.sim < awayMin || asked[cands[0].topic] {
		return ""
	}
	closest := 0.0
	for _, c := range cands {
		closest = max(closest, c.question)
	}
	if a.sim+a.coverage < closest+cands[0].coverage-awayMargin {
		return ""
	}
	for _, c := range cands {
		c.conf, c.away = min(c.conf, awayCap), awayPrefix+a.subject
	}
	return a.subject
}
