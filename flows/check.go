package flows

import (
	"errors"
	"fmt"
	"os"
)

// CheckFiles validates flow files, for `passerelle flows check [FILES]`.
// With no paths it checks the built-in flows. A path may name a file or a
// directory (its *.yaml and *.yml files). The files are checked together
// with the built-in flows, so that they may start or copy them; a file
// whose id is a built-in's replaces that built-in for the check. Every
// problem of every file is returned, as Problems when they are about the
// files.
func CheckFiles(paths []string, v Validator) error {
	builtin, err := Builtin()
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		return builtin.Validate(v)
	}
	var probs Problems
	var files []*Flow
	seen := map[string]string{}
	for _, p := range paths {
		fl, err := parsePath(p)
		if err != nil {
			probs = appendProblems(probs, err)
			continue
		}
		for _, f := range fl {
			if prev, dup := seen[f.ID]; dup {
				probs = append(probs, Problem{File: f.File, Line: f.Line,
					Msg: fmt.Sprintf("flow %q is also defined in %s", f.ID, prev)})
				continue
			}
			seen[f.ID] = f.File
			files = append(files, f)
		}
	}
	if len(probs) > 0 {
		sortProblems(probs)
		return probs
	}
	all := files
	for _, id := range builtin.IDs() {
		if _, replaced := seen[id]; !replaced {
			all = append(all, builtin.flows[id])
		}
	}
	set, err := NewSet(all...)
	if err != nil {
		return err
	}
	if v.Flows == nil {
		v.Flows = func(id string) bool { return set.flows[id] != nil }
	}
	for _, f := range files {
		if err := set.flows[f.ID].Validate(v); err != nil {
			probs = appendProblems(probs, err)
		}
	}
	if len(probs) > 0 {
		sortProblems(probs)
		return probs
	}
	return nil
}

// parsePath parses one flow file, or the flow files of a directory.
func parsePath(p string) ([]*Flow, error) {
	info, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("checking flows: %w", err)
	}
	if info.IsDir() {
		fl, err := parseFS(os.DirFS(p), p)
		var probs Problems
		if err != nil && !errors.As(err, &probs) {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		return fl, err
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("checking flows: %w", err)
	}
	f, err := Parse(p, data)
	if err != nil {
		return nil, err
	}
	return []*Flow{f}, nil
}
