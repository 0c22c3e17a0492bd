package knowledge

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Status is the state of one topic in one language.
type Status int

// Article states, from worst to best.
const (
	Missing    Status = iota // no article
	Unreviewed               // written, not yet checked by a native speaker
	Reviewed                 // checked by a native speaker
)

// Mark returns the one-character mark used in coverage tables.
func (s Status) Mark() string {
	switch s {
	case Unreviewed:
		return "u"
	case Reviewed:
		return "R"
	}
	return "-"
}

// CoverageRow is one topic across the languages of a Coverage.
type CoverageRow struct {
	Topic  string
	Status []Status // indexed like Coverage.Langs
}

// Coverage is the topic x language grid of a Base, for "passerelle kb check".
type Coverage struct {
	Langs []string      // the 16 codes, menu order
	Rows  []CoverageRow // catalogue order
}

// Coverage returns which articles exist and which are reviewed.
func (b *Base) Coverage() Coverage {
	c := Coverage{Langs: Languages()}
	for _, t := range b.topics {
		row := CoverageRow{Topic: t.ID, Status: make([]Status, len(c.Langs))}
		for i, l := range c.Langs {
			if a, ok := b.articles[key(t.ID, l)]; ok {
				row.Status[i] = Unreviewed
				if a.Reviewed {
					row.Status[i] = Reviewed
				}
			}
		}
		c.Rows = append(c.Rows, row)
	}
	return c
}

// Count returns how many cells of language column i are at least min
// (Unreviewed counts written articles, Reviewed reviewed ones).
func (c Coverage) Count(i int, min Status) int {
	n := 0
	for _, r := range c.Rows {
		if r.Status[i] >= min {
			n++
		}
	}
	return n
}

// WriteCoverage prints c as a table: one row per topic, one column per
// language, "-" missing, "u" written but not reviewed, "R" reviewed; a
// per-topic count on the right and per-language totals at the bottom.
func WriteCoverage(w io.Writer, c Coverage) error {
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', 0)
	head := append([]string{"topic"}, c.Langs...)
	fmt.Fprintln(tw, strings.Join(append(head, "written"), "\t")+"\t")
	written, reviewed := 0, 0
	for _, r := range c.Rows {
		cells := []string{r.Topic}
		n := 0
		for _, s := range r.Status {
			cells = append(cells, s.Mark())
			if s >= Unreviewed {
				n++
			}
			if s == Reviewed {
				reviewed++
			}
		}
		written += n
		cells = append(cells, fmt.Sprintf("%d/%d", n, len(c.Langs)))
		fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
	}
	for _, tot := range []struct {
		name string
		min  Status
	}{{"written", Unreviewed}, {"reviewed", Reviewed}} {
		cells := []string{tot.name}
		for i := range c.Langs {
			cells = append(cells, fmt.Sprint(c.Count(i, tot.min)))
		}
		fmt.Fprintln(tw, strings.Join(append(cells, ""), "\t")+"\t")
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("writing coverage: %w", err)
	}
	total := len(c.Rows) * len(c.Langs)
	_, err := fmt.Fprintf(w, "\n%d of %d articles written, %d reviewed, %d missing (- missing, u written, R reviewed)\n",
		written, total, reviewed, total-written)
	if err != nil {
		return fmt.Errorf("writing coverage: %w", err)
	}
	return nil
}
