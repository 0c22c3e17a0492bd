package main

import (
	"context"
	"fmt"

	"github.com/passerelle-org/passerelle/flows"
	"github.com/passerelle-org/passerelle/knowledge"
	"github.com/passerelle-org/passerelle/locales"
)

// flowValidator checks flows against every language's messages and the
// topic catalogue.
func flowValidator(cat *locales.Catalog, kb *knowledge.Base) flows.Validator {
	return flows.Validator{
		Langs:  cat.Codes(),
		HasKey: cat.HasKey,
		Topics: func(id string) bool { _, ok := kb.Topic(id); return ok },
	}
}

func runFlowsCheck(ctx context.Context, env *runEnv, args []string) error {
	fs := newFlags(env, "flows check")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cat, err := locales.Load()
	if err != nil {
		return err
	}
	kb, err := loadKB(env)
	if err != nil {
		return err
	}
	if err := flows.CheckFiles(fs.Args(), flowValidator(cat, kb)); err != nil {
		fmt.Fprintln(env.stdout, err)
		return fmt.Errorf("flows check: invalid flows")
	}
	what := "built-in flows"
	if fs.NArg() > 0 {
		what = fmt.Sprintf("%d file(s)", fs.NArg())
	}
	fmt.Fprintf(env.stdout, "%s: ok in %d languages\n", what, len(cat.Codes()))
	return nil
}
