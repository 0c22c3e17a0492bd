package bleve

import (
	"context"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// TestStrengthsMatchLocations checks that the strength of each word in a
// hit, found from langIndex.fieldsOf, is bit for bit what the locations
// of the matches reported by Bleve give (the way it was computed before),
// in every language index, for our own messages.
func TestStrengthsMatchLocations(t *testing.T) {
	x := newTestIndex(t)
	ctx := context.Background()
	compared := 0
	for _, l := range readEval(t, "testdata/queries.jsonl") {
		words, _ := x.words(l.Text, l.Lang)
		for col, lg := range x.order {
			li := x.langs[lg]
			exps := make([]map[string]float64, len(words))
			for i, w := range words {
				exps[i] = li.expand(w.forms[col], w.tok, w.fuzz, lg == l.Lang)
			}
			lm, err := x.searchLang(ctx, li, exps)
			if err != nil {
				t.Fatal(err)
			}
			want := locationStrengths(t, li, exps)
			for topic, got := range lm.strength {
				w, ok := want[topic]
				if !ok {
					continue // a tie at the cut-off of perLangHits
				}
				for i := range got {
					if got[i] != w[i] {
						t.Errorf("%s in %s, %s: word %q strength %v, want %v", l.ID, lg, topic, words[i].tok, got[i], w[i])
					}
				}
				compared++
			}
		}
	}
	if compared == 0 {
		t.Fatal("no hit compared")
	}
	t.Logf("%d hits compared", compared)
}

// locationStrengths is the former searchLang: the strengths of each word
// in each hit, from the locations of the matches.
func locationStrengths(t *testing.T, li *langIndex, exps []map[string]float64) map[string][]float64 {
	terms := map[string]float64{}
	for _, e := range exps {
		for term, s := range e {
			terms[term] = max(terms[term], s)
		}
	}
	out := map[string][]float64{}
	if len(terms) == 0 {
		return out
	}
	var should []query.Query
	for term, s := range terms {
		for fi, f := range fields() {
			if li.fieldsOf[term].any&(1<<fi) != 0 {
				q := query.NewTermQuery(term)
				q.SetField(f.name)
				q.SetBoost(f.weight * s)
				should = append(should, q)
			}
		}
	}
	req := bleve.NewSearchRequestOptions(query.NewDisjunctionQuery(should), perLangHits, 0, false)
	req.IncludeLocations = true
	res, err := li.idx.SearchInContext(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range res.Hits {
		st := make([]float64, len(exps))
		for _, f := range fields() {
			for term := range h.Locations[f.name] {
				for i, e := range exps {
					st[i] = max(st[i], f.weight*e[term])
				}
			}
		}
		out[h.ID] = st
	}
	return out
}
