package bleve

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/whitespace"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/passerelle-org/passerelle/knowledge"
)

// Index is the embedded search backend: one in-memory Bleve index per
// language that has articles. It implements knowledge.Searcher and is safe
// for concurrent use.
type Index struct {
	base      *knowledge.Base
	analyzers map[string]*analyzer  // all 16 languages
	shared    *knowledge.Lexicon    // the search data of every language, for an unknown one
	langs     map[string]*langIndex // languages with articles
	order     []string              // keys of langs, menu order
	topicID   map[string]int        // every topic with an article, numbered (see questionSims)
	dice      sync.Pool             // *diceScratch, reused by the searches (see questionSims)
}

// langIndex is the index of one language.
type langIndex struct {
	lang string
	an   *analyzer
	idx  bleve.Index
	df   map[string]int // articles containing each term, any field
	// fieldsOf tells in which fields each term is found, as bit masks
	// (bit i: fields()[i]): so that a search asks each field only for the
	// terms it holds, and tells which words a hit matched where without
	// asking Bleve for the locations of the matches.
	fieldsOf map[string]termFields
	docNum   map[string]int // topic -> its article's index in termFields.docs
	fields   []field        // fields(), kept to spare rebuilding it in each search
	n        int            // articles
	// vocab holds the terms for approximate lookups.
	vocab vocab
	// qs holds the analysed questions of each topic's article, grouped
	// by topic id, with their postings (see postings.go).
	qs qindex
	// asked maps the sorted content terms of every question of two terms
	// or more, joined by spaces, to the topics that ask it (see askedRank).
	asked map[string][]string
	// away holds the "known elsewhere" samples of the language (see
	// elsewhere.go): kept apart from the Bleve index and its statistics.
	away decoys
}

// termFields tells in which fields of the articles of a language a term
// is found (bit i of a mask: fields()[i]).
type termFields struct {
	any  uint8   // fields of any article
	docs []uint8 // fields of each article, by langIndex.docNum
}

// question is one analysed question of an article.
type question struct {
	terms     []string // distinct terms
	content   []string // distinct terms of the words that are not stop words
	weight    float64  // sum of the idf of the terms that are not stop words
	weightAll float64  // sum of the idf of all terms
}

// field is one indexed part of an article, with the weight of a match in
// it (used both as the Bleve boost and in the confidence, see score.go).
type field struct {
	name   string
	weight float64
	text   func(*knowledge.Article) string
}

// fields lists the indexed fields: the ways people ask (questions) and the
// words they use (keywords) count most, the body least.
func fields() []field {
	return []field{
		{"questions", 1.0, func(a *knowledge.Article) string { return strings.Join(a.Questions, "\n") }},
		{"keywords", 1.0, func(a *knowledge.Article) string { return strings.Join(a.Keywords, "\n") }},
		{"title", 0.9, func(a *knowledge.Article) string { return a.Title }},
		{"summary", 0.7, func(a *knowledge.Article) string { return a.Summary }},
		{"body", 0.5, func(a *knowledge.Article) string { return a.Body }},
	}
}

// termsAnalyzer is the Bleve analyzer of every field: the text is already
// our analysed terms, separated by spaces.
const termsAnalyzer = "passerelle_terms"

// New builds one in-memory index per language of base.
func New(base *knowledge.Base) (*Index, error) {
	x := &Index{base: base, analyzers: map[string]*analyzer{}, langs: map[string]*langIndex{}, topicID: map[string]int{}}
	lexicons, err := knowledge.Lexicons()
	if err != nil {
		return nil, err
	}
	for _, l := range knowledge.Languages() {
		x.analyzers[l] = newAnalyzer(l, lexicons[l])
	}
	if x.shared, err = knowledge.LoadLexicon(""); err != nil {
		return nil, err
	}
	elsewhere, err := knowledge.LoadElsewhere()
	if err != nil {
		return nil, fmt.Errorf("loading known-elsewhere samples: %w", err)
	}
	for _, l := range knowledge.Languages() {
		for _, a := range base.ArticlesIn(l) {
			if _, ok := x.topicID[a.Topic]; !ok {
				x.topicID[a.Topic] = len(x.topicID)
			}
		}
	}
	// Languages are indexed in parallel, at most GOMAXPROCS at a time.
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
		sem  = make(chan struct{}, runtime.GOMAXPROCS(0))
	)
	for _, l := range knowledge.Languages() {
		arts := base.ArticlesIn(l)
		if len(arts) == 0 {
			continue
		}
		x.order = append(x.order, l)
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			li, err := buildLang(x.analyzers[l], arts, x.topicID)
			if err == nil {
				li.away = newDecoys(li, elsewhere)
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			x.langs[l] = li
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		x.Close()
		return nil, err
	}
	return x, nil
}

// Close releases the indexes.
func (x *Index) Close() error {
	var first error
	for _, li := range x.langs {
		if err := li.idx.Close(); err != nil && first == nil {
			first = fmt.Errorf("closing %s index: %w", li.lang, err)
		}
	}
	return first
}

