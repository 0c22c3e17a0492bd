package bleve

import (
	"context"
	"io/fs"
	"runtime"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/passerelle-org/passerelle/knowledge"
	"github.com/passerelle-org/passerelle/knowledge/articles"
)

// BenchmarkBuild measures start to ready: loading the embedded articles
// and building every index ("embedded"), and the same for a full-size base
// of 44 topics x 16 languages made by copying the English and French
// articles into every language ("full"), the size the base will reach.
func BenchmarkBuild(b *testing.B) {
	b.Run("embedded", func(b *testing.B) {
		for b.Loop() {
			base, err := knowledge.Load(articles.FS)
			if base == nil {
				b.Fatal(err)
			}
			x, err := New(base)
			if err != nil {
				b.Fatal(err)
			}
			x.Close()
		}
	})
	b.Run("full", func(b *testing.B) {
		fsys := fullSizeFS(b)
		for b.Loop() {
			base, err := knowledge.Load(fsys)
			if err != nil {
				b.Fatal(err)
			}
			x, err := New(base)
			if err != nil {
				b.Fatal(err)
			}
			x.Close()
		}
		b.ReportMetric(float64(len(fsys)), "articles")
	})
}

// BenchmarkSearch searches the development and own test messages in turn
// and reports the 95th percentile latency of one search, on the embedded
// base and on the full-size copy (a pessimistic case: every language then
// shares the Latin words of the messages).
func BenchmarkSearch(b *testing.B) {
	lines := append(readEval(b, "testdata/queries.jsonl"), readEvalOptional(b, devSet)...)
	b.Run("embedded", func(b *testing.B) { benchSearch(b, newTestIndex(b), lines) })
	b.Run("full", func(b *testing.B) {
		base, err := knowledge.Load(fullSizeFS(b))
		if err != nil {
			b.Fatal(err)
		}
		x, err := New(base)
		if err != nil {
			b.Fatal(err)
		}
		defer x.Close()
		benchSearch(b, x, lines)
	})
}

// Besides the wall-clock p95 it reports the p95 of the CPU time of one
// search (p95-cpu-µs, Linux only): on a shared machine the wall clock also
// counts the time spent waiting for a processor.
func benchSearch(b *testing.B, x *Index, lines []evalLine) {
	ctx := context.Background()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	durations := make([]time.Duration, 0, b.N)
	cpu := make([]time.Duration, 0, b.N)
	i := 0
	for b.Loop() {
		l := lines[i%len(lines)]
		i++
		start, startCPU := time.Now(), threadCPU()
		if _, err := x.Search(ctx, l.Text, l.Lang, 5); err != nil {
			b.Fatal(err)
		}
		durations = append(durations, time.Since(start))
		cpu = append(cpu, threadCPU()-startCPU)
	}
	p95 := func(ds []time.Duration) float64 {
		slices.Sort(ds)
		return float64(ds[len(ds)*95/100].Microseconds())
	}
	if len(durations) > 0 {
		b.ReportMetric(p95(durations), "p95-µs")
		b.ReportMetric(p95(cpu), "p95-cpu-µs")
	}
}

// fullSizeFS copies the embedded English and French articles into all 16
// languages.
func fullSizeFS(b *testing.B) fstest.MapFS {
	base, _ := knowledge.Load(articles.FS)
	fsys := fstest.MapFS{}
	for i, l := range knowledge.Languages() {
		src := []string{"en", "fr"}[i%2]
		for _, a := range base.ArticlesIn(src) {
			data, err := fs.ReadFile(articles.FS, a.Topic+"/"+src+".md")
			if err != nil {
				b.Fatal(err)
			}
			text := strings.Replace(string(data), "\nlang: "+src+"\n", "\nlang: "+l+"\n", 1)
			fsys[a.Topic+"/"+l+".md"] = &fstest.MapFile{Data: []byte(text)}
		}
	}
	return fsys
}
