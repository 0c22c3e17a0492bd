package knowledge_test

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/passerelle-org/passerelle/knowledge"
	"github.com/passerelle-org/passerelle/knowledge/articles"
)

func article(topic, lang, extra string) string {
	return "---\ntopic: " + topic + "\nlang: " + lang + "\ntitle: T\nquestions: [q]\nsummary: S\n" +
		"sources: [https://example.org/a]\nverified: 2026-11-23\n" + extra + "---\nBody.\n"
}

func TestLoad(t *testing.T) {
	fsys := fstest.MapFS{
		"return.allowance/en.md": {Data: []byte(article("return.allowance", "en", "reviewed: true\n"))},
		"return.allowance/fr.md": {Data: []byte(article("return.allowance", "fr", ""))},
		"housing.115/ti.md":      {Data: []byte(article("housing.115", "ti", ""))},
		"housing.115/xx.md":      {Data: []byte(article("housing.115", "xx", ""))},
		"nope/en.md":             {Data: []byte(article("nope", "en", ""))},
		"README.md":              {Data: []byte("not an article")},
		"embed.go":               {Data: []byte("package articles")},
	}
	b, err := knowledge.Load(fsys)
	var ps knowledge.Problems
	if !errors.As(err, &ps) || len(ps) != 2 {
		t.Fatalf("err = %v, want 2 problems", err)
	}
	if !strings.HasPrefix(ps[0].String(), "housing.115/xx.md:3: unknown lang") ||
		!strings.HasPrefix(ps[1].String(), "nope/en.md:2: unknown topic") {
		t.Errorf("problems:\n%v", err)
	}
	if got := len(b.Articles()); got != 3 {
		t.Fatalf("%d articles, want 3", got)
	}
	if a := b.Articles()[0]; a.Topic != "return.allowance" || a.Lang != "en" {
		t.Errorf("first article %s/%s, want catalogue then menu order", a.Topic, a.Lang)
	}
	if _, ok := b.Article("housing.115", "ti"); !ok {
		t.Error("housing.115/ti missing")
	}
	if _, ok := b.Article("housing.115", "en"); ok {
		t.Error("housing.115/en should be missing")
	}
	if tp, ok := b.Topic("housing.115"); !ok || tp.Handoff != knowledge.HandoffSuggest {
		t.Errorf("Topic(housing.115) = %+v, %v", tp, ok)
	}
	if n := len(b.Topics()); n != 44 {
		t.Errorf("%d topics, want 44", n)
	}
	cov := b.Coverage()
	if cov.Count(0, knowledge.Unreviewed) != 1 || cov.Count(0, knowledge.Reviewed) != 1 || cov.Count(1, knowledge.Reviewed) != 0 {
		t.Errorf("coverage counts wrong: %+v", cov.Rows[7])
	}
	var out strings.Builder
	if err := knowledge.WriteCoverage(&out, cov); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"return.allowance ", " R  u ", "3 of 704 articles written, 1 reviewed, 701 missing"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("coverage table lacks %q:\n%s", want, out.String())
		}
	}
}

// TestEmbeddedArticles checks the real content: every file must validate.
func TestEmbeddedArticles(t *testing.T) {
	b, err := knowledge.Load(articles.FS)
	if err != nil {
		t.Fatalf("knowledge base has problems:\n%v", err)
	}
	if len(b.Articles()) == 0 {
		t.Fatal("no articles embedded")
	}
	for _, a := range b.Articles() {
		if len(knowledge.Tokens(a.Title)) == 0 {
			t.Errorf("%s: title has no words", a.Path)
		}
	}
}
