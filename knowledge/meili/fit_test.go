package meili

import (
	"bufio"
	"context"
	"encoding/json"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-org/passerelle/knowledge"
	"github.com/passerelle-org/passerelle/knowledge/articles"
	"github.com/passerelle-org/passerelle/knowledge/meili/meilitest"
)

// fitSets are the messages the confidence is fitted on: the project's
// own and the development set. The held-out set is never among them.
var fitSets = []string{"../bleve/testdata/queries.jsonl", "../../../shared/eval/dev.jsonl"}

// TestFitConfidence refits the confidence coefficients (see bias and
// coefficients in rank.go) by logistic regression and prints them, with
// the log-loss of the current ones. The first topic rank returns for a
// message searched in its own language is one example, labelled by
// whether it is the message's topic (as the embedded index's confidence
// was fitted). Skipped unless PASSERELLE_MEILI_FIT is set.
func TestFitConfidence(t *testing.T) {
	if os.Getenv("PASSERELLE_MEILI_FIT") == "" {
		t.Skip("PASSERELLE_MEILI_FIT not set")
	}
	base, err := knowledge.Load(articles.FS)
	if base == nil {
		t.Fatal(err)
	}
	srv := meilitest.New(t, "k")
	client := Connect(srv.URL, "k", nil)
	if _, err := Sync(context.Background(), client, base, Options{TaskPoll: time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	s, err := New(client, base, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var xs [][]float64
	var ys []float64
	for _, path := range fitSets {
		for _, l := range readLines(t, path) {
			if !knowledge.IsLanguage(l.Lang) {
				continue
			}
			hits, msgs, err := s.multi(context.Background(), []string{l.Lang}, l.Text, ownVariants)
			if err != nil {
				t.Fatal(err)
			}
			infos := map[string]*topicInfo{}
			out := rank(hits, msgs, 1, infos)
			if len(out) == 0 {
				continue
			}
			y := 0.0
			if l.Topic != nil && *l.Topic == out[0].Topic {
				y = 1
			}
			xs, ys = append(xs, append([]float64{1}, infos[out[0].Topic].vector()...)), append(ys, y)
		}
	}
	cur := append([]float64{bias}, coefficients[:]...)
	t.Logf("%d examples; log-loss of the current coefficients %.4f", len(xs), logLoss(cur, xs, ys))
	w := fitLogistic(xs, ys, 1e-3)
	t.Logf("fitted: log-loss %.4f, bias %.2f, coefficients %.2f", logLoss(w, xs, ys), w[0], w[1:])
}

type fitLine struct {
	Lang, Text string
	Topic      *string
}

func readLines(t *testing.T, path string) []fitLine {
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("%s: %v", path, err)
	}
	defer f.Close()
	var out []fitLine
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var l fitLine
		if strings.TrimSpace(sc.Text()) != "" && json.Unmarshal(sc.Bytes(), &l) == nil {
			out = append(out, l)
		}
	}
	return out
}

func logLoss(w []float64, xs [][]float64, ys []float64) float64 {
	sum := 0.0
	for i, x := range xs {
		p := min(max(predict(w, x), 1e-9), 1-1e-9)
		sum -= ys[i]*math.Log(p) + (1-ys[i])*math.Log(1-p)
	}
	return sum / float64(len(xs))
}

func predict(w, x []float64) float64 {
	z := 0.0
	for j := range w {
		z += w[j] * x[j]
	}
	return sigmoid(z)
}

// fitLogistic fits logistic regression with an L2 penalty l2 (the bias
// left out) by Newton's method.
func fitLogistic(xs [][]float64, ys []float64, l2 float64) []float64 {
	d := len(xs[0])
	w := make([]float64, d)
	for range 50 {
		g := make([]float64, d)
		h := make([][]float64, d)
		for j := range h {
			h[j] = make([]float64, d)
			if j > 0 {
				h[j][j] = l2 * float64(len(xs))
				g[j] = l2 * float64(len(xs)) * w[j]
			}
		}
		for i, x := range xs {
			p := predict(w, x)
			for j := range d {
				g[j] += (p - ys[i]) * x[j]
				for k := range d {
					h[j][k] += p * (1 - p) * x[j] * x[k]
				}
			}
		}
		step := solve(h, g)
		for j := range w {
			w[j] -= step[j]
		}
	}
	return w
}

// solve solves a·x = b by Gaussian elimination with partial pivoting.
func solve(a [][]float64, b []float64) []float64 {
	n := len(b)
	m := make([][]float64, n)
	for i := range a {
		m[i] = append(append([]float64{}, a[i]...), b[i])
	}
	for c := range n {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(m[r][c]) > math.Abs(m[p][c]) {
				p = r
			}
		}
		m[c], m[p] = m[p], m[c]
		if m[c][c] == 0 {
			continue
		}
		for r := range n {
			if r != c {
				f := m[r][c] / m[c][c]
				for k := c; k <= n; k++ {
					m[r][k] -= f * m[c][k]
				}
			}
		}
	}
	x := make([]float64, n)
	for i := range n {
		if m[i][i] != 0 {
			x[i] = m[i][n] / m[i][i]
		}
	}
	return x
}
