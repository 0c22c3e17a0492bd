package meili

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"

	"github.com/meilisearch/meilisearch-go"

	"github.com/passerelle-org/passerelle/knowledge"
)

// Known elsewhere. People ask about subjects next to the service's own
// that it deliberately leaves to other offices (a titre de séjour,
// naturalisation, school: knowledge.ElsewhereSubjects). Their sample
// questions (knowledge/elsewhere) are held in an index of their own per
// language, "<prefix>-elsewhere-<lang>", with the article indexes'
// settings (the same analysis, stop words, synonyms, typo tolerance) but
// apart from them, so that they change neither the articles' ranking nor
// the words' weights, and are never returned as hits. Sync builds and
// swaps them in with the article indexes; Search queries them in the same
// multi-search as the articles, and caps every topic's confidence at
// awayCap when the message is about as close to a sample as to the best
// topic (see turnAway), as the embedded index does.

// Decision thresholds, those of the embedded index (knowledge/bleve
// elsewhere.go), on the same measures: the Dice similarity to the closest
// sample or question and the share of the message's keyword weight it
// holds.
const (
	awayMin    = 0.45 // least similarity to a sample
	awayMargin = 0.05 // how far behind the best topic's closeness a sample may be
	awayCap    = 0.4  // confidence of every topic of a message turned away
)

// DecoyIndexUID returns the name of the live "known elsewhere" index of
// lang.
func (o Options) DecoyIndexUID(lang string) string { return o.prefix() + "-elsewhere-" + lang }

// Decoy is one "known elsewhere" sample as stored in Meilisearch: one
// question about a subject the service does not answer, analysed like an
// article's questions (see Analyse).
type Decoy struct {
	ID        string   `json:"id"`
	Subject   string   `json:"subject"`
	Lang      string   `json:"lang"`
	Questions []string `json:"questions"` // the sample, alone
	Hash      string   `json:"hash"`
}

// NewDecoy builds the document of one sample. Its id is the subject and
// a digest of the sample as written, so that it stays the same when
// samples are added or moved and Sync changes only what changed.
func NewDecoy(lang, subject, sample string, lx *knowledge.Lexicon) Decoy {
	sum := sha256.Sum256([]byte(knowledge.Normalize(sample)))
	d := Decoy{ID: subject + "-" + hex.EncodeToString(sum[:6]) + "-" + lang, Subject: subject, Lang: lang,
		Questions: []string{Analyse(lx, sample)}}
	data, _ := json.Marshal(d) // Hash is empty here
	sum = sha256.Sum256(data)
	d.Hash = hex.EncodeToString(sum[:12])
	return d
}

// Decoys returns the documents of the samples of lang out of all (see
// knowledge.LoadElsewhere).
func Decoys(all []knowledge.Elsewhere, lang string, lx *knowledge.Lexicon) []Decoy {
	var out []Decoy
	for _, e := range all {
		if e.Lang != lang {
			continue
		}
		for _, s := range e.Samples {
			out = append(out, NewDecoy(lang, e.Subject, s, lx))
		}
	}
	return out
}

// DecoySettings returns the settings of the "known elsewhere" index of
// lang: those of the article index (Settings), searching the samples
// only and showing their subject and text.
func DecoySettings(lang string, lx *knowledge.Lexicon) *meilisearch.Settings {
	s := Settings(lang, lx)
	s.SearchableAttributes = []string{"questions"}
	s.FilterableAttributes = []string{"lang", "subject"}
	s.DisplayedAttributes = []string{"id", "subject", "lang", "questions"}
	return s
}

// away is how close a message is to the closest "known elsewhere" sample.
type away struct {
	subject  string
	sim      float64 // Dice similarity to the closest sample
	coverage float64 // share of the message's keyword weight one sample holds
}

// closestDecoy returns the sample of hits closest to the message (kind
// decoy), another language's counting scale times.
func closestDecoy(hits []found, m *message, scale float64) away {
	var best away
	for _, h := range hits {
		if h.kind != decoy {
			continue
		}
		for _, q := range h.Questions {
			sim, cov := m.dice(q)
			if sim*scale > best.sim {
				best = away{subject: h.Subject, sim: sim * scale, coverage: cov * scale}
			}
		}
	}
	return best
}

// turnAway caps every topic's confidence at awayCap when the message is
// closer to a "known elsewhere" sample than to the topics: the sample is
// at least awayMin alike, and its similarity plus the share of the
// message it holds is within awayMargin of the best topic's closest
// question plus its coverage. A message phrased like a sample is turned
// away even when an article holds more of its words ("renew my residence
// card" holds the AME article's "renew" and "card"); a topical message
// that merely mentions school keeps its answer. A message asked exactly
// as one of the first topic's questions is never turned away. It returns
// the subject, or "".
func turnAway(hits []knowledge.Hit, topics map[string]*topicInfo, a away) string {
	if len(hits) == 0 || a.sim < awayMin {
		return ""
	}
	first := topics[hits[0].Topic]
	if first == nil || first.asked {
		return ""
	}
	closest := 0.0
	for _, h := range hits {
		if t := topics[h.Topic]; t != nil {
			closest = max(closest, t.Question)
		}
	}
	if a.sim+a.coverage < closest+first.Coverage-awayMargin {
		return ""
	}
	for i := range hits {
		hits[i].Confidence = min(hits[i].Confidence, awayCap)
	}
	return a.subject
}

// sampleWords splits an analysed sample or question into its words.
func sampleWords(text string) []string { return strings.Fields(text) }
