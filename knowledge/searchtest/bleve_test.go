package searchtest_test

import (
	"testing"

	"github.com/passerelle-org/passerelle/knowledge"
	"github.com/passerelle-org/passerelle/knowledge/articles"
	kbleve "github.com/passerelle-org/passerelle/knowledge/bleve"
	"github.com/passerelle-org/passerelle/knowledge/searchtest"
)

// loadBase loads the embedded articles (the valid ones, when some have
// problems: the search engineers' work in progress must not hide a
// contract failure).
func loadBase(t testing.TB) *knowledge.Base {
	t.Helper()
	base, err := knowledge.Load(articles.FS)
	if base == nil {
		t.Fatal(err)
	}
	return base
}

// TestEmbedded runs the contract on the embedded index.
func TestEmbedded(t *testing.T) {
	base := loadBase(t)
	x, err := kbleve.New(base)
	if err != nil {
		t.Fatal(err)
	}
	searchtest.Run(t, x, base)
}
