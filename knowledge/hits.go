package knowledge

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// WriteHits prints ranked hits, best first, for "passerelle kb search":
// rank, confidence, backend score, topic, the language of the article that
// matched, and its title. Hits at or above threshold are marked "answer";
// when none is, the engine would say it does not know. base may be nil
// (no titles).
func WriteHits(w io.Writer, base *Base, hits []Hit, threshold float64) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "#\tconfidence\tscore\ttopic\tlang\ttitle\t\n")
	for i, h := range hits {
		title := ""
		if base != nil {
			if a, ok := base.Article(h.Topic, h.Lang); ok {
				title = a.Title
			}
		}
		mark := ""
		if h.Confidence >= threshold {
			mark = " answer"
		}
		fmt.Fprintf(tw, "%d\t%.2f%s\t%.3f\t%s\t%s\t%s\t\n", i+1, h.Confidence, mark, h.Score, h.Topic, h.Lang, title)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("writing hits: %w", err)
	}
	var err error
	switch {
	case len(hits) == 0:
		_, err = fmt.Fprintln(w, "no match: the engine would say it does not know and offer a caseworker")
	case hits[0].Confidence < threshold:
		_, err = fmt.Fprintf(w, "best confidence %.2f is below the threshold %.2f: the engine would not answer\n",
			hits[0].Confidence, threshold)
	}
	if err != nil {
		return fmt.Errorf("writing hits: %w", err)
	}
	return nil
}
