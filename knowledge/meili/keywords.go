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
