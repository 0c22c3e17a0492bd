package bleve

import (
	"context"
	"fmt"
	"os"
	"testing"
)

// TestDumpFeatures is the tool used to fit the confidence (score.go): for
// every English and French message of the evaluation file named in
// PASSERELLE_FEATURES and of testdata/queries.jsonl it writes, to the file
// named in PASSERELLE_FEATURES_OUT, one tab-separated line: id, expected
// topic, kind, word count, total weight, then each candidate as "topic
// evidence coverage question bleve". Skipped unless PASSERELLE_FEATURES is
// set; run it with -count=1.
func TestDumpFeatures(t *testing.T) {
	path := os.Getenv("PASSERELLE_FEATURES")
	if path == "" {
		t.Skip("PASSERELLE_FEATURES not set")
	}
	x := newTestIndex(t)
	out, err := os.Create(os.Getenv("PASSERELLE_FEATURES_OUT"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	for _, file := range []string{path, "testdata/queries.jsonl"} {
		for _, l := range readEval(t, file) {
			if l.Lang != "en" && l.Lang != "fr" {
				continue
			}
			cands, words, weights, err := x.rank(context.Background(), l.Text, l.Lang)
			if err != nil {
				t.Fatal(err)
			}
			want := "null"
			if l.Topic != nil {
				want = *l.Topic
			}
			total := 0.0
			for _, w := range weights {
				total += w
			}
			fmt.Fprintf(out, "%s\t%s\t%s\t%d\t%.3f", l.ID, want, l.Kind, len(words), total)
			for _, c := range cands {
				fmt.Fprintf(out, "\t%s %.3f %.3f %.3f %.3f", c.topic, c.evidence, c.coverage, c.question, c.bleve)
			}
			fmt.Fprintln(out)
		}
	}
}
