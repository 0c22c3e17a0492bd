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

// MaxQueryWords is the number of query words Meilisearch uses; the rest
// are ignored by the server, so the adapter picks them itself.
const MaxQueryWords = 10

// CrossLanguage scales the confidence of a hit found in another
// language's articles (the embedded index uses the same factor).
const CrossLanguage = 0.7

// Options configure a Searcher and Sync.
type Options struct {
	// Prefix of the index names, "passerelle" when empty.
	Prefix string
	// Timeout of one search, 2s when zero.
	Timeout time.Duration
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
	df      map[string]map[string]int // lang -> term -> documents holding it
	timeout time.Duration
}

// New returns a Searcher over the indexes Sync builds from base. base is
// used to know the languages and how rare each word is (to pick the query
// words); nothing is sent to the server.
func New(client meilisearch.ServiceManager, base *knowledge.Base, opts Options) (*Searcher, error) {
	lex, err := knowledge.Lexicons()
	if err != nil {
		return nil, err
	}
	shared, err := knowledge.LoadLexicon("")
	if err != nil {
		return nil, err
	}
	s := &Searcher{client: client, opts: opts, lex: lex, shared: shared,
		df: map[string]map[string]int{}, timeout: cmp.Or(opts.Timeout, 2*time.Second)}
	for _, l := range knowledge.Languages() {
		docs := Documents(base, l, lex[l])
		if len(docs) == 0 {
			continue
		}
		s.langs = append(s.langs, l)
		df := map[string]int{}
		for _, d := range docs {
			seen := map[string]bool{}
			text := strings.Join(d.Questions, " ") + " " + strings.Join(d.Keywords, " ") + " " + d.Title + " " + d.Summary + " " + d.Body
			for _, t := range strings.Fields(text) {
				if !seen[t] {
					seen[t] = true
					df[t]++
				}
			}
		}
		s.df[l] = df
	}
	return s, nil
}

// Languages returns the languages that have an index.
func (s *Searcher) Languages() []string { return slices.Clone(s.langs) }

// Keywords reduces a message to at most MaxQueryWords words as the index
// of lang sees them: analysed with lang's lexicon, stop words dropped
// (unless the message has nothing else), duplicates dropped, and, when
// more remain, the rarest words in lang's articles kept in message order.
func (s *Searcher) Keywords(text, lang string) []string {
	lx := s.lex[lang]
	if lx == nil {
		lx = s.shared
	}
	stop := map[string]bool{}
	for _, w := range lx.Stop {
		stop[w] = true
	}
	var words, all []string
	seen := map[string]bool{}
	for _, t := range lx.Tokens(text) {
		if seen[t] {
			continue
		}
		seen[t] = true
		all = append(all, t)
		if !stop[t] {
			words = append(words, t)
		}
	}
	if len(words) == 0 {
		words = all
	}
	if len(words) <= MaxQueryWords {
		return words
	}
	df := s.df[lang]
	type ranked struct {
		pos, df int
	}
	r := make([]ranked, len(words))
	for i, w := range words {
		d := df[w]
		if d == 0 {
			d = 1 << 20 // unknown here (a typo, another language): last
		}
		r[i] = ranked{i, d}
	}
	slices.SortStableFunc(r, func(a, b ranked) int { return a.df - b.df })
	r = r[:MaxQueryWords]
	slices.SortFunc(r, func(a, b ranked) int { return a.pos - b.pos })
	out := make([]string, len(r))
	for i, x := range r {
		out[i] = words[x.pos]
	}
	return out
}

// hitDoc is what a search returns of a document.
type hitDoc struct {
	Topic string  `json:"topic"`
	Lang  string  `json:"lang"`
	Score float64 `json:"_rankingScore"`
}

// Search implements knowledge.Searcher: the index of the person's language
// first; when it gives fewer than limit hits or none at the threshold, the
// other languages in one multi-search, their hits mapped back to topics
// with CrossLanguage applied. An unknown language searches every index as
// the person's.
func (s *Searcher) Search(ctx context.Context, query, lang string, limit int) ([]knowledge.Hit, error) {
	if limit <= 0 || strings.TrimSpace(query) == "" {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	best := map[string]knowledge.Hit{}
	add := func(h knowledge.Hit) {
		if old, ok := best[h.Topic]; !ok || h.Confidence > old.Confidence {
			best[h.Topic] = h
		}
	}
	own := slices.Contains(s.langs, lang)
	if own {
		hits, err := s.multi(ctx, []string{lang}, query, lang, limit)
		if err != nil {
			return nil, err
		}
		for _, h := range hits {
			add(h)
		}
	}
	top := 0.0
	for _, h := range best {
		top = max(top, h.Confidence)
	}
	if len(best) < limit || top < knowledge.DefaultThreshold {
		var others []string
		for _, l := range s.langs {
			if l != lang {
				others = append(others, l)
			}
		}
		hits, err := s.multi(ctx, others, query, lang, limit)
		if err != nil {
			return nil, err
		}
		for _, h := range hits {
			if own {
				h.Confidence *= CrossLanguage
			}
			add(h)
		}
	}
	out := make([]knowledge.Hit, 0, len(best))
	for _, h := range best {
		out = append(out, h)
	}
	slices.SortFunc(out, func(a, b knowledge.Hit) int {
		return cmp.Or(cmp.Compare(b.Confidence, a.Confidence), cmp.Compare(b.Score, a.Score), strings.Compare(a.Topic, b.Topic))
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// multi searches the indexes of langs in one request, each with the query
// words as that language sees them.
func (s *Searcher) multi(ctx context.Context, langs []string, query, lang string, limit int) ([]knowledge.Hit, error) {
	req := &meilisearch.MultiSearchRequest{}
	for _, l := range langs {
		words := s.Keywords(query, l)
		if len(words) == 0 {
			continue
		}
		req.Queries = append(req.Queries, &meilisearch.SearchRequest{
			IndexUID:             s.opts.IndexUID(l),
			Query:                strings.Join(words, " "),
			Limit:                int64(max(limit, 10)),
			AttributesToRetrieve: []string{"topic", "lang"},
			ShowRankingScore:     true,
			MatchingStrategy:     meilisearch.Frequency,
		})
	}
	if len(req.Queries) == 0 {
		return nil, nil
	}
	res, err := s.client.MultiSearchWithContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("meilisearch search: %w", err)
	}
	var out []knowledge.Hit
	for _, r := range res.Results {
		for _, h := range r.Hits {
			var d hitDoc
			for k, dst := range map[string]any{"topic": &d.Topic, "lang": &d.Lang, "_rankingScore": &d.Score} {
				if raw, ok := h[k]; ok {
					if err := json.Unmarshal(raw, dst); err != nil {
						return nil, fmt.Errorf("meilisearch search: decoding %s: %w", k, err)
					}
				}
			}
			if d.Topic == "" {
				continue
			}
			c := min(max(d.Score, 0), 1)
			out = append(out, knowledge.Hit{Topic: d.Topic, Lang: d.Lang, Score: d.Score, Confidence: c})
		}
	}
	return out, nil
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
