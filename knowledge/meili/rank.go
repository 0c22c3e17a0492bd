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

// topicInfo is what the queries of one multi-search tell of one topic,
// over its articles in the languages searched: the features of its
// confidence (see Features) and whether it was asked as one of its
// questions.
type topicInfo struct {
	Features
	topic, lang string
	asked       bool
	score       float64 // best ranking score anywhere: Meilisearch's own order
	orderScore  float64 // best ranking score of the query in the message's order
	z           float64
}

// Features are the measures of one topic for one message that its
// confidence is computed from.
type Features struct {
	// Coverage is the mean of the share of the keyword weight an article
	// holds anywhere and of the share its questions, keywords and title
	// hold (read from the ranking scores, see Held): what people ask with
	// counts twice.
	Coverage float64
	// Question is the Dice similarity of the message to the closest of the
	// topic's questions returned by the server (see message.dice).
	Question float64
	// Evidence is ln(1 + the keyword weight an article holds): about one
	// unit a rare word, so that one or two common words are not enough.
	Evidence float64
	// Lead is the topic's coverage minus the best coverage of another
	// topic, QuestionLead the same of Question, and OrderLead its ranking score in the query sent in the
	// message's order minus the best other one: a topic that does not
	// stand out from the next should rather be asked about.
	Lead, QuestionLead, OrderLead float64
}

// rank groups hits by topic (the hits of one multi-search, msgs the
// message as each language sees it), computes each topic's confidence
// (see Confidence), scaled by scale, and returns the topics best first.
// A topic one of whose questions has exactly the message's keywords is
// put first with at least askedConfidence. The topics' information is
// added to infos, for turnAway.
func rank(hits []found, msgs map[string]*message, scale float64, infos map[string]*topicInfo) []knowledge.Hit {
	type article struct {
		held, heldAsked uint64
		weights         []float64
	}
	arts := map[[2]string]*article{}
	var topics []*topicInfo
	byTopic := map[string]*topicInfo{}
	for _, h := range hits {
		if h.kind == decoy {
			continue
		}
		t := byTopic[h.Topic]
		if t == nil {
			t = &topicInfo{topic: h.Topic, lang: h.Lang}
			byTopic[h.Topic] = t
			topics = append(topics, t)
		}
		key := [2]string{h.Topic, h.Lang}
		a := arts[key]
		if a == nil {
			a = &article{weights: h.weights}
			arts[key] = a
		}
		a.held |= h.held
		switch h.kind {
		case anywhere:
			t.score = max(t.score, h.Score)
		case asked:
			a.heldAsked |= h.held
		case ordered:
			a.heldAsked |= h.held
			t.orderScore = max(t.orderScore, h.Score)
		}
		if m := msgs[h.Lang]; m != nil {
			for _, q := range h.Questions {
				sim, _ := m.dice(q)
				t.Question = max(t.Question, sim)
				t.asked = t.asked || m.askedAs(q)
			}
		}
	}
	for key, a := range arts {
		t, m := byTopic[key[0]], msgs[key[1]]
		cov := (coverage(a.held, a.weights) + coverage(a.heldAsked, a.weights)) / 2
		if cov > t.Coverage {
			t.Coverage, t.lang = cov, key[1]
		}
		if m != nil {
			t.Evidence = max(t.Evidence, math.Log1p(coverage(a.held, a.weights)*m.total))
		}
	}
	others := math.Inf(-1) // best z of a topic not asked as
	for _, t := range topics {
		var next Features
		nextOrder := 0.0
		for _, o := range topics {
			if o != t {
				next.Coverage, next.Question = max(next.Coverage, o.Coverage), max(next.Question, o.Question)
				nextOrder = max(nextOrder, o.orderScore)
			}
		}
		t.Lead, t.QuestionLead = t.Coverage-next.Coverage, t.Question-next.Question
		t.OrderLead = t.orderScore - nextOrder
		t.z = t.Features.z()
		if !t.asked {
			others = max(others, t.z)
		}
	}
	for _, t := range topics {
		if t.asked {
			t.z = max(t.z, askedZ, others+askedLead)
		}
	}
	slices.SortStableFunc(topics, func(a, b *topicInfo) int {
		return cmp.Or(cmp.Compare(b.z, a.z), cmp.Compare(b.orderScore, a.orderScore), cmp.Compare(b.score, a.score), cmp.Compare(a.topic, b.topic))
	})
	out := make([]knowledge.Hit, len(topics))
	for i, t := range topics {
		out[i] = knowledge.Hit{Topic: t.topic, Lang: t.lang, Score: math.Round(t.z*1000) / 1000, Confidence: scale * sigmoid(t.z)}
		infos[t.topic] = t
	}
	return out
}

// Confidence coefficients: z = bias + Σ coefficient × feature, in the
// order of Features.vector; fitted by logistic regression (fit_test.go)
// on the project's own messages (knowledge/bleve/testdata/queries.jsonl)
// and the development set against the fake server, the label being "the
// first topic answers the message" (as the embedded index's), and
// rounded. The fitted bias (-8.6) was then lowered to the largest value
// that keeps wrong answers at most 5% of both sets: a wrong answer costs
// about three abstentions (the bot offers a person instead). The held-out
// set is never used to fit them.
var (
	bias         = -9.9
	coefficients = [...]float64{4.2, 2.7, 2.8, 0.2, 1.9, 0.9}
)

// askedZ is the least z of a topic asked as one of its questions (about
// 0.82), and askedLead how far ahead of the best topic not asked as it is
// put, as in the embedded index.
const (
	askedZ    = 1.5
	askedLead = 0.05
)

// vector returns the features in the order of coefficients.
func (f Features) vector() []float64 {
	return []float64{f.Coverage, f.Question, f.Evidence, f.Lead, f.QuestionLead, f.OrderLead}
}

func (f Features) z() float64 {
	z := bias
	for i, v := range f.vector() {
		z += coefficients[i] * v
	}
	return z
}

// Confidence is the calibrated probability that a topic with these
// features answers the message: 1 / (1 + exp(-z)).
func Confidence(f Features) float64 { return sigmoid(f.z()) }

func sigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

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
