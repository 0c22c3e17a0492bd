package searchtest

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/passerelle-org/passerelle/knowledge"
)

// Figures are the search figures of passerelle eval (shared/eval/README.md)
// for one searcher on one evaluation file, plus the agreement of its
// answers with a reference searcher's.
type Figures struct {
	N, Answerable, Top1, Top3, OutOfScope, Abstained, False, Same int
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// RecallAt1 is the share of answerable messages whose first hit is their
// topic.
func (f Figures) RecallAt1() float64 { return ratio(f.Top1, f.Answerable) }

// RecallAt3 is the share of answerable messages with their topic among
// the first three hits.
func (f Figures) RecallAt3() float64 { return ratio(f.Top3, f.Answerable) }

// FalseRate is the share of answerable messages answered, above the
// threshold, with a wrong topic.
func (f Figures) FalseRate() float64 { return ratio(f.False, f.Answerable) }

// AbstainRate is the share of out-of-scope messages left unanswered.
func (f Figures) AbstainRate() float64 { return ratio(f.Abstained, f.OutOfScope) }

// Agreement is the share of messages given the same answer (first topic
// at or above the threshold, or none) as the reference.
func (f Figures) Agreement() float64 { return ratio(f.Same, f.N) }

func (f Figures) String() string {
	return fmt.Sprintf("n=%d agreement=%.2f r@1=%.2f r@3=%.2f false=%.2f abstain=%.2f",
		f.N, f.Agreement(), f.RecallAt1(), f.RecallAt3(), f.FalseRate(), f.AbstainRate())
}

// answer is what the bot would answer from hits: the first topic when it
// is at or above the threshold, "-" otherwise.
func answer(hits []knowledge.Hit) string {
	if len(hits) == 0 || hits[0].Confidence < knowledge.DefaultThreshold {
		return "-"
	}
	return hits[0].Topic
}

// Measure runs every line through s and ref (the same limit, 3, and
// language as the engine uses) and returns s's figures; with verbose, it
// logs the lines s answers differently from ref or from the file.
func Measure(t testing.TB, ref, s knowledge.Searcher, lines []EvalLine, verbose bool) Figures {
	t.Helper()
	ctx := context.Background()
	var f Figures
	for _, l := range lines {
		hits, err := s.Search(ctx, l.Text, l.Lang, 3)
		if err != nil {
			t.Fatalf("%s: %v", l.ID, err)
		}
		want, err := ref.Search(ctx, l.Text, l.Lang, 3)
		if err != nil {
			t.Fatalf("%s: %v", l.ID, err)
		}
		f.N++
		got := answer(hits)
		if got == answer(want) {
			f.Same++
		}
		if l.Topic == nil {
			f.OutOfScope++
			if got == "-" {
				f.Abstained++
			}
		} else {
			f.Answerable++
			i := slices.IndexFunc(hits, func(h knowledge.Hit) bool { return h.Topic == *l.Topic })
			if i == 0 {
				f.Top1++
			}
			if i >= 0 && i < 3 {
				f.Top3++
			}
			if got != "-" && got != *l.Topic {
				f.False++
			}
		}
		if verbose && (got != answer(want) || l.Topic == nil && got != "-" || l.Topic != nil && got != *l.Topic) {
			topic := "null"
			if l.Topic != nil {
				topic = *l.Topic
			}
			t.Logf("%-10s want %-28s ref %-28s got %s", l.ID, topic, answer(want), describe(hits))
		}
	}
	return f
}

func describe(hits []knowledge.Hit) string {
	s := ""
	for i, h := range hits {
		if i > 0 {
			s += " | "
		}
		s += fmt.Sprintf("%s/%s %.2f", h.Topic, h.Lang, h.Confidence)
	}
	return s
}
