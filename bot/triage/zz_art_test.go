package triage

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/passerelle-org/passerelle/knowledge"
)

func TestZZArticles(t *testing.T) {
	tr := newTriage(t)
	files, _ := filepath.Glob("../../knowledge/articles/*/*.md")
	n, u := 0, 0
	for _, f := range files {
		data, _ := os.ReadFile(f)
		a, err := knowledge.Parse(f, data)
		if err != nil {
			continue
		}
		for _, q := range a.Questions {
			n++
			r := tr.Assess(q, a.Lang)
			if r.Urgent {
				u++
				t.Logf("%s %s: %v %q", a.Topic, a.Lang, r.Kinds, q)
			}
		}
	}
	t.Logf("%d/%d flagged", u, n)
}
