package bleve

import (
	"context"
	"testing"
)

// TestEveryQuestionFindsItsArticle asks every question an editor wrote, in
// its article's language, and expects that article's topic first: a person
// who asks exactly as the knowledge base says must get that answer, even
// when a neighbouring article shares its words ("how do I apply for
// voluntary return" against "what is voluntary return"). Questions written
// with the same words in two topics (listed in the log, for editors to
// reword), and those of one word or only stop words, are left out: the
// search cannot tell them apart by design.
func TestEveryQuestionFindsItsArticle(t *testing.T) {
	x := newTestIndex(t)
	ctx := context.Background()
	asked, missed, shared := 0, 0, 0
	for _, a := range x.base.Articles() {
		for _, q := range a.Questions {
			words, all := x.words(q, a.Lang)
			if len(words) < 2 || all {
				continue
			}
			if owners := x.askedAs(words, a.Lang, all); len(owners) > 1 {
				shared++
				t.Logf("%s %s: %q has the words of a question of another topic too (%d topics)", a.Lang, a.Topic, q, len(owners))
				continue
			}
			asked++
			hits, err := x.Search(ctx, q, a.Lang, 3)
			if err != nil {
				t.Fatal(err)
			}
			if len(hits) == 0 || hits[0].Topic != a.Topic {
				missed++
				got := ""
				if len(hits) > 0 {
					got = hits[0].Topic
				}
				t.Errorf("%s %s: %q ranks %q first", a.Lang, a.Topic, q, got)
			}
		}
	}
	t.Logf("%d questions asked, %d missed; %d shared with another topic", asked, missed, shared)
}
