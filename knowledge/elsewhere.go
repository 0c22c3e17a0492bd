package knowledge

import (
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"strings"
)

// elsewhereFiles holds the "known elsewhere" samples of each language
// (elsewhere/<code>.txt).
//
//go:embed elsewhere/*.txt
var elsewhereFiles embed.FS

// elsewhereSubjects lists the near-topic subjects the service deliberately
// does not answer, although people ask them in the same breath as return
// and their rights: another office or association answers them, and a
// caseworker can say which. Every elsewhere/<lang>.txt section names one.
var elsewhereSubjects = [...]string{
	"residence-permit", // titre de séjour, récépissé: the préfecture
	"naturalisation",   // French nationality
	"passport",         // renewing one's passport at one's embassy, outside a return
	"school",           // enrolling a child in school
	"work-permit",      // autorisation de travail
	"job-search",       // finding a job in France, wages of a trade
	"french-classes",   // learning French
	"driving-licence",  // exchanging a driving licence
	"bank-account",     // opening a bank account
	"money-transfer",   // sending money home
	"family-benefits",  // CAF, family allowances, RSA, APL
	"tax",              // income tax, impôts
	"marriage",         // marrying or a PACS in France
	"housing",          // renting a flat, social housing (not emergency shelter)
}

// ElsewhereSubjects returns the subjects the service deliberately leaves
// to other offices (a fresh copy). A subject is not a topic: a search
// backend uses its samples only to recognise such a message and abstain,
// never to answer it.
func ElsewhereSubjects() []string { return slices.Clone(elsewhereSubjects[:]) }

// Elsewhere is one subject of one language with its sample questions: how
// people ask about something the knowledge base does not cover.
type Elsewhere struct {
	Lang    string
	Subject string   // one of ElsewhereSubjects()
	Samples []string // as written in the file, one question each
}

// LoadElsewhere reads the embedded "known elsewhere" samples of every
// language, in language menu order then file order. It fails on a missing
// language file, an unknown subject, a sample outside a section, a
// subject without samples or a sample written twice.
//
// The file format is one sample a line, under "[subject]" headers; "#"
// starts a comment line:
//
//	# Renewing a residence permit: the préfecture answers.
//	[residence-permit]
//	how do I renew my titre de séjour?
func LoadElsewhere() ([]Elsewhere, error) {
	var out []Elsewhere
	for _, l := range languages {
		name := "elsewhere/" + l + ".txt"
		data, err := fs.ReadFile(elsewhereFiles, name)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", name, err)
		}
		subjects, err := parseElsewhere(l, string(data))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out = append(out, subjects...)
	}
	return out, nil
}

// parseElsewhere reads one language's file (see LoadElsewhere).
func parseElsewhere(lang, text string) ([]Elsewhere, error) {
	var out []Elsewhere
	seen := map[string]int{} // normalised sample -> line
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
			continue
		case strings.HasPrefix(line, "["):
			s := strings.TrimSuffix(strings.TrimPrefix(line, "["), "]")
			if !strings.HasSuffix(line, "]") || !slices.Contains(elsewhereSubjects[:], s) {
				return nil, fmt.Errorf("line %d: unknown subject %q", n+1, line)
			}
			if slices.ContainsFunc(out, func(e Elsewhere) bool { return e.Subject == s }) {
				return nil, fmt.Errorf("line %d: subject %q appears twice", n+1, s)
			}
			out = append(out, Elsewhere{Lang: lang, Subject: s})
		case len(out) == 0:
			return nil, fmt.Errorf("line %d: sample before any [subject]", n+1)
		default:
			k := Normalize(line)
			if first, dup := seen[k]; dup {
				return nil, fmt.Errorf("line %d: sample %q already on line %d", n+1, line, first)
			}
			seen[k] = n + 1
			out[len(out)-1].Samples = append(out[len(out)-1].Samples, line)
		}
	}
	for _, e := range out {
		if len(e.Samples) == 0 {
			return nil, fmt.Errorf("subject %q has no samples", e.Subject)
		}
	}
	return out, nil
}
