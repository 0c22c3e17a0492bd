package langid

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
)

// devSet is the shared development set (see shared/eval/README.md).
const devSet = "../../../shared/eval/dev.jsonl"

type labelled struct {
	Lang string `json:"lang"`
	Text string `json:"text"`
}

func readJSONL(t *testing.T, path string) []labelled {
	t.Helper()
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("%s not found", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []labelled
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var l labelled
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("%s:%d: %v", path, n, err)
		}
		out = append(out, l)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// accuracy runs Detect on every line, logs the accuracy per language and
// the misses, and returns the overall accuracy and the worst language's.
func accuracy(t *testing.T, set []labelled) (overall, worst float64) {
	t.Helper()
	type tally struct{ ok, n int }
	by := map[string]*tally{}
	ok := 0
	for _, l := range set {
		got := Detect(l.Text)
		tl := by[l.Lang]
		if tl == nil {
			tl = &tally{}
			by[l.Lang] = tl
		}
		tl.n++
		if got.Lang == l.Lang {
			tl.ok++
			ok++
			continue
		}
		t.Logf("miss: want %s got %s (%.2f): %s", l.Lang, got.Lang, got.Confidence, l.Text)
	}
	langs := make([]string, 0, len(by))
	for k := range by {
		langs = append(langs, k)
	}
	sort.Strings(langs)
	worst = 1
	var b strings.Builder
	for _, k := range langs {
		a := float64(by[k].ok) / float64(by[k].n)
		worst = min(worst, a)
		fmt.Fprintf(&b, " %s=%.2f", k, a)
	}
	overall = float64(ok) / float64(len(set))
	t.Logf("accuracy %.3f (%d/%d); per language:%s", overall, ok, len(set), b.String())
	return overall, worst
}

// TestDevAccuracy measures Detect on the shared development set.
func TestDevAccuracy(t *testing.T) {
	overall, worst := accuracy(t, readJSONL(t, devSet))
	if overall < 0.95 {
		t.Errorf("accuracy %.3f, want >= 0.95", overall)
	}
	if worst < 0.75 {
		t.Errorf("worst language accuracy %.2f, want >= 0.75", worst)
	}
}

// TestOwnSentences measures Detect on messages written for this package,
// independently of the development set: sentences.jsonl (at least five a
// language, romanised ones included), short.jsonl (one to five words) and
// probe.jsonl (dialects, keyboards without the language's letters, texting)
// and holdout.jsonl (written last, never tuned on).
func TestOwnSentences(t *testing.T) {
	for _, c := range []struct {
		file           string
		overall, worst float64
	}{
		{"testdata/sentences.jsonl", 0.95, 0.75},
		{"testdata/short.jsonl", 0.95, 0.66},
		{"testdata/probe.jsonl", 0.9, 0.5},
		{"testdata/holdout.jsonl", 0.9, 0.5},
	} {
		t.Run(c.file, func(t *testing.T) {
			overall, worst := accuracy(t, readJSONL(t, c.file))
			if overall < c.overall {
				t.Errorf("accuracy %.3f, want >= %.2f", overall, c.overall)
			}
			if worst < c.worst {
				t.Errorf("worst language accuracy %.2f, want >= %.2f", worst, c.worst)
			}
		})
	}
}
