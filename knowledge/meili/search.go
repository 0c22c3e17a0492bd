package meili

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/meilisearch/meilisearch-go"

	"github.com/passerelle-org/passerelle/knowledge"
)

// CrossLanguage scales the confidence of a hit found in another
// language's articles (the embedded index uses the same factor).
const CrossLanguage = 0.7

// Options configure a Searcher and Sync.
type Options struct {
	// Prefix of the index names, "passerelle" when empty.
	Prefix string
	// Timeout of one search, 2s when zero.
	Timeout time.Duration
	// TaskPoll is how often Sync asks for a task's status, 50ms when zero.
	TaskPoll time.Duration
}

func (o Options) prefix() string { return cmp.Or(o.Prefix, "passerelle") }

// IndexUID returns the name of the live index of lang.
func (o Options) IndexUID(lang string) string { return o.prefix() + "-" + lang }

// Connect returns a Meilisearch client for url and key using hc (nil: a
// client with a 10 s timeout).
func Connect(url, key string, hc *http.Client) meilisearch.ServiceManager {
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	return meilisearch.New(url, meilisearch.WithAPIKey(key), meilisearch.WithCustomClient(hc))
}

// Searcher implements knowledge.Searcher over Meilisearch. It is safe for
// concurrent use.
type Searcher struct {
	client  meilisearch.ServiceManager
	opts    Options
	langs   []string // languages with articles, menu order
	lex     map[string]*knowledge.Lexicon
	shared  *knowledge.Lexicon
	df      map[string]map[string]int // lang -> word -> articles holding it
	docs    map[string]int            // lang -> articles
	stop    map[string]map[string]bool
	timeout time.Duration
}

// New returns a Searcher over the indexes Sync builds from base. base is
// used to know the languages and how rare each word is (to pick and weigh
// the query words); nothing is sent to the server.
func New(client meilisearch.ServiceManager, base *knowledge.Base, opts Options) (*Searcher, error) {
	lex, err := knowledge.Lexicons()
	if err != nil {
		return nil, err
	}
	shared, err := knowledge.LoadLexicon("")
	if err != nil {
		return nil, err
	}
	s := &Searcher{client: client, opts: opts, lex: lex, shared: shared, df: map[string]map[string]int{},
		docs: map[string]int{}, stop: map[string]map[string]bool{}, timeout: cmp.Or(opts.Timeout, 2*time.Second)}
	for _, l := range knowledge.Languages() {
		s.stop[l] = map[string]bool{}
		for _, w := range StopWords(l, lex[l]) {
			s.stop[l][w] = true
		}
		docs := Documents(base, l, lex[l])
		if len(docs) == 0 {
			continue
		}
		s.langs = append(s.langs, l)
		s.df[l], s.docs[l] = map[string]int{}, len(docs)
		for _, d := range docs {
			text := strings.Join(d.Questions, " ") + " " + strings.Join(d.Keywords, " ") + " " + d.Title + " " + d.Summary + " " + d.Body
			count(s.df[l], text)
		}
	}
	return s, nil
}

// count adds one to counts for every distinct word of text.
func count(counts map[string]int, text string) {
	seen := map[string]bool{}
	for _, t := range strings.Fields(text) {
		if !seen[t] {
			seen[t] = true
			counts[t]++
		}
	}
}

// Languages returns the languages that have an index.
func (s *Searcher) Languages() []string { return slices.Clone(s.langs) }

// hitDoc is what a search returns of a document: an article (topic,
// lang) or a "known elsewhere" sample (subject, lang), with its questions.
type hitDoc struct {
	Topic     string   `json:"topic"`
	Subject   string   `json:"subject"`
	Lang      string   `json:"lang"`
	Questions []string `json:"questions"`
	Score     float64  `json:"_rankingScore"`
}

