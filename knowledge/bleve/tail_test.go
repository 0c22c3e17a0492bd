package bleve

import "testing"

// TestTailWeights: the last question of a long message is found; a
// message of one sentence, or whose last sentence weighs nothing, has none.
func TestTailWeights(t *testing.T) {
	x := newTestIndex(t)
	tail := func(text, lang string) ([]word, []float64, float64) {
		words, _ := x.words(text, lang)
		weights := x.weights(words, lang, true)
		tw, total := x.tailWeights(text, lang, words, weights)
		return words, tw, total
	}
	words, tw, total := tail("My asylum was refused in 2019 and I worked without papers. Which OFII office do I go to?", "en")
	if tw == nil || total <= 0 {
		t.Fatalf("no last question found in a two-sentence message")
	}
	for i, w := range words {
		if (w.tok == "office") != (tw[i] > 0) && (w.tok == "refused" || w.tok == "office") {
			t.Errorf("word %q: tail weight %.2f", w.tok, tw[i])
		}
	}
	if _, tw, _ := tail("How do I apply for the return aid at the OFII office?", "en"); tw != nil {
		t.Errorf("a one-sentence message has a separate last question")
	}
	if _, tw, _ := tail("Bonjour. Comment demander l'aide au retour ?", "fr"); tw != nil {
		t.Errorf("a greeting then one question: the question is the whole message")
	}
}
