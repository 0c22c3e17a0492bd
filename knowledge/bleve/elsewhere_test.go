package bleve

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/passerelle-org/passerelle/knowledge"
)

// TestElsewhereTurnsAway asks about subjects the service leaves to other
// offices, in words that are not those of the samples, and expects no
// answer: the best confidence under the threshold, because a "known
// elsewhere" subject turned the message away (not merely because nothing
// matched), and no pseudo-topic among the hits.
func TestElsewhereTurnsAway(t *testing.T) {
	x := newTestIndex(t)
	tests := []struct{ lang, text, subject string }{
		{"en", "my residence card runs out soon, what do I do to renew it at the prefecture?", "residence-permit"},
		{"en", "what are the conditions to become a French citizen", "naturalisation"},
		{"en", "where can my children register for school this September", "school"},
		{"en", "can I take a French language course", "french-classes"},
		{"fr", "je dois renouveler mon titre de séjour, quels papiers pour la préfecture", "residence-permit"},
		{"fr", "je voudrais ouvrir un compte à la banque postale", "bank-account"},
		{"fr", "comment changer mon permis de conduire algérien contre un permis français", "driving-licence"},
		{"ar", "كيف أجدد الإقامة في فرنسا", "residence-permit"},
		{"ar", "أريد أن أتعلم اللغة الفرنسية", "french-classes"},
		{"fa", "چطور میتوانم در فرانسه کار پیدا کنم", "job-search"},
		{"uk", "як поміняти посвідчення водія на французьке", "driving-licence"},
		{"uk", "де можна безкоштовно вивчати французьку", "french-classes"},
		{"vi", "con tôi 7 tuổi, đăng ký vào trường tiểu học ở đâu", "school"},
		{"so", "sidee ayaan u furaa akoon bangiga", "bank-account"},
	}
	for _, tt := range tests {
		cands, _, _, err := x.rank(context.Background(), tt.text, tt.lang)
		if err != nil {
			t.Fatal(err)
		}
		if len(cands) == 0 {
			t.Errorf("%s %q: no candidate at all; want one turned away", tt.lang, tt.text)
			continue
		}
		if want := awayPrefix + tt.subject; cands[0].away != want {
			t.Errorf("%s %q: turned away as %q, want %q (first %s at %.2f)", tt.lang, tt.text, cands[0].away, want, cands[0].topic, cands[0].conf)
		}
		hits, err := x.Search(context.Background(), tt.text, tt.lang, 5)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hits {
			if strings.HasPrefix(h.Topic, awayPrefix) {
				t.Errorf("%s %q: pseudo-topic %s returned as a hit", tt.lang, tt.text, h.Topic)
			}
		}
		if len(hits) > 0 && hits[0].Confidence >= knowledge.DefaultThreshold {
			t.Errorf("%s %q: answered with %s at %.2f", tt.lang, tt.text, hits[0].Topic, hits[0].Confidence)
		}
	}
}

// TestElsewhereKeepsArticleQuestions asks every question of every article
// and fails when one that was answered with its own topic (first, at or
// above the threshold before the cap) is turned away by a "known
// elsewhere" sample: the samples must not steal what the knowledge base
// covers ("renew my AME card", "my passport expired, can I still
// return?"). A candidate's confidence before the cap is that of its
// ranking score, which turnAway leaves as it is.
func TestElsewhereKeepsArticleQuestions(t *testing.T) {
	x := newTestIndex(t)
	asked, away := 0, 0
	for _, a := range x.base.Articles() {
		for _, q := range a.Questions {
			cands, _, _, err := x.rank(context.Background(), q, a.Lang)
			if err != nil {
				t.Fatal(err)
			}
			if len(cands) == 0 || cands[0].topic != a.Topic {
				continue
			}
			if 1/(1+math.Exp(-cands[0].rank)) < knowledge.DefaultThreshold {
				continue
			}
			asked++
			if cands[0].away != "" {
				away++
				t.Errorf("%s %s: %q turned away as %s", a.Lang, a.Topic, q, cands[0].away)
			}
		}
	}
	t.Logf("%d answered questions asked, %d turned away", asked, away)
	if asked == 0 {
		t.Fatal("no article question answered: the test checks nothing")
	}
}

// TestLoadElsewhereEveryLanguage checks that every language has samples
// for most subjects, so that no language is left without the decoys.
func TestLoadElsewhereEveryLanguage(t *testing.T) {
	all, err := knowledge.LoadElsewhere()
	if err != nil {
		t.Fatal(err)
	}
	subjects := map[string]int{}
	for _, e := range all {
		subjects[e.Lang]++
	}
	for _, l := range knowledge.Languages() {
		if n, want := subjects[l], len(knowledge.ElsewhereSubjects())-2; n < want {
			t.Errorf("%s: %d subjects with samples, want at least %d", l, n, want)
		}
	}
}
