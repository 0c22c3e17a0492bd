package meili

import (
	"cmp"
	"math"
	"slices"
	"unicode/utf8"
)

// MaxQueryWords is the number of query words Meilisearch uses; the rest
// are ignored by the server, so the adapter picks them itself.
const MaxQueryWords = 10

// Keyword is one query word and how much it tells about the topic.
type Keyword struct {
	Word string
	Pos  int // place in the message
	// Weight is the word's inverse document frequency in the language's
	// articles, ln(1 + articles/articles holding it): a word in every
	// article tells little, one in a single article much. A word no
	// article holds (a typo, a name, another language) gets half the
	// weight of the rarest words when Meilisearch may still match it with
	// a typo, and is dropped when it is too short for any typo.
	Weight float64
}

// Keywords reduces a message to at most MaxQueryWords words as the index
// of lang sees them: analysed with lang's lexicon, stop words dropped
// (unless the message has nothing else), duplicates dropped, words no
// search could match dropped, then the heaviest kept, heaviest first.
// That order is the one Search sends with matchingStrategy "last": the
// server drops the lightest words first and never the first one.
func (s *Searcher) Keywords(text, lang string) []string {
	kws := s.keywords(text, lang)
	out := make([]string, len(kws))
	for i, k := range kws {
		out[i] = k.Word
	}
	return out
}

func (s *Searcher) keywords(text, lang string) []Keyword {
	lx := s.lex[lang]
	if lx == nil {
		lx = s.shared
	}
	stop := s.stop[lang]
	df, n := s.df[lang], s.docs[lang]
	oneTypo, _ := typoSizes(lang)
	var words, stops []Keyword
	seen := map[string]bool{}
	for pos, raw := range lx.Tokens(text) {
		if !indexable(raw) {
			continue
		}
		t := stemAll(lx.Lang, []string{raw})[0]
		if seen[t] {
			continue
		}
		seen[t] = true
		k := Keyword{Word: t, Pos: pos}
		switch d := df[t]; {
		case n == 0:
			k.Weight = 1
		case d > 0:
			k.Weight = math.Log(1 + float64(n)/float64(d))
		case int64(utf8.RuneCountInString(t)) >= oneTypo:
			k.Weight = math.Log(1+float64(n)) / 2
		default:
			continue // unknown and too short for a typo: it can only dilute
		}
		if stop[raw] || stop[t] {
			stops = append(stops, k)
			continue
		}
		words = append(words, k)
	}
	if len(words) == 0 {
		words = stops
	}
	// Heaviest first; ties keep the message's order.
	slices.SortStableFunc(words, func(a, b Keyword) int { return cmp.Compare(b.Weight, a.Weight) })
	if len(words) > MaxQueryWords {
		words = words[:MaxQueryWords]
	}
	return words
}

// message is a message as one language's index sees it: its keywords,
// their weights and what they weigh together. It measures how close a
// question or sample returned by the server is to the message.
type message struct {
	s       *Searcher
	lang    string
	kws     []Keyword
	weights []float64
	total   float64
}

func (s *Searcher) message(text, lang string) *message {
	m := &message{s: s, lang: lang, kws: s.keywords(text, lang)}
	for _, k := range m.kws {
		m.weights = append(m.weights, k.Weight)
		m.total += k.Weight
	}
	return m
}

// weight is how much a word of a question weighs: as a keyword would
// (see Keyword.Weight), stop words and one-letter words nothing.
func (m *message) weight(w string) float64 {
	if !indexable(w) || m.s.stop[m.lang][w] {
		return 0
	}
	n := m.s.docs[m.lang]
	if d := m.s.df[m.lang][w]; d > 0 && n > 0 {
		return math.Log(1 + float64(n)/float64(d))
	}
	return math.Log(1+float64(max(n, 1))) / 2
}

// dice compares the message with one analysed question or sample as the
// embedded index does: twice the weight of the keywords the question holds
// over the weight of both (sim), and the share of the message's weight it
// holds (cov). Words are compared as analysed (stems), without typos.
func (m *message) dice(question string) (sim, cov float64) {
	words := map[string]bool{}
	qw := 0.0
	for _, w := range sampleWords(question) {
		if !words[w] {
			words[w] = true
			qw += m.weight(w)
		}
	}
	matched := 0.0
	for _, k := range m.kws {
		if words[k.Word] {
			matched += k.Weight
		}
	}
	if m.total+qw == 0 || m.total == 0 {
		return 0, 0
	}
	return 2 * matched / (m.total + qw), matched / m.total
}

// askedAs reports whether the question is made of exactly the message's
// keywords, two or more, in any order: the message is that question.
func (m *message) askedAs(question string) bool {
	if len(m.kws) < 2 {
		return false
	}
	words := map[string]bool{}
	for _, w := range sampleWords(question) {
		if m.weight(w) > 0 {
			words[w] = true
		}
	}
	if len(words) != len(m.kws) {
		return false
	}
	for _, k := range m.kws {
		if !words[k.Word] {
			return false
		}
	}
	return true
}
