package triage

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/passerelle-org/passerelle/knowledge"
)

// evalLine is one line of an evaluation file (shared/eval/README.md).
type evalLine struct {
	ID     string `json:"id"`
	Lang   string `json:"lang"`
	Text   string `json:"text"`
	Urgent bool   `json:"urgent"`
}

// Quality targets, in every language.
const (
	minRecall    = 0.95
	minPrecision = 0.8
)

// TestDevSet measures triage on the shared development set.
func TestDevSet(t *testing.T) {
	lines, err := readEval("../../../shared/eval/dev.jsonl")
	if errors.Is(err, fs.ErrNotExist) {
		t.Skip("shared/eval/dev.jsonl is not here")
	}
	if err != nil {
		t.Fatal(err)
	}
	checkQuality(t, lines)
}

// TestOwnCases measures triage on this package's own cases, written apart
// from the development set: per language, urgent messages and tricky
// messages that are not urgent.
func TestOwnCases(t *testing.T) {
	lines, err := readEval("testdata/cases.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	checkQuality(t, lines)
}

func readEval(path string) ([]evalLine, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []evalLine
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var l evalLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		out = append(out, l)
	}
	return out, sc.Err()
}

type score struct{ tp, fp, fn, n int }

func (s score) recall() float64 {
	if s.tp+s.fn == 0 {
		return 1
	}
	return float64(s.tp) / float64(s.tp+s.fn)
}

func (s score) precision() float64 {
	if s.tp+s.fp == 0 {
		return 1
	}
	return float64(s.tp) / float64(s.tp+s.fp)
}

// checkQuality runs every line through Assess with its language, logs
// recall and precision per language, and fails below the targets.
func checkQuality(t *testing.T, lines []evalLine) {
	t.Helper()
	tr := newTriage(t)
	by := map[string]*score{}
	var all score
	for _, l := range lines {
		s := by[l.Lang]
		if s == nil {
			s = &score{}
			by[l.Lang] = s
		}
		got := tr.Assess(l.Text, l.Lang)
		for _, x := range []*score{s, &all} {
			x.n++
			switch {
			case got.Urgent && l.Urgent:
				x.tp++
			case got.Urgent:
				x.fp++
			case l.Urgent:
				x.fn++
			}
		}
		if got.Urgent != l.Urgent {
			t.Logf("%s: urgent=%v, want %v %v: %s\n\t%s", l.ID, got.Urgent, l.Urgent, got.Kinds, l.Text, tr.explain(l.Text))
		}
	}
	langs := make([]string, 0, len(by))
	for l := range by {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	for _, l := range langs {
		s := by[l]
		t.Logf("%-3s n=%-3d urgent_recall=%.2f urgent_precision=%.2f", l, s.n, s.recall(), s.precision())
		if s.recall() < minRecall || s.precision() < minPrecision {
			t.Errorf("%s: recall %.2f (want >= %.2f), precision %.2f (want >= %.2f)",
				l, s.recall(), minRecall, s.precision(), minPrecision)
		}
	}
	t.Logf("all n=%d urgent_recall=%.3f urgent_precision=%.3f", all.n, all.recall(), all.precision())
}

func newTriage(tb testing.TB) *Triage {
	tb.Helper()
	tr, err := New()
	if err != nil {
		tb.Fatal(err)
	}
	return tr
}

// explain lists the classes found in text by each language's pool, for
// failure messages.
func (t *Triage) explain(text string) string {
	toks := knowledge.Tokens(text)
	terms, mods := splitMods(t.m.find(toks), len(toks))
	var b strings.Builder
	for i, lang := range t.langs {
		own := lang == "fr" // the fr pool holds the shared languages
		for _, h := range terms {
			own = own || (h.lang == i && t.shared&(1<<i) == 0)
		}
		m := poolMask(terms, mods, i, t.shared)
		if !own || m == 0 {
			continue
		}
		b.WriteString(lang + ":")
		for c := range numClasses {
			if m&(1<<c) != 0 {
				b.WriteString(" " + classNames[c])
			}
		}
		b.WriteString("; ")
	}
	return b.String()
}
