package bleve

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/passerelle-org/passerelle/knowledge"
)

// TestSearchDeterministic builds the index twice and asks both every
// check-set line, in its language and as an unknown language: every hit
// list must be the same, topics, order and confidence to the last bit.
// Two replicas, or one process before and after a restart, must give a
// person the same answer to the same message.
func TestSearchDeterministic(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the index twice")
	}
	a, b := newTestIndex(t), newTestIndex(t)
	files, err := filepath.Glob("testdata/check-*.jsonl")
	if err != nil || len(files) == 0 {
		t.Fatalf("no check sets: %v", err)
	}
	ctx := context.Background()
	asked, differ := 0, 0
	for _, f := range files {
		for _, l := range readEval(t, f) {
			for _, lang := range []string{l.Lang, ""} {
				ha, err := a.Search(ctx, l.Text, lang, 10)
				if err != nil {
					t.Fatal(err)
				}
				hb, err := b.Search(ctx, l.Text, lang, 10)
				if err != nil {
					t.Fatal(err)
				}
				asked++
				if sa, sb := hitsString(ha), hitsString(hb); sa != sb {
					differ++
					if differ <= 5 {
						t.Errorf("%s (lang %q): first index %s, second %s", l.ID, lang, sa, sb)
					}
				}
			}
		}
	}
	if differ > 0 {
		t.Errorf("%d of %d searches differ between two builds of the same index", differ, asked)
	}
}

// hitsString writes hits with full-precision confidences.
func hitsString(hs []knowledge.Hit) string {
	var b strings.Builder
	for _, h := range hs {
		fmt.Fprintf(&b, "%s:%s:%b ", h.Topic, h.Lang, h.Confidence)
	}
	return b.String()
}
