package meili

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"

	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/english"
	"github.com/blevesearch/snowballstem/french"

	"github.com/passerelle-org/passerelle/knowledge"
)

// Document is one article as stored in Meilisearch. The text fields hold
// the article's words as the search sees them (see Analyse); Topic, Lang
// and Reviewed are kept as written, for filters.
type Document struct {
	ID        string   `json:"id"`
	Topic     string   `json:"topic"`
	Lang      string   `json:"lang"`
	Reviewed  bool     `json:"reviewed"`
	Questions []string `json:"questions"`
	Keywords  []string `json:"keywords"`
	Title     string   `json:"title"`
	Summary   string   `json:"summary"`
	Body      string   `json:"body"`
	// Hash identifies the content, so that Sync reports what changed and
	// changes nothing when nothing did.
	Hash string `json:"hash"`
}

// DocumentID is the Meilisearch id of an article: ids allow only letters,
// digits, "-" and "_", topic ids have dots.
func DocumentID(topic, lang string) string {
	return strings.ReplaceAll(topic, ".", "_") + "-" + lang
}

// Analyse returns text as the search sees it in a language: normalised,
// letters folded, variants rewritten (knowledge.Lexicon.Tokens), English
// and French words stemmed (Snowball, as in the embedded index; Meilisearch
// does not stem), joined by spaces. lx may be nil (Normalize alone).
func Analyse(lx *knowledge.Lexicon, text string) string {
	if lx == nil {
		return knowledge.Normalize(text)
	}
	return strings.Join(stemAll(lx.Lang, lx.Tokens(text)), " ")
}

// stemAll stems the tokens of an English or French text in place.
func stemAll(lang string, toks []string) []string {
	var stem func(*snowballstem.Env) bool
	switch lang {
	case "en":
		stem = english.Stem
	case "fr":
		stem = french.Stem
	default:
		return toks
	}
	for i, t := range toks {
		if t == "" || (t[0] >= '0' && t[0] <= '9') {
			continue
		}
		env := snowballstem.NewEnv(t)
		stem(env)
		toks[i] = env.Current()
	}
	return toks
}

// NewDocument builds the document of one article with the lexicon of its
// language.
func NewDocument(a *knowledge.Article, lx *knowledge.Lexicon) Document {
	d := Document{
		ID: DocumentID(a.Topic, a.Lang), Topic: a.Topic, Lang: a.Lang, Reviewed: a.Reviewed,
		Title: Analyse(lx, a.Title), Summary: Analyse(lx, a.Summary), Body: Analyse(lx, a.Body),
	}
	for _, q := range a.Questions {
		d.Questions = append(d.Questions, Analyse(lx, q))
	}
	for _, k := range a.Keywords {
		d.Keywords = append(d.Keywords, Analyse(lx, k))
	}
	data, _ := json.Marshal(d) // Hash is empty here
	sum := sha256.Sum256(data)
	d.Hash = hex.EncodeToString(sum[:12])
	return d
}

// Documents returns the documents of the articles written in lang.
func Documents(base *knowledge.Base, lang string, lx *knowledge.Lexicon) []Document {
	var out []Document
	for _, a := range base.ArticlesIn(lang) {
		out = append(out, NewDocument(a, lx))
	}
	return out
}
