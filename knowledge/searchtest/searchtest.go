// Package searchtest is the contract every knowledge.Searcher passes: the
// same questions, in several languages and scripts, must find the same
// topics, out-of-scope messages must fall below the answer threshold, and
// the results must be well formed (limit, order, confidence in [0,1],
// languages that exist). knowledge/bleve runs it always; knowledge/meili
// runs it against its fake server always and against a real Meilisearch
// when PASSERELLE_TEST_MEILI_URL is set.
package searchtest

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/passerelle-org/passerelle/knowledge"
)

// Case is one question and the topic that answers it; Topic is empty for
// a message the knowledge base does not answer.
type Case struct {
	Lang, Text, Topic string
}

// Cases are the contract's questions: plain questions people ask, in
// their own words, in scripts that need the shared normaliser (accents
// left out, Arabic-script letter variants, Ethiopic, Devanagari,
// Georgian), and messages out of scope.
var Cases = []Case{
	{"en", "How much money do I get if I go back home?", "return.allowance"},
	{"en", "my passport expired, can I still travel back", "return.documents"},
	{"en", "I want to talk to a real person", "caseworker.contact"},
	{"en", "is calling 115 free? do they give a bed", "housing.115"},
	{"fr", "on me donne combien d'argent pour rentrer au pays", "return.allowance"},
	{"fr", "jai recu une OQTF ca veut dire quoi", "return.oqtf"},
	{"fr", "je veux parler a une personne", "caseworker.contact"},
	{"ar", "هل الاتصال برقم 115 مجاني للحصول على سكن طارئ؟", "housing.115"},
	{"fa", "درخواست پناهندگی من در OFPRA رد شد، چگونه در CNDA اعتراض کنم", "rights.asylum.appeal"},
	{"uk", "У мене прострочений паспорт, чи можна повернутися додому?", "return.documents"},
	{"vi", "hộ chiếu của tôi hết hạn, tôi có thể về nước không", "return.documents"},
	{"ka", "OFPRA-მ უარი თქვა, CNDA-ში როგორ გავასაჩივრო?", "rights.asylum.appeal"},
	{"ti", "ሕቶ ዑቕባ ብOFPRA ተነጺጉ ናብ CNDA ይግባይ", "rights.asylum.appeal"},
	{"am", "ፓስፖርቴ ጊዜው አልፏል እንዴት ወደ ሀገሬ ልመለስ", "return.documents"},
	{"hi", "भारत वापस जाने पर कितना पैसा मिलता है", "return.allowance"},
	{"so", "baasaboorkeygu wuu dhacay, ma dib u laaban karaa", "return.documents"},
	{"en", "what is the cheapest mobile plan to call Ghana", ""},
	{"fr", "résultat du match de foot hier soir", ""},
	{"en", "recipe for chocolate cake", ""},
}

