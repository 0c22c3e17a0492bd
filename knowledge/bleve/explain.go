package bleve

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Explain writes how a message was understood and scored: each searched
// word with its weight and its term in the person's language, then the
// best topics with their evidence, coverage, question similarity,
// confidence and the strength of each word. It is meant for editors and
// for "passerelle kb search --explain".
func (x *Index) Explain(ctx context.Context, w io.Writer, query, lang string, limit int) error {
	cands, words, weights, err := x.rank(ctx, query, lang)
	if err != nil {
		return err
	}
	total := 0.0
	for _, w := range weights {
		total += w
	}
	a := x.elsewhere(words, lang, x.langs[lang] != nil, weights, total)
	col := -1
	for i, l := range x.order {
		if l == lang {
			col = i
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "word\tterm\tweight\n")
	for i, wd := range words {
		term := "(no index)"
		if col >= 0 {
			term = wd.forms[col]
		}
		fmt.Fprintf(tw, "%s\t%s\t%.2f\n", wd.tok, term, weights[i])
	}
	fmt.Fprintln(tw)
	fmt.Fprintf(tw, "topic\tlang\tconf\tevidence\tcoverage\tquestion\tbleve\twords\n")
	for i, c := range cands {
		if limit > 0 && i == limit {
			break
		}
		var parts []string
		for j, s := range c.strength {
			if s > 0 {
				parts = append(parts, fmt.Sprintf("%s=%.2f", words[j].tok, s))
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%s\n", c.topic, c.lang, c.conf,
			c.evidence, c.coverage, c.question, c.bleve, strings.Join(parts, " "))
	}
	if a.subject != "" {
		fmt.Fprintf(tw, "\nclosest known elsewhere: %s%s similarity %.2f coverage %.2f", awayPrefix, a.subject, a.sim, a.coverage)
		if len(cands) > 0 && cands[0].away != "" {
			fmt.Fprintf(tw, ": turned away, confidence capped at %.2f", awayCap)
		}
		fmt.Fprintln(tw)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("writing explanation: %w", err)
	}
	return nil
}
