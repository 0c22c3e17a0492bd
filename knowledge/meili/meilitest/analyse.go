package meilitest

import (
	"slices"
	"strings"
	"unicode"
)

// Word positions follow milli: a word's position counts from the start of
// its attribute, and each value of an array attribute starts maxDistance
// positions after the previous one, so that no proximity spans two values.
const maxDistance = 8

// occurrence is one place a word appears in a document.
type occurrence struct {
	attr int // rank of the attribute in searchableAttributes (its weight)
	pos  int // position in the attribute
}

// analysedDoc is a document as the search sees it.
type analysedDoc struct {
	id     string
	seq    int                     // insertion order: Meilisearch's internal id, the last tie-break
	words  map[string][]occurrence // word -> where it appears
	values []value                 // each value of each searchable attribute (exactness)
}

// value is the words of one value of an attribute, stop words left out.
type value struct {
	attr  int
	words []string
}

// analysedIndex is the searchable form of an index, rebuilt when its
// documents or settings change.
type analysedIndex struct {
	docs  []*analysedDoc
	df    map[string]int            // word -> documents holding it (the vocabulary)
	vocab []vocabWord               // the words of df, for typo derivations
	attrs []string                  // searchable attributes, by weight
	on    map[string]*analysedIndex // restrictions (attributesToSearchOn), by attributes
}

// tokenize splits text into lower-case words the way Meilisearch's
// tokenizer (charabia) does for space-separated scripts: letters, digits
// and combining marks (Devanagari, Ethiopic and Arabic vowel signs) make
// words; everything else separates them. Segmentation of scripts without
// spaces (Chinese, Thai) and charabia's per-script normalisers (diacritics
// removal, Arabic letter folding) are not modelled: the adapter sends text
// it has already normalised.
func tokenize(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r)
	})
}

// analyse builds the searchable form of ix. Stop words are not indexed
// but still take a position, as in milli.
func (ix *index) analyse() *analysedIndex {
	if ix.analysed != nil {
		return ix.analysed
	}
	attrs := ix.settings.SearchableAttributes
	if slices.Contains(attrs, "*") { // every field, in the order first seen
		attrs = nil
		for _, id := range ix.ids() {
			for _, k := range sortedKeys(ix.docs[id]) {
				if !slices.Contains(attrs, k) {
					attrs = append(attrs, k)
				}
			}
		}
	}
	stop := map[string]bool{}
	for _, w := range ix.settings.StopWords {
		stop[w] = true
	}
	a := &analysedIndex{df: map[string]int{}, attrs: attrs, on: map[string]*analysedIndex{}}
	for _, id := range ix.ids() {
		d := &analysedDoc{id: id, seq: ix.seq[id], words: map[string][]occurrence{}}
		for ai, attr := range attrs {
			pos := 0
			for vi, v := range values0(ix.docs[id][attr]) {
				if vi > 0 {
					pos += maxDistance
				}
				var kept []string
				for _, w := range tokenize(v) {
					if !stop[w] {
						d.words[w] = append(d.words[w], occurrence{ai, pos})
						kept = append(kept, w)
					}
					pos++
				}
				d.values = append(d.values, value{ai, kept})
			}
		}
		for w := range d.words {
			a.df[w]++
		}
		a.docs = append(a.docs, d)
	}
	slices.SortFunc(a.docs, func(x, y *analysedDoc) int { return x.seq - y.seq })
	a.vocab = vocabulary(a.df)
	ix.analysed = a
	return a
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// values0 lists the values of a field: a string, or the strings of a list.
func values0(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, x := range v {
			out = append(out, values0(x)...)
		}
		return out
	}
	return nil
}

// restrict returns a with only the attributes of on searched
// (attributesToSearchOn); the attributes keep their weights. It fails as
// Meilisearch does when one is not searchable.
func (ix *index) restrict(a *analysedIndex, on []string) (*analysedIndex, *APIError) {
	key := strings.Join(on, "\x00")
	if r := a.on[key]; r != nil {
		return r, nil
	}
	allowed := map[int]bool{}
	for _, name := range on {
		i := slices.Index(a.attrs, name)
		if i < 0 {
			e := apiError("invalid_search_attributes_to_search_on", "invalid_request",
				"Attribute `%s` is not searchable. Available searchable attributes are: `%s`.", name, strings.Join(a.attrs, ", "))
			return nil, &e
		}
		allowed[i] = true
	}
	r := &analysedIndex{df: map[string]int{}, attrs: a.attrs}
	for _, d := range a.docs {
		rd := &analysedDoc{id: d.id, seq: d.seq, words: map[string][]occurrence{}}
		for w, occs := range d.words {
			for _, o := range occs {
				if allowed[o.attr] {
					rd.words[w] = append(rd.words[w], o)
				}
			}
		}
		for _, v := range d.values {
			if allowed[v.attr] {
				rd.values = append(rd.values, v)
			}
		}
		for w := range rd.words {
			r.df[w]++
		}
		r.docs = append(r.docs, rd)
	}
	r.vocab = vocabulary(r.df)
	a.on[key] = r
	return r, nil
}

// vocabWord is a word of the index and its letters.
type vocabWord struct {
	word  string
	runes []rune
}

func vocabulary(df map[string]int) []vocabWord {
	out := make([]vocabWord, 0, len(df))
	for w := range df {
		out = append(out, vocabWord{w, []rune(w)})
	}
	slices.SortFunc(out, func(a, b vocabWord) int { return strings.Compare(a.word, b.word) })
	return out
}
