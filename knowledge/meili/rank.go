package meili

import (
	"cmp"
	"math"
	"slices"

	"github.com/passerelle-org/passerelle/knowledge"
)

// Held returns the query words a document with this ranking score holds
// for sure (bit i: the i-th word), for a query of n words sent with
// matchingStrategy "last" and "words" as the first ranking rule: the
// words rule ranks k of n when the document holds the first k words, and
// the ranking score is then in ((k-1)/n, k/n] (Meilisearch merges the
// rules' ranks as digits, the first rule's the most significant; see
// https://www.meilisearch.com/docs/learn/relevancy/ranking_score).
func Held(rankingScore float64, n int) uint64 {
	if n <= 0 {
		return 0
	}
	k := min(max(int(math.Ceil(rankingScore*float64(n)-1e-9)), 1), n)
	return 1<<k - 1
}

// coverage is the share of the keywords' weight that held marks.
func coverage(held uint64, weights []float64) float64 {
	sum, total := 0.0, 0.0
	for i, w := range weights {
		total += w
		if held&(1<<i) != 0 {
			sum += w
		}
	}
	if total <= 0 {
		return 0
	}
	return sum / total
}

// article is what the queries of one multi-search tell of one article.
type article struct {
	topic, lang       string
	weights           []float64
	held, heldAsked   uint64  // keywords it holds anywhere, in AskedAttributes
	score, orderScore float64 // best ranking score anywhere; of the query in the message's order
	coverage          float64
}

// rank groups hits by article, then by topic. An article's coverage is the
// mean of the share of the keyword weight it holds anywhere and of the
// share its questions, keywords and title hold (what people ask with
// counts twice); a topic counts its best article. Topics are ordered by
// coverage; ties by the query in the message's order, then by ranking
// score, which is Meilisearch's own order. Each topic gets a confidence
// (see Confidence) scaled by scale.
func rank(hits []found, scale float64) []knowledge.Hit {
	docs := map[[2]string]*article{}
	var order []*article // first seen first
	for _, h := range hits {
		key := [2]string{h.Topic, h.Lang}
		a := docs[key]
		if a == nil {
			a = &article{topic: h.Topic, lang: h.Lang, weights: h.weights}
			docs[key] = a
			order = append(order, a)
		}
		a.held |= h.held
		switch h.kind {
		case anywhere:
			a.score = max(a.score, h.Score)
		case asked:
			a.heldAsked |= h.held
		case ordered:
			a.heldAsked |= h.held
			a.orderScore = max(a.orderScore, h.Score)
		}
	}
	better := func(a, b *article) int {
		return cmp.Or(cmp.Compare(b.coverage, a.coverage), cmp.Compare(b.orderScore, a.orderScore), cmp.Compare(b.score, a.score))
	}
	best := map[string]*article{}
	var topics []*article
	for _, a := range order {
		a.coverage = (coverage(a.held, a.weights) + coverage(a.heldAsked, a.weights)) / 2
		old, ok := best[a.topic]
		switch {
		case !ok:
			best[a.topic] = a
			topics = append(topics, a)
		case better(a, old) < 0:
			best[a.topic] = a
			topics[slices.Index(topics, old)] = a
		}
	}
	slices.SortStableFunc(topics, better)
	out := make([]knowledge.Hit, len(topics))
	for i, a := range topics {
		// Only the first topic can stand out: the others are compared
		// with it, which they do not pass.
		c := Confidence(a.coverage, a.coverage, 0)
		if i == 0 {
			next, lead := 0.0, a.orderScore
			if len(topics) > 1 {
				next, lead = topics[1].coverage, a.orderScore-topics[1].orderScore
			}
			c = Confidence(a.coverage, next, lead)
		}
		out[i] = knowledge.Hit{Topic: a.topic, Lang: a.lang, Score: a.score, Confidence: scale * c}
	}
	return out
}

// Confidence parameters, fitted on the project's own messages
// (knowledge/bleve/testdata/queries.jsonl), neither the development set
// nor the held-out one: the most right answers with at most 10% wrong
// ones and at least 80% of out-of-scope messages left unanswered (the
// targets of knowledge/bleve's quality tests).
const (
	minCoverage = 0.3   // coverage under which a topic is no answer
	tieShare    = 0.45  // what a topic that does not stand out keeps: under the threshold
	gapFull     = 0.1   // coverage lead over the next topic that makes a topic stand out
	leadFull    = 0.005 // lead in the message-order query that makes a topic stand out
)

// Confidence maps a topic's coverage (see rank), the coverage of the
// next topic and its lead over it in the query sent in the message's
// order (the difference of their ranking scores there) to [0,1]. The
// coverage is stretched from [minCoverage, 1] to [0, 1]; a topic that
// does not stand out from the next keeps tieShare of it, under the
// engine's threshold (knowledge.DefaultThreshold, 0.5): when several
// articles hold the same keywords and Meilisearch's later rules (typo,
// attribute, proximity, exactness) do not rank one first on the
// message's word order, the bot should rather ask.
func Confidence(coverage, next, lead float64) float64 {
	stretched := min(max((coverage-minCoverage)/(1-minCoverage), 0), 1)
	stand := min(max((coverage-next)/gapFull, 0)+max(lead, 0)/leadFull, 1)
	return stretched * (tieShare + (1-tieShare)*stand)
}

// merge adds the topics of more that hits lacks, keeping the order by
// confidence.
func merge(hits, more []knowledge.Hit) []knowledge.Hit {
	for _, h := range more {
		if !slices.ContainsFunc(hits, func(o knowledge.Hit) bool { return o.Topic == h.Topic }) {
			hits = append(hits, h)
		}
	}
	slices.SortStableFunc(hits, func(a, b knowledge.Hit) int { return cmp.Compare(b.Confidence, a.Confidence) })
	return hits
}
