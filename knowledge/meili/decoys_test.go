package meili_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/passerelle-org/passerelle/knowledge"
	"github.com/passerelle-org/passerelle/knowledge/meili"
	"github.com/passerelle-org/passerelle/knowledge/meili/meilitest"
)

// TestSyncDecoys checks that the first sync builds a "known elsewhere"
// index per language beside the article index, with the article index's
// analysis settings, swaps it in with the others and reports it; and that
// a later sync rebuilds only a decoy index that differs.
func TestSyncDecoys(t *testing.T) {
	base := loadBase(t)
	srv := meilitest.New(t, key)
	client := meili.Connect(srv.URL, key, nil)
	rep, err := meili.Sync(context.Background(), client, base, fast)
	if err != nil {
		t.Fatal(err)
	}
	all, err := knowledge.LoadElsewhere()
	if err != nil {
		t.Fatal(err)
	}
	decoys := 0
	for _, c := range rep.Changes {
		if !c.Decoys {
			continue
		}
		decoys++
		if want := "passerelle-elsewhere-" + c.Lang; c.Index != want || !c.New {
			t.Errorf("decoy change %s (new %v), want %s, new", c.Index, c.New, want)
		}
		n := 0
		for _, e := range all {
			if e.Lang == c.Lang {
				n += len(e.Samples)
			}
		}
		if got := srv.Documents(c.Index); got != n || len(c.Added) != n {
			t.Errorf("%s: %d documents live, %d reported added, want %d", c.Index, got, len(c.Added), n)
		}
	}
	if decoys != 16 {
		t.Errorf("%d decoy indexes built, want 16", decoys)
	}
	var b strings.Builder
	rep.Write(&b)
	if !strings.Contains(b.String(), "fr  passerelle-elsewhere-fr: new index") {
		t.Errorf("report lacks the French decoy index:\n%s", b.String())
	}
	// One swap task swapped (renamed) every index in at once.
	for _, r := range srv.Requests() {
		if r.Path == "/swap-indexes" {
			var swaps []struct{ Indexes []string }
			json.Unmarshal(r.Body, &swaps)
			if len(swaps) != 32 || !slices.ContainsFunc(swaps, func(s struct{ Indexes []string }) bool {
				return slices.Equal(s.Indexes, []string{"passerelle-elsewhere-fa-next", "passerelle-elsewhere-fa"})
			}) {
				t.Errorf("swap of %d indexes: %s", len(swaps), r.Body)
			}
		}
	}
	// Same analysis as the articles: stop words, synonyms, typos, locale.
	art, dec := srv.Settings("passerelle-fa"), srv.Settings("passerelle-elsewhere-fa")
	if dec == nil || !slices.Equal(art.StopWords, dec.StopWords) || len(dec.Synonyms) == 0 ||
		art.TypoTolerance.MinWordSizeForTypos != dec.TypoTolerance.MinWordSizeForTypos ||
		len(dec.LocalizedAttributes) != 1 || dec.LocalizedAttributes[0].Locales[0] != "pes" ||
		!slices.Equal(dec.SearchableAttributes, []string{"questions"}) {
		t.Errorf("decoy settings %+v\narticle settings %+v", dec, art)
	}

	// A stray document in the French decoy index: only that index is
	// rebuilt, and the stray removed.
	task, err := client.Index("passerelle-elsewhere-fr").AddDocuments([]map[string]any{
		{"id": "stray-fr", "subject": "tax", "lang": "fr", "questions": []string{"impot"}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	client.WaitForTask(task.TaskUID, fast.TaskPoll)
	rep, err = meili.Sync(context.Background(), client, base, fast)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Changes) != 1 || rep.Changes[0].Index != "passerelle-elsewhere-fr" || !slices.Equal(rep.Changes[0].Removed, []string{"stray-fr"}) {
		t.Errorf("changes %+v, want the French decoy index with stray-fr removed", rep.Changes)
	}
	if len(rep.Unchanged) != 16 || len(rep.UnchangedDecoys) != 15 {
		t.Errorf("unchanged %v, decoys %v", rep.Unchanged, rep.UnchangedDecoys)
	}
}

// turnedAway are messages about subjects the service leaves to other
// offices, in other words than the samples' (those of knowledge/bleve's
// TestElsewhereTurnsAway).
var turnedAway = []struct{ lang, text string }{
	{"en", "my residence card runs out soon, what do I do to renew it at the prefecture?"},
	{"en", "what are the conditions to become a French citizen"},
	{"en", "where can my children register for school this September"},
	{"en", "can I take a French language course"},
	{"fr", "je dois renouveler mon titre de séjour, quels papiers pour la préfecture"},
	{"fr", "je voudrais ouvrir un compte à la banque postale"},
	{"fr", "comment changer mon permis de conduire algérien contre un permis français"},
	{"ar", "كيف أجدد الإقامة في فرنسا"},
	{"ar", "أريد أن أتعلم اللغة الفرنسية"},
	{"fa", "چطور میتوانم در فرانسه کار پیدا کنم"},
	{"uk", "як поміняти посвідчення водія на французьке"},
	{"uk", "де можна безкоштовно вивчати французьку"},
	{"vi", "con tôi 7 tuổi, đăng ký vào trường tiểu học ở đâu"},
	{"so", "sidee ayaan u furaa akoon bangiga"},
}

// TestDecoysTurnAway asks about subjects the service does not cover and
// expects every confidence at or under the decoys' cap (0.4), and only
// real topics as hits.
func TestDecoysTurnAway(t *testing.T) {
	base := loadBase(t)
	_, client := synced(t, base)
	s, err := meili.New(client, base, meili.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range turnedAway {
		hits, err := s.Search(context.Background(), tt.text, tt.lang, 5)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hits {
			if _, ok := base.Article(h.Topic, h.Lang); !ok {
				t.Errorf("%s %q: hit %s/%s is no article", tt.lang, tt.text, h.Topic, h.Lang)
			}
		}
		if len(hits) > 0 && hits[0].Confidence > 0.4 {
			t.Errorf("%s %q: answered %s at %.2f", tt.lang, tt.text, hits[0].Topic, hits[0].Confidence)
		}
	}
}

// TestDecoysKeepArticleQuestions asks every question of every article
// and fails when one whose first hit is its own topic is not answered:
// asked exactly as an editor wrote it, a question is never turned away by
// a "known elsewhere" sample ("renew my AME card").
func TestDecoysKeepArticleQuestions(t *testing.T) {
	if testing.Short() {
		t.Skip("asks every question of every article (about a minute on the fake)")
	}
	base := loadBase(t)
	_, client := synced(t, base)
	s, err := meili.New(client, base, meili.Options{})
	if err != nil {
		t.Fatal(err)
	}
	first := 0
	for _, a := range base.Articles() {
		for _, q := range a.Questions {
			hits, err := s.Search(context.Background(), q, a.Lang, 3)
			if err != nil {
				t.Fatal(err)
			}
			if len(hits) == 0 || hits[0].Topic != a.Topic || len(s.Keywords(q, a.Lang)) < 2 {
				continue
			}
			first++
			if hits[0].Confidence < knowledge.DefaultThreshold {
				t.Errorf("%s %s: %q found first at %.2f, not answered", a.Lang, a.Topic, q, hits[0].Confidence)
			}
		}
	}
	if first == 0 {
		t.Fatal("no question found its topic first: the test checks nothing")
	}
}