// Search implements knowledge.Searcher. The person's language is searched
// first (see multi); when it gives fewer than limit topics, or none at
// the threshold, the other languages are searched in one multi-search,
// each with the message as that language sees it, their hits mapped back
// to topics with CrossLanguage applied. An unknown language searches every
// index as the person's. A message closer to a "known elsewhere" sample
// than to the topics has every confidence capped (see turnAway).
func (s *Searcher) Search(ctx context.Context, query, lang string, limit int) ([]knowledge.Hit, error) {
	if limit <= 0 || strings.TrimSpace(query) == "" {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	own := slices.Contains(s.langs, lang)
	topics := map[string]*topicInfo{}
	var out []knowledge.Hit
	var closest away
	if own {
		hits, msgs, err := s.multi(ctx, []string{lang}, query, ownVariants)
		if err != nil {
			return nil, err
		}
		out = rank(hits, msgs, 1, topics)
		closest = closestDecoy(hits, msgs[lang], 1)
	}
	if !own || len(out) < limit || out[0].Confidence < knowledge.DefaultThreshold {
		var others []string
		for _, l := range s.langs {
			if l != lang {
				others = append(others, l)
			}
		}
		scale, variants := CrossLanguage, 1
		if !own {
			scale, variants = 1, ownVariants
		}
		hits, msgs, err := s.multi(ctx, others, query, variants)
		if err != nil {
			return nil, err
		}
		more := map[string]*topicInfo{}
		out = merge(out, rank(hits, msgs, scale, more))
		for t, info := range more {
			if topics[t] == nil {
				topics[t] = info
			}
		}
		for _, l := range others {
			if a := closestDecoy(hits, msgs[l], scale); a.sim > closest.sim {
				closest = a
			}
		}
	}
	turnAway(out, topics, closest)
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// ownVariants is the number of keyword lists sent to the person's
// language (see multi).
const ownVariants = 6

// AskedAttributes are the fields that say what people ask (questions,
// keywords, title): the words found there count twice (see rank).
var AskedAttributes = []string{"questions", "keywords", "title"}

// queryKind says what one query of a multi-search asks.
type queryKind int

const (
	anywhere queryKind = iota // keywords heaviest first, strategy "last", every field
	asked                     // the same in AskedAttributes
	ordered                   // keywords in the message's order, strategy "all", AskedAttributes
	decoy                     // keywords heaviest first, strategy "last", the "known elsewhere" index
)

// found is one hit of one query: the article or sample, which of the
// message's keywords it holds for sure (a bit per keyword, heaviest
// first), and their weights.
type found struct {
	hitDoc
	kind    queryKind
	held    uint64
	weights []float64
}

// multi searches the indexes of langs in one multi-search. Each language
// gets the message's keywords as it sees them (Keywords), heaviest first,
// with matchingStrategy "last": Meilisearch drops the lightest words first
// when not every word matches and never the first, so variants > 1 adds
// the lists without the first word, without the first two..., so that
// one word alone does not decide. Each list is searched in every field,
// in AskedAttributes and in the language's "known elsewhere" samples; the
// first is also sent in the message's order with strategy "all" to
// AskedAttributes, where Meilisearch's proximity and position rules then
// say which article asks the question the way the person did. Which words
// a hit holds is read from its ranking score (see Held); hits come with
// their questions, compared with the message by rank and turnAway. It
// also returns the message as each language sees it.
func (s *Searcher) multi(ctx context.Context, langs []string, query string, variants int) ([]found, map[string]*message, error) {
	req := &meilisearch.MultiSearchRequest{}
	type sent struct {
		kind    queryKind
		first   int // the query is the keywords from this one on
		weights []float64
	}
	var meta []sent
	add := func(l string, words []string, kind queryKind, first int, weights []float64) {
		q := &meilisearch.SearchRequest{
			IndexUID:             s.opts.IndexUID(l),
			Query:                strings.Join(words, " "),
			Limit:                20,
			AttributesToRetrieve: []string{"topic", "lang", "questions"},
			ShowRankingScore:     true,
			MatchingStrategy:     meilisearch.Last,
		}
		switch kind {
		case asked:
			q.AttributesToSearchOn = AskedAttributes
		case ordered:
			q.AttributesToSearchOn, q.MatchingStrategy = AskedAttributes, meilisearch.All
		case decoy:
			q.IndexUID, q.Limit = s.opts.DecoyIndexUID(l), 10
			q.AttributesToRetrieve = []string{"subject", "lang", "questions"}
		}
		req.Queries = append(req.Queries, q)
		meta = append(meta, sent{kind, first, weights})
	}
	msgs := map[string]*message{}
	for _, l := range langs {
		m := s.message(query, l)
		msgs[l] = m
		words := make([]string, len(m.kws))
		for i, k := range m.kws {
			words[i] = k.Word
		}
		for v := 0; v < variants && v < len(words); v++ {
			add(l, words[v:], anywhere, v, m.weights)
			add(l, words[v:], asked, v, m.weights)
			add(l, words[v:], decoy, v, m.weights)
		}
		if len(words) > 1 {
			inOrder := slices.Clone(m.kws)
			slices.SortFunc(inOrder, func(a, b Keyword) int { return a.Pos - b.Pos })
			msg := make([]string, len(inOrder))
			for i, k := range inOrder {
				msg[i] = k.Word
			}
			add(l, msg, ordered, 0, m.weights)
		}
	}
	if len(req.Queries) == 0 {
		return nil, msgs, nil
	}
	res, err := s.client.MultiSearchWithContext(ctx, req)
	if err != nil {
		return nil, nil, fmt.Errorf("meilisearch search: %w", err)
	}
	var out []found
	for i, r := range res.Results {
		if i >= len(meta) {
			break
		}
		m := meta[i]
		for _, h := range r.Hits {
			var d hitDoc
			for k, dst := range map[string]any{"topic": &d.Topic, "subject": &d.Subject, "lang": &d.Lang,
				"questions": &d.Questions, "_rankingScore": &d.Score} {
				if raw, ok := h[k]; ok {
					if err := json.Unmarshal(raw, dst); err != nil {
						return nil, nil, fmt.Errorf("meilisearch search: decoding %s: %w", k, err)
					}
				}
			}
			if (m.kind == decoy) == (d.Subject == "") || (m.kind != decoy && d.Topic == "") {
				continue
			}
			held := uint64(1)<<len(m.weights) - 1 // strategy "all": every word
			if m.kind != ordered {
				held = Held(d.Score, len(m.weights)-m.first) << m.first
			}
			out = append(out, found{d, m.kind, held, m.weights})
		}
	}
	return out, msgs, nil
}

// Check asks the server whether the index of the first language exists,
// with the configured key. It returns an error for which IsAuth is true
// when the key is refused, one for which IsNotSynced is true when the
// index is missing (run kb sync), any other error when the server cannot
// be reached.
func (s *Searcher) Check(ctx context.Context) error {
	if len(s.langs) == 0 {
		return errors.New("meilisearch: no articles")
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	if _, err := s.client.GetIndexWithContext(ctx, s.opts.IndexUID(s.langs[0])); err != nil {
		return fmt.Errorf("meilisearch: %w", err)
	}
	return nil
}
