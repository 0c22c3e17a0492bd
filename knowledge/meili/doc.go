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
// Confidence: Meilisearch's _rankingScore is in [0,1] (1 = every query
// word found, without typos, in the first searchable attribute) and is
// dominated by the share of query words found. Confidence stretches it
// linearly from [0.4, 1] to [0, 1] (see Confidence), so that the engine's
// knowledge.DefaultThreshold of 0.5 stands at a ranking score of 0.7:
// about three keywords in four found; a hit found only in another
// language's articles is further scaled by CrossLanguage (0.7, the
// embedded index's factor). This mapping was checked against the fake
// server only; the contract suite run with PASSERELLE_TEST_MEILI_URL
// (knowledge/searchtest) is where it is confirmed on a real server.
package meili
