package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/passerelle-org/passerelle/bot"
	"github.com/passerelle-org/passerelle/locales/langid"
)

// evalLine is one line of an evaluation file (shared/eval/README.md).
type evalLine struct {
	ID     string  `json:"id"`
	Lang   string  `json:"lang"`
	Text   string  `json:"text"`
	Topic  *string `json:"topic"`
	Urgent bool    `json:"urgent"`
	Kind   string  `json:"kind"`
}

// evalCounts accumulates one group's figures.
type evalCounts struct {
	n, langOK                   int
	urgent, urgentHit, flagged  int
	flaggedOK                   int
	topical, at1, at3, falseAns int
	rr                          float64
	null, abstained             int
}

func (c *evalCounts) add(l evalLine, u bot.Understanding) {
	c.n++
	if u.Lang == l.Lang {
		c.langOK++
	}
	if l.Urgent {
		c.urgent++
		if u.Urgent {
			c.urgentHit++
		}
	}
	if u.Urgent {
		c.flagged++
		if l.Urgent {
			c.flaggedOK++
		}
	}
	if l.Topic == nil {
		c.null++
		if u.Answer == "" {
			c.abstained++
		}
		return
	}
	c.topical++
	want := *l.Topic
	if u.Answer == want {
		c.at1++
	} else if u.Answer != "" {
		c.falseAns++
	}
	for i, h := range u.Hits {
		if i >= 10 {
			break
		}
		if h.Topic == want {
			if i < 3 {
				c.at3++
			}
			c.rr += 1 / float64(i+1)
			break
		}
	}
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1 // nothing to get wrong: a perfect score, as the README's targets expect
	}
	return float64(a) / float64(b)
}

func (c *evalCounts) figures() map[string]any {
	mrr := 0.0
	if c.topical > 0 {
		mrr = c.rr / float64(c.topical)
	}
	return map[string]any{
		"n": c.n, "lang_accuracy": ratio(c.langOK, c.n),
		"urgent_recall": ratio(c.urgentHit, c.urgent), "urgent_precision": ratio(c.flaggedOK, c.flagged),
		"recall_at_1": ratio(c.at1, c.topical), "recall_at_3": ratio(c.at3, c.topical), "mrr": mrr,
		"abstain_accuracy": ratio(c.abstained, c.null), "false_answer_rate": 1 - ratio(c.topical-c.falseAns, c.topical),
	}
}

var evalKeys = []string{"lang_accuracy", "urgent_recall", "urgent_precision", "recall_at_1", "recall_at_3", "mrr", "abstain_accuracy", "false_answer_rate"}

func runEval(ctx context.Context, env *runEnv, args []string) error {
	fs := newFlags(env, "eval")
	asJSON := fs.Bool("json", false, "print one JSON object instead of a table")
	misses := fs.Bool("misses", false, "also list each line whose answer was wrong, to stderr")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return fmt.Errorf("eval: need exactly one FILE.jsonl")
	}
	lines, err := readEval(pos[0])
	if err != nil {
		return err
	}
	cfg, err := env.config()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "passerelle-eval-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cfg.DataDir, cfg.DatabaseURL = dir, "" // never the service's database
	m := &Main{Config: cfg, Log: newLogger(io.Discard, "error")}
	if err := m.Open(ctx); err != nil {
		m.Close()
		return err
	}
	defer m.Close()
	all := &evalCounts{}
	by := map[string]*evalCounts{}
	for _, l := range lines {
		u, err := m.Engine.Understand(ctx, l.Text)
		if err != nil {
			return fmt.Errorf("eval %s: %w", l.ID, err)
		}
		all.add(l, u)
		if *misses {
			writeMiss(env.stderr, l, u)
		}
		if by[l.Lang] == nil {
			by[l.Lang] = &evalCounts{}
		}
		by[l.Lang].add(l, u)
	}
	return writeEval(env.stdout, all, by, *asJSON)
}

// writeMiss lists a line whose answer differs from the expected topic
// (or that answered where it should abstain): id, expected, answered and
// the first three hits with their confidence.
func writeMiss(w io.Writer, l evalLine, u bot.Understanding) {
	want := ""
	if l.Topic != nil {
		want = *l.Topic
	}
	if u.Answer == want {
		return
	}
	var hits []string
	for i, h := range u.Hits {
		if i == 3 {
			break
		}
		hits = append(hits, fmt.Sprintf("%s:%.2f", h.Topic, h.Confidence))
	}
	fmt.Fprintf(w, "%s\twant=%q got=%q hits=%s\t%s\n", l.ID, want, u.Answer, strings.Join(hits, ","), l.Text)
}

func readEval(path string) ([]evalLine, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("eval: %w", err)
	}
	defer f.Close()
	var out []evalLine
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var l evalLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return nil, fmt.Errorf("eval: %s line %d: %w", path, n, err)
		}
		out = append(out, l)
	}
	return out, sc.Err()
}

func writeEval(w io.Writer, all *evalCounts, by map[string]*evalCounts, asJSON bool) error {
	langs := make([]string, 0, len(by))
	for l := range by {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	if asJSON {
		out := all.figures()
		per := map[string]any{}
		for _, l := range langs {
			per[l] = by[l].figures()
		}
		out["by_lang"] = per
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	fmt.Fprintf(w, "%-6s %5s", "lang", "n")
	for _, k := range evalKeys {
		fmt.Fprintf(w, " %17s", k)
	}
	fmt.Fprintln(w)
	row := func(name string, c *evalCounts) {
		f := c.figures()
		fmt.Fprintf(w, "%-6s %5d", name, c.n)
		for _, k := range evalKeys {
			fmt.Fprintf(w, " %17.3f", f[k])
		}
		fmt.Fprintln(w)
	}
	for _, l := range langs {
		row(l, by[l])
	}
	row("all", all)
	return nil
}

// searchLangOf detects the language of a question for `kb search`.
func searchLangOf(text string) string {
	if l := langid.Detect(text).Lang; l != "" {
		return l
	}
	return "en"
}
