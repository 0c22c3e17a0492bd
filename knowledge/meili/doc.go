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
// Confidence: Meilisearch's _rankingScore is already in [0,1] (1 = every
// query word found, without typos, in the first searchable attribute).
// Confidence is that score for a hit in the person's language, and that
// score times CrossLanguage (0.7, the embedded index's factor) for a hit
// found in another language's articles, so knowledge.DefaultThreshold
// applies to both backends. The calibration on out-of-scope messages
// against a real server is left to the contract suite run with
// PASSERELLE_TEST_MEILI_URL (see knowledge/searchtest).
package meili