// Run checks s against Cases and the shape of its results. base is the
// knowledge base s searches (to check that hits name real articles).
func Run(t *testing.T, s knowledge.Searcher, base *knowledge.Base) {
	t.Helper()
	ctx := context.Background()
	t.Run("topics", func(t *testing.T) {
		for _, c := range Cases {
			hits, err := s.Search(ctx, c.Text, c.Lang, 5)
			if err != nil {
				t.Fatalf("%s %q: %v", c.Lang, c.Text, err)
			}
			check(t, base, c, hits, 5)
			answered := len(hits) > 0 && hits[0].Confidence >= knowledge.DefaultThreshold
			switch {
			case c.Topic == "" && answered:
				t.Errorf("%s %q: out of scope, but answered %s at %.2f", c.Lang, c.Text, hits[0].Topic, hits[0].Confidence)
			case c.Topic != "" && len(hits) == 0:
				t.Errorf("%s %q: no hit, want %s", c.Lang, c.Text, c.Topic)
			case c.Topic != "" && hits[0].Topic != c.Topic:
				t.Errorf("%s %q: first hit %s (%.2f), want %s", c.Lang, c.Text, hits[0].Topic, hits[0].Confidence, c.Topic)
			case c.Topic != "" && !answered:
				t.Errorf("%s %q: %s found at %.2f, below the threshold %.2f", c.Lang, c.Text, c.Topic, hits[0].Confidence, knowledge.DefaultThreshold)
			}
		}
	})
	t.Run("limit", func(t *testing.T) {
		for _, limit := range []int{1, 3} {
			hits, err := s.Search(ctx, "return help money passport travel", "en", limit)
			if err != nil {
				t.Fatal(err)
			}
			if len(hits) == 0 || len(hits) > limit {
				t.Errorf("limit %d: %d hits", limit, len(hits))
			}
		}
	})
	t.Run("empty", func(t *testing.T) {
		for _, q := range []string{"", "   ", "?!.."} {
			hits, err := s.Search(ctx, q, "en", 5)
			if err != nil {
				t.Fatalf("%q: %v", q, err)
			}
			if len(hits) > 0 && hits[0].Confidence >= knowledge.DefaultThreshold {
				t.Errorf("%q: answered %s", q, hits[0].Topic)
			}
		}
	})
	t.Run("unknown language", func(t *testing.T) {
		hits, err := s.Search(ctx, "OQTF", "xx", 5)
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) == 0 {
			t.Fatal("no hit for OQTF in an unknown language")
		}
		check(t, base, Case{Lang: "xx", Text: "OQTF"}, hits, 5)
	})
	t.Run("long message", func(t *testing.T) {
		// Far more than the 10 words Meilisearch reads; the words that
		// matter come last.
		q := "hello good morning sorry to bother you I hope you are well my friend told me to write here because " +
			"I do not know who else to ask and I am a bit lost so please tell me how much money is the return allowance"
		hits, err := s.Search(ctx, q, "en", 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) == 0 || !slices.ContainsFunc(hits, func(h knowledge.Hit) bool { return strings.HasPrefix(h.Topic, "return.allowance") }) {
			t.Errorf("long message: %v, want return.allowance among the first three", hits)
		}
	})
}

// check verifies the shape of hits.
func check(t *testing.T, base *knowledge.Base, c Case, hits []knowledge.Hit, limit int) {
	t.Helper()
	if len(hits) > limit {
		t.Errorf("%s %q: %d hits over the limit %d", c.Lang, c.Text, len(hits), limit)
	}
	seen := map[string]bool{}
	for i, h := range hits {
		if h.Confidence < 0 || h.Confidence > 1 {
			t.Errorf("%s %q: confidence %v out of [0,1]", c.Lang, c.Text, h.Confidence)
		}
		if i > 0 && h.Confidence > hits[i-1].Confidence {
			t.Errorf("%s %q: hits not sorted by confidence: %v", c.Lang, c.Text, hits)
		}
		if seen[h.Topic] {
			t.Errorf("%s %q: topic %s twice", c.Lang, c.Text, h.Topic)
		}
		seen[h.Topic] = true
		if _, ok := base.Article(h.Topic, h.Lang); !ok {
			t.Errorf("%s %q: hit %s/%s names no article", c.Lang, c.Text, h.Topic, h.Lang)
		}
	}
}

// EvalLine is one line of an evaluation file (shared/eval/README.md).
type EvalLine struct {
	ID    string  `json:"id"`
	Lang  string  `json:"lang"`
	Text  string  `json:"text"`
	Topic *string `json:"topic"`
}

// ReadEval reads an evaluation file; the test is skipped when it is
// missing.
func ReadEval(t testing.TB, path string) []EvalLine {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		t.Skipf("%s not found", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []EvalLine
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var l EvalLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, l)
	}
	return out
}

// Agreement runs the evaluation file through two searchers and returns
// the share of messages whose answer (first topic at or above the
// threshold, or none) is the same, logging every difference.
func Agreement(t testing.TB, want, got knowledge.Searcher, lines []EvalLine) float64 {
	ctx := context.Background()
	answer := func(s knowledge.Searcher, l EvalLine) string {
		hits, err := s.Search(ctx, l.Text, l.Lang, 3)
		if err != nil {
			t.Fatalf("%s: %v", l.ID, err)
		}
		if len(hits) == 0 || hits[0].Confidence < knowledge.DefaultThreshold {
			return "-"
		}
		return hits[0].Topic
	}
	same := 0
	for _, l := range lines {
		a, b := answer(want, l), answer(got, l)
		if a == b {
			same++
			continue
		}
		t.Logf("%s: %s vs %s", l.ID, a, b)
	}
	if len(lines) == 0 {
		return 1
	}
	return float64(same) / float64(len(lines))
}
