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
// Indexes are named "<prefix>-<lang>" (prefix "passerelle" by default).
// Sync builds "<prefix>-<lang>-next", waits for every task, fails with the
// task's error when one fails, then swaps all changed languages in one
// swap-indexes task, so a search never sees a half-built index.
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
// documented merge of the rules' ranks). Hits are grouped by article then
// topic; a topic's coverage is the share of the keyword weight its best
// article holds, anywhere and in the asked fields.
//
// Confidence comes from the coverage and the lead over the next topic
// (see Confidence): a topic that does not stand out stays under the
// engine's threshold. Its parameters were fitted on the project's own
// messages against the fake server (meilitest), which models
// Meilisearch's documented ranking rules and score but is not the engine:
// the contract suite run with PASSERELLE_TEST_MEILI_URL (knowledge/
// searchtest) is where they are confirmed on a real server.
package meili