func newMapping() (mapping.IndexMapping, error) {
	im := bleve.NewIndexMapping()
	err := im.AddCustomAnalyzer(termsAnalyzer, map[string]any{
		"type":      custom.Name,
		"tokenizer": whitespace.Name,
	})
	if err != nil {
		return nil, fmt.Errorf("defining analyzer: %w", err)
	}
	im.DefaultAnalyzer = termsAnalyzer
	im.ScoringModel = index.BM25Scoring
	im.IndexDynamic, im.StoreDynamic, im.DocValuesDynamic = false, false, false
	dm := bleve.NewDocumentStaticMapping()
	for _, f := range fields() {
		fm := bleve.NewTextFieldMapping()
		fm.Analyzer = termsAnalyzer
		fm.Store, fm.IncludeInAll, fm.DocValues = false, false, false
		// Searches no longer read term vectors (which words matched where
		// comes from langIndex.fieldsOf); they are kept so that the Bleve
		// index is built exactly as it was.
		fm.IncludeTermVectors = true
		dm.AddFieldMappingsAt(f.name, fm)
	}
	im.DefaultMapping = dm
	return im, nil
}

// buildLang indexes the articles of one language; topicID numbers the
// topics (read only: languages are built in parallel).
func buildLang(an *analyzer, arts []*knowledge.Article, topicID map[string]int) (*langIndex, error) {
	m, err := newMapping()
	if err != nil {
		return nil, err
	}
	// Scorch with no path keeps its segments in memory only.
	idx, err := bleve.NewUsing("", m, scorch.Name, scorch.Name, nil)
	if err != nil {
		return nil, fmt.Errorf("creating %s index: %w", an.lang, err)
	}
	li := &langIndex{lang: an.lang, an: an, idx: idx, df: map[string]int{}, n: len(arts),
		asked: map[string][]string{}, fieldsOf: map[string]termFields{}, docNum: map[string]int{}, fields: fields()}
	// surface maps every word written in the articles to its term; it
	// spares stemming a word twice and gives typo matching the words as
	// people type them.
	surface := map[string]string{}
	analyse := func(text string) []string {
		toks := an.tokens(text)
		out := toks[:0]
		for _, tok := range toks {
			if !indexable(tok) {
				continue
			}
			t, ok := surface[tok]
			if !ok {
				t = an.term(tok)
				surface[tok] = t
			}
			out = append(out, t)
		}
		return out
	}
	batch := idx.NewBatch()
	docTerms := map[string][][]string{} // topic -> terms of each field, as indexed
	for _, a := range arts {
		doc := map[string]any{}
		seen := map[string]bool{}
		docTerms[a.Topic] = make([][]string, len(li.fields))
		if _, ok := li.docNum[a.Topic]; !ok {
			li.docNum[a.Topic] = len(li.docNum)
		}
		for fi, f := range li.fields {
			terms := analyse(f.text(a))
			docTerms[a.Topic][fi] = terms
			doc[f.name] = strings.Join(terms, " ")
			for _, t := range terms {
				tf := li.fieldsOf[t]
				tf.any |= 1 << fi
				li.fieldsOf[t] = tf
				if !seen[t] {
					seen[t] = true
					li.df[t]++
				}
			}
		}
		if err := batch.Index(a.Topic, doc); err != nil {
			idx.Close()
			return nil, fmt.Errorf("indexing %s: %w", a.Path, err)
		}
	}
	if err := idx.Batch(batch); err != nil {
		idx.Close()
		return nil, fmt.Errorf("indexing %s articles: %w", an.lang, err)
	}
	for topic, fts := range docTerms {
		d := li.docNum[topic]
		for fi, terms := range fts {
			for _, t := range terms {
				tf := li.fieldsOf[t]
				if tf.docs == nil {
					tf.docs = make([]uint8, len(li.docNum))
					li.fieldsOf[t] = tf
				}
				tf.docs[d] |= 1 << fi
			}
		}
	}
	li.vocab = newVocab(surface)
	for _, a := range arts {
		for _, text := range a.Questions {
			var q question
			for _, tok := range an.tokens(text) {
				if !indexable(tok) {
					continue
				}
				t := surface[tok]
				if slices.Contains(q.terms, t) {
					continue
				}
				q.terms = append(q.terms, t)
				q.weightAll += idf(li.df[t], li.n)
				if !an.stop[tok] {
					q.content = append(q.content, t)
					q.weight += idf(li.df[t], li.n)
				}
			}
			if len(q.terms) > 0 {
				li.qs.add(topicID[a.Topic], q)
			}
			if len(q.content) >= 2 {
				k := askedKey(q.content)
				if !slices.Contains(li.asked[k], a.Topic) {
					li.asked[k] = append(li.asked[k], a.Topic)
				}
			}
		}
	}
	return li, nil
}

// askedKey is the key of a set of terms in langIndex.asked.
func askedKey(terms []string) string {
	s := slices.Clone(terms)
	slices.Sort(s)
	return strings.Join(slices.Compact(s), " ")
}

// idf is the BM25 inverse document frequency of a term found in df of n
// articles.
func idf(df, n int) float64 {
	return math.Log(1 + (float64(n-df)+0.5)/(float64(df)+0.5))
}
