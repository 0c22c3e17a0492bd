package bleve

import (
	"strings"
)

// sentenceEnd reports the characters that end a sentence in the scripts of
// our languages: Latin and Georgian . ? !, Arabic-script ؟ and ۔,
// Devanagari and Gurmukhi danda, Ethiopic full stop and question mark,
// and a line break.
func sentenceEnd(r rune) bool {
	switch r {
	case '.', '?', '!', '\n', '؟', '۔', '।', '॥', '።', '፧', '፨':
		return true
	}
	return false
}

// minTailWords is the least number of searched words the last sentence
// of a message must have to be compared with the questions on its own;
// only words that weigh something count (in a language without articles
// yet, the person's own words weigh nothing).
const minTailWords = 2

// tailWeights returns the weights of the words of the message's last
// sentence that has at least minTailWords searched words, the others
// weighing nothing, and their total; nil when the message has a single
// such sentence (the whole message is then its question).
//
// A long message often tells a story ("I came in 2018, my asylum was
// refused, I worked without papers") and asks its question last ("which
// office do I go to?"): the story's words spread the message over the
// topics of the story, while the question says which one is wanted. The
// question similarity is therefore also computed on the last sentence
// alone, and the topic keeps the better of the two (see rank).
func (x *Index) tailWeights(text, lang string, words []word, weights []float64) ([]float64, float64) {
	if len(words) <= minTailWords {
		return nil, 0
	}
	sentences := strings.FieldsFunc(text, sentenceEnd)
	if len(sentences) < 2 {
		return nil, 0
	}
	index := make(map[string]int, len(words))
	weighed := 0 // words that weigh something
	for i, w := range words {
		index[w.tok] = i
		if weights[i] > 0 {
			weighed++
		}
	}
	for s := len(sentences) - 1; s >= 0; s-- {
		sw, _ := x.words(sentences[s], lang)
		in := make([]bool, len(words))
		n := 0
		for _, w := range sw {
			if i, ok := index[w.tok]; ok && !in[i] && weights[i] > 0 {
				in[i] = true
				n++
			}
		}
		if n < minTailWords {
			continue
		}
		if n == weighed || s == 0 {
			return nil, 0 // the last question is the whole message
		}
		out := make([]float64, len(words))
		total := 0.0
		for i, ok := range in {
			if ok {
				out[i] = weights[i]
				total += weights[i]
			}
		}
		return out, total
	}
	return nil, 0
}
