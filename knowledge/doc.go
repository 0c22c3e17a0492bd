// Package knowledge holds Passerelle's curated answers: the Article format
// (Markdown with front matter, one file per topic and language), loading
// and validation, the topic catalogue, the shared text normaliser used by
// every search backend at index and query time, and the Searcher contract.
//
// It imports no adapter: knowledge/bleve and knowledge/meili implement
// Searcher on top of it.
package knowledge
