// Package meili is the Meilisearch search backend: it implements
// knowledge.Searcher over one Meilisearch index per language, and Sync
// pushes the articles and the index settings (kb sync).
//
// Both backends see the same text: documents and queries go through the
// language's knowledge.Lexicon (knowledge.Normalize, letter folds,
// synonyms and spelling variants rewritten to one form) before they reach
// Meilisearch, so that a French message typed without accents or a
// Persian one typed on an Arabic keyboard meets the same words as in the
// embedded index. The synonyms and stop words of the knowledge folder are
// also set on each index, so that Meilisearch's own query parsing agrees.
//
// Indexes are named "<prefix>-<lang>" (prefix "passerelle" by default),
// and "<prefix>-elsewhere-<lang>" for the "known elsewhere" samples
// (decoys.go). Sync builds "<index>-next", waits for every task, fails
// with the task's error when one fails, then swaps all changed indexes in
// one swap-indexes task, so a search never sees a half-built index.
//
// Search: a message is cut to at most 10 keywords (Meilisearch reads 10),
// each weighted by its rarity in the language's articles, and sent
// heaviest first with matchingStrategy "last", so that the server drops
// the lightest words first. Meilisearch never drops the first word, so the
// lists without the first word, the first two... are sent too, each to
// every field and to the fields people ask with (questions, keywords,
// title), plus the keywords in the message's order with strategy "all"
// to those fields, all in one multi-search. Which keywords an article
// holds is read from its _rankingScore: with "words" the first ranking
// rule, a score in ((k-1)/n, k/n] means the first k of n words (the
// documented merge of the rules' ranks). Hits come with their questions,
// which the adapter compares with the message as the embedded index does
// (Dice similarity over the same keyword weights). Hits are grouped by
// topic, each with Features: coverage, closeness to a question, matched
// weight, and how far it stands out from the next topic.
//
// Confidence is a logistic function of the Features (see Confidence),
// fitted on the project's own messages and the development set against
// the fake server (fit_test.go), its bias set so that wrong answers stay
// at most 5% of those sets; the held-out set checks it. A topic asked
// exactly as one of its questions comes first. The same multi-search
// queries the "known elsewhere" samples: a message about as close to one
// as to the best topic gets every confidence capped under the threshold
// (turnAway), as in the embedded index. The fake server (meilitest)
// models Meilisearch's documented ranking rules and score but is not the
// engine: the contract suite run with PASSERELLE_TEST_MEILI_URL
// (knowledge/searchtest) is where the figures are confirmed on a real
// server.
package meili
