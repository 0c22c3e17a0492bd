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
	df      map[string]map[string]int // lang -> term -> documents holding it
	asked   map[string]map[string]int // the same, in questions, keywords and titles
	stop    map[string]map[string]bool
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
		df: map[string]map[string]int{}, asked: map[string]map[string]int{}, stop: map[string]map[string]bool{}, timeout: cmp.Or(opts.Timeout, 2*time.Second)}
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
		s.df[l], s.asked[l] = map[string]int{}, map[string]int{}
		for _, d := range docs {
			asked := strings.Join(d.Questions, " ") + " " + strings.Join(d.Keywords, " ") + " " + d.Title
			count(s.asked[l], asked)
			count(s.df[l], asked+" "+d.Summary+" "+d.Body)
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

// Keywords reduces a message to at most MaxQueryWords words as the index
// of lang sees them: analysed with lang's lexicon, stop words dropped
// (unless the message has nothing else), duplicates dropped, and, when
// more remain, the rarest words in lang's articles kept in message order.
func (s *Searcher) Keywords(text, lang string) []string {
	lx := s.lex[lang]
	if lx == nil {
		lx = s.shared
	}
	stop := s.stop[lang]
	var words, stops []string
	seen := map[string]bool{}
	for _, raw := range lx.Tokens(text) {
		if !indexable(raw) {
			continue
		}
		t := stemAll(lx.Lang, []string{raw})[0]
		if seen[t] {
			continue
		}
		seen[t] = true
		if stop[raw] {
			stops = append(stops, t)
			continue
		}
		words = append(words, t)
	}
	if len(words) == 0 {
		words = stops
	}
	if len(words) <= MaxQueryWords {
		return words
	}
	// Too many: keep, in message order, the words the articles' questions,
	// keywords and titles use (the words people ask with), rarest first;
	// then words of summaries and bodies; then words no article has (a
	// typo, another language).
	type ranked struct {
		pos, tier, df int
	}
	r := make([]ranked, len(words))
	for i, w := range words {
		r[i] = ranked{i, 2, 0}
		if d := s.asked[lang][w]; d > 0 {
			r[i].tier, r[i].df = 0, d
		} else if d := s.df[lang][w]; d > 0 {
			r[i].tier, r[i].df = 1, d
		}
	}
	slices.SortStableFunc(r, func(a, b ranked) int { return cmp.Or(a.tier-b.tier, a.df-b.df) })
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
	var order []string // topics as the server ranked them, own language first
	add := func(h knowledge.Hit) {
		old, ok := best[h.Topic]
		if !ok {
			order = append(order, h.Topic)
		}
		if !ok || h.Confidence > old.Confidence {
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
	for _, t := range order {
		out = append(out, best[t])
	}
	// Ties keep the server's order (its later ranking rules).
	slices.SortStableFunc(out, func(a, b knowledge.Hit) int { return cmp.Compare(b.Confidence, a.Confidence) })
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
			c := Confidence(d.Score)
			out = append(out, knowledge.Hit{Topic: d.Topic, Lang: d.Lang, Score: d.Score, Confidence: c})
		}
	}
	return out, nil
}

// Confidence maps Meilisearch's _rankingScore to a confidence comparable
// with the embedded index's: the score is dominated by the share of query
// keywords found (the "words" rule), and a message whose keywords are
// found only in part is out of scope more often than not. The score is
// stretched linearly from [0.4, 1] to [0, 1], so that the engine's
// threshold 0.5 stands at a score of 0.7: about three keywords in four
// found, without typos, in the questions or keywords of one article.
func Confidence(rankingScore float64) float64 {
	return min(max((rankingScore-0.4)/0.6, 0), 1)
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
