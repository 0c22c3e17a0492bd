package meili_test

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/passerelle-org/passerelle/knowledge/meili"
)

// BenchmarkSearch measures one search through the adapter against the fake
// server (HTTP on loopback, the fake's ranking included), cycling through
// the development set's messages in their own languages, and reports the
// median and 95th percentile per search. The fake is a model, not the
// engine: the figure bounds the adapter's own cost (keywords, one
// multi-search, decoding, grouping), not a real server's.
func BenchmarkSearch(b *testing.B) {
	base := loadBase(b)
	_, client := synced(b, base)
	s, err := meili.New(client, base, meili.Options{})
	if err != nil {
		b.Fatal(err)
	}
	type line struct{ Lang, Text string }
	var lines []line
	f, err := os.Open("../../../shared/eval/dev.jsonl")
	if err != nil {
		b.Skip("shared/eval/dev.jsonl not found")
	}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var l line
		if json.Unmarshal(sc.Bytes(), &l) == nil && l.Text != "" {
			lines = append(lines, l)
		}
	}
	f.Close()
	ctx := context.Background()
	took := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		l := lines[i%len(lines)]
		start := time.Now()
		if _, err := s.Search(ctx, l.Text, l.Lang, 3); err != nil {
			b.Fatal(err)
		}
		took = append(took, time.Since(start))
	}
	slices.Sort(took)
	if len(took) > 0 {
		b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(took[len(took)*95/100].Microseconds())/1000, "p95-ms")
	}
}
