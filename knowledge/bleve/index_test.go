package bleve

import (
	"testing"

	"github.com/passerelle-org/passerelle/knowledge"
	"github.com/passerelle-org/passerelle/knowledge/articles"
)

func newTestIndex(t testing.TB) *Index {
	t.Helper()
	base, err := knowledge.Load(articles.FS)
	if err != nil {
		t.Logf("knowledge base problems (testing with the valid articles):\n%v", err)
	}
	if base == nil {
		t.Fatal("no knowledge base")
	}
	x, err := New(base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	return x
}
