package bleve

import (
	"fmt"
	"math"
	"context"
	"os"
	"strconv"
	"testing"
)

func TestStorySweep(t *testing.T) {
	v := os.Getenv("SW")
	if v == "" {
		t.Skip()
	}
	f, _ := strconv.ParseFloat(v, 64)
	storyWeight = f
	x := newTestIndex(t)
	for _, file := range []string{"testdata/held-out.jsonl", "testdata/queries.jsonl", devSet} {
		by := evaluate(t, x, readEval(t, file), false)
		var p figures
		for _, f := range by {
			p.n, p.answerable, p.top1, p.top3 = p.n+f.n, p.answerable+f.answerable, p.top1+f.top1, p.top3+f.top3
			p.oos, p.abstained, p.falseAns = p.oos+f.oos, p.abstained+f.abstained, p.falseAns+f.falseAns
		}
		t.Logf("%s sw=%v %s", file, f, p)
	}
}

func TestAnsweredSweep(t *testing.T) {
	v := os.Getenv("SW")
	if v == "" {
		t.Skip()
	}
	f, _ := strconv.ParseFloat(v, 64)
	storyWeight = f
	x := newTestIndex(t)
	for _, file := range []string{"testdata/held-out.jsonl", "testdata/queries.jsonl", devSet} {
		n, top, ans, low := 0, 0, 0, 0
		for _, l := range readEval(t, file) {
			if l.Topic == nil {
				continue
			}
			n++
			hits, _ := x.Search(context.Background(), l.Text, l.Lang, 10)
			if len(hits) > 0 && hits[0].Topic == *l.Topic {
				top++
				if hits[0].Confidence >= 0.5 {
					ans++
				} else {
					low++
				}
			}
		}
		t.Logf("%s sw=%v answerable=%d top1=%d answered-right=%d top1-but-abstained=%d", file, f, n, top, ans, low)
	}
}

func TestDumpFeats2(t *testing.T) {
	out := os.Getenv("DUMP")
	if out == "" {
		t.Skip()
	}
	storyWeight = 0.5
	x := newTestIndex(t)
	fo, _ := os.Create(out)
	defer fo.Close()
	for _, file := range []string{"testdata/held-out.jsonl", "testdata/queries.jsonl", devSet} {
		for _, l := range readEval(t, file) {
			cands, _, _, _ := x.rank(context.Background(), l.Text, l.Lang)
			bmax := 0.0
			for _, c := range cands {
				bmax = max(bmax, c.bleve)
			}
			want := "null"
			if l.Topic != nil {
				want = *l.Topic
			}
			fmt.Fprintf(fo, "%s\t%s\t%s", file, l.Lang, want)
			for i, c := range cands {
				if i >= 10 {
					break
				}
				b := 0.0
				if bmax > 0 {
					b = c.bleve / bmax
				}
				asked := 0
				if c.rank == askedRank {
					asked = 1
				}
				fmt.Fprintf(fo, "\t%s %f %f %f %f %d", c.topic, c.coverage, c.question, math.Log1p(c.evidence), b, asked)
			}
			fmt.Fprintln(fo)
		}
	}
}
