package bleve

import (
	"context"
	"os"
	"testing"
)

// TestExplainEnv explains the message in PASSERELLE_EXPLAIN (language in
// PASSERELLE_EXPLAIN_LANG, default en); a tuning aid, skipped otherwise.
func TestExplainEnv(t *testing.T) {
	q := os.Getenv("PASSERELLE_EXPLAIN")
	if q == "" {
		t.Skip("PASSERELLE_EXPLAIN not set")
	}
	lang := os.Getenv("PASSERELLE_EXPLAIN_LANG")
	if lang == "" {
		lang = "en"
	}
	x := newTestIndex(t)
	if err := x.Explain(context.Background(), os.Stdout, q, lang, 6); err != nil {
		t.Fatal(err)
	}
}
