// Package knowledge holds Passerelle's curated answers: the Article format
// (Markdown with front matter, one file per topic and language), loading
// and validation, the topic catalogue, the shared text normaliser used by
// every search backend at index and query time, the per-language search
// data every backend loads (Lexicon: stop words, synonyms and spelling
// variants, letter folds, romanisation; files in lang/), the check that a
// translation keeps the figures of its English article (CheckFacts), and
// the Searcher contract.
//
// It imports no adapter: knowledge/bleve and knowledge/meili implement
// Searcher on top of it.
package knowledge
