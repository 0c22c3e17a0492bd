package knowledge

import (
	"context"
	"time"
)

// Handoff policies of a topic (see topics.yaml).
const (
	HandoffNone    = "none"    // the article answers fully
	HandoffSuggest = "suggest" // answer, then offer a caseworker
	HandoffAlways  = "always"  // answer briefly and open a caseworker conversation
)

// Topic is one entry of the topic taxonomy.
type Topic struct {
	ID      string `yaml:"id"`
	Handoff string `yaml:"handoff"`
	Facts   string `yaml:"facts"`
	Summary string `yaml:"summary"`
}

// Article is one topic written in one language.
type Article struct {
	Topic     string    // topic id, e.g. "return.allowance"
	Lang      string    // language code, e.g. "ti"
	Title     string    // short title in the article's language
	Questions []string  // ways people ask it, in that language
	Keywords  []string  // words and spellings people use, incl. romanised forms
	Summary   string    // the short answer, fits 2 SMS segments in its script
	Sources   []string  // URLs the facts come from
	Verified  time.Time // date the facts were last checked
	Reviewed  bool      // true only after a native speaker checked it
	Body      string    // the fuller answer (Markdown-light: paragraphs, "- " lists)
	Path      string    // file it was loaded from, for error messages
}

// Hit is one search result.
type Hit struct {
	Topic string  // topic id
	Lang  string  // language of the article that matched
	Score float64 // backend score, for display and ordering
	// Confidence in [0,1], comparable across queries and backends; the
	// engine abstains when the best hit is below its threshold.
	Confidence float64
}

// Searcher finds the topics that answer a question. Implementations search
// the person's language first, then other languages mapped back to topics,
// and return at most limit hits, best first.
type Searcher interface {
	Search(ctx context.Context, query, lang string, limit int) ([]Hit, error)
}

// DefaultThreshold is the confidence under which the engine should not
// answer: it says it does not know and offers a caseworker. Backends
// calibrate Hit.Confidence so that out-of-scope messages fall below it.
const DefaultThreshold = 0.5
