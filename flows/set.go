package flows

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/passerelle-org/passerelle/bot"
)

//go:embed builtin/*.yaml
var builtinFS embed.FS

// maxChain bounds how many flows one Start or Step may start in a row.
const maxChain = 8

// Set is the flows a service runs, by id. It implements bot.Flows and
// follows start actions itself: the actions it returns never hold
// ActStartFlow, and the state is positioned in the flow that was started.
// A Set is immutable and safe for concurrent use.
type Set struct {
	flows map[string]*Flow
	ids   []string
}

var _ bot.Flows = (*Set)(nil)

// Builtin returns the flows embedded in the binary (flows/builtin/*.yaml),
// checked with the zero Validator. Check their message keys and topics
// with Validate at start.
func Builtin() (*Set, error) {
	sub, err := fs.Sub(builtinFS, "builtin")
	if err != nil {
		return nil, fmt.Errorf("builtin flows: %w", err)
	}
	s, err := loadFS(sub, "flows/builtin")
	if err != nil {
		return nil, fmt.Errorf("builtin flows: %w", err)
	}
	return s, nil
}

// LoadDir parses every *.yaml and *.yml file at the top of fsys into a Set
// and checks it with the zero Validator: structure, steps and the flows
// that start or copy each other. It returns all problems found.
func LoadDir(fsys fs.FS) (*Set, error) {
	return loadFS(fsys, "")
}

func loadFS(fsys fs.FS, prefix string) (*Set, error) {
	flows, err := parseFS(fsys, prefix)
	if err != nil {
		return nil, err
	}
	s, err := NewSet(flows...)
	if err != nil {
		return nil, err
	}
	if err := s.Validate(Validator{}); err != nil {
		return nil, err
	}
	return s, nil
}

// parseFS parses the flow files at the top of fsys, collecting all problems.
func parseFS(fsys fs.FS, prefix string) ([]*Flow, error) {
	var names []string
	for _, pat := range []string{"*.yaml", "*.yml"} {
		m, err := fs.Glob(fsys, pat)
		if err != nil {
			return nil, fmt.Errorf("listing flow files: %w", err)
		}
		names = append(names, m...)
	}
	slices.Sort(names)
	if len(names) == 0 {
		return nil, fmt.Errorf("no flow files (*.yaml) found")
	}
	var flows []*Flow
	var probs Problems
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("reading flow file: %w", err)
		}
		f, err := Parse(path.Join(prefix, name), data)
		if err != nil {
			probs = appendProblems(probs, err)
			continue
		}
		flows = append(flows, f)
	}
	if len(probs) > 0 {
		sortProblems(probs)
		return nil, probs
	}
	return flows, nil
}

// appendProblems adds err's problems (or err itself as one) to ps.
func appendProblems(ps Problems, err error) Problems {
	var more Problems
	if errors.As(err, &more) {
		return append(ps, more...)
	}
	return append(ps, Problem{Msg: err.Error()})
}

// NewSet builds a Set from parsed flows and resolves their same_as steps.
// Two flows with the same id, or a same_as naming a missing flow or step,
// are problems.
func NewSet(flows ...*Flow) (*Set, error) {
	s := &Set{flows: make(map[string]*Flow, len(flows))}
	var probs Problems
	for _, f := range flows {
		if prev, dup := s.flows[f.ID]; dup {
			probs = append(probs, Problem{File: f.File, Line: f.Line,
				Msg: fmt.Sprintf("flow %q is also defined in %s", f.ID, prev.File)})
			continue
		}
		s.flows[f.ID] = f
	}
	for _, id := range slices.Sorted(maps.Keys(s.flows)) {
		pl := &problemList{file: s.flows[id].File}
		s.flows[id] = resolve(s.flows[id], func(id string) *Flow { return s.flows[id] }, pl)
		probs = append(probs, pl.ps...)
		s.ids = append(s.ids, id)
	}
	if len(probs) > 0 {
		sortProblems(probs)
		return nil, probs
	}
	return s, nil
}

// resolve returns f with its same_as steps filled in from the steps they
// name; lookup finds a flow by id (nil when it is unknown). A reference to
// an unknown flow is left for Validate to report; a missing step is a
// problem now.
func resolve(f *Flow, lookup func(id string) *Flow, pl *problemList) *Flow {
	var out *Flow
	for _, name := range f.names() {
		s := f.Steps[name]
		if s.SameAs == "" || s.copied {
			continue
		}
		flowID, stepName, ok := strings.Cut(s.SameAs, "/")
		if !ok {
			flowID, stepName = f.ID, s.SameAs
		}
		src := lookup(flowID)
		if src == nil {
			continue
		}
		from := src.Steps[stepName]
		switch {
		case from == nil:
			pl.add(s.Line, "step %q: same_as %q: flow %q has no step %q", s.Name, s.SameAs, flowID, stepName)
			continue
		case from.SameAs != "":
			pl.add(s.Line, "step %q: same_as %q: that step itself uses same_as; name the original", s.Name, s.SameAs)
			continue
		}
		if out == nil {
			cp := *f
			cp.Steps = maps.Clone(f.Steps)
			out = &cp
		}
		out.Steps[name] = copyStep(s, from)
	}
	if out == nil {
		return f
	}
	return out
}

// copyStep fills the fields s leaves empty from the step it copies.
func copyStep(s, from *StepDef) *StepDef {
	cp := *s
	cp.copied = true
	if cp.Say == nil {
		cp.Say = slices.Clone(from.Say)
	}
	if cp.Do == nil {
		cp.Do = slices.Clone(from.Do)
	}
	if cp.Options == nil && from.Options != nil {
		cp.Options = make([]Option, len(from.Options))
		for i, o := range from.Options {
			o.Set = maps.Clone(o.Set)
			o.Do = slices.Clone(o.Do)
			o.Line = s.Line // problems point at the copying step
			cp.Options[i] = o
		}
	}
	for _, f := range []struct {
		dst *string
		src string
	}{
		{&cp.Save, from.Save}, {&cp.OnText, from.OnText}, {&cp.Wait, from.Wait}, {&cp.Next, from.Next},
	} {
		if *f.dst == "" {
			*f.dst = f.src
		}
	}
	if cp.Branch == nil && from.Branch != nil {
		b := *from.Branch
		b.Cases = slices.Clone(b.Cases)
		cp.Branch = &b
	}
	return &cp
}

// Get returns the flow with id, or an error wrapping ErrNotFound.
func (s *Set) Get(id string) (*Flow, error) {
	f, ok := s.flows[id]
	if !ok {
		return nil, fmt.Errorf("flow %q: %w", id, ErrNotFound)
	}
	return f, nil
}

// IDs returns the ids of the flows in the set, sorted.
func (s *Set) IDs() []string { return slices.Clone(s.ids) }

// Validate validates every flow of the set and returns all problems. When
// v.Flows is nil, started flows must be in the set.
func (s *Set) Validate(v Validator) error {
	if v.Flows == nil {
		v.Flows = func(id string) bool { return s.flows[id] != nil }
	}
	var probs Problems
	for _, id := range s.ids {
		if err := s.flows[id].Validate(v); err != nil {
			probs = appendProblems(probs, err)
		}
	}
	if len(probs) > 0 {
		sortProblems(probs)
		return probs
	}
	return nil
}

// Start begins flow id (see the package function Start), following start
// actions into the flows they name.
func (s *Set) Start(id string, st bot.State) (bot.State, []bot.Action, error) {
	f, err := s.Get(id)
	if err != nil {
		return st, nil, err
	}
	nst, acts, err := Start(f, st)
	if err != nil {
		return st, nil, err
	}
	return s.follow(st, nst, acts)
}

// Step feeds input to the flow st is in (see the package function Step),
// following start actions into the flows they name. An unknown st.Flow
// gives an error wrapping ErrNotFound.
func (s *Set) Step(st bot.State, in bot.FlowInput) (bot.State, []bot.Action, error) {
	f, err := s.Get(st.Flow)
	if err != nil {
		return st, nil, err
	}
	nst, acts, err := Step(f, st, in)
	if err != nil {
		return st, nil, err
	}
	return s.follow(st, nst, acts)
}

// follow replaces a trailing ActStartFlow by the started flow's actions.
func (s *Set) follow(orig, st bot.State, acts []bot.Action) (bot.State, []bot.Action, error) {
	for range maxChain {
		n := len(acts)
		if n == 0 || acts[n-1].Kind != bot.ActStartFlow {
			return st, acts, nil
		}
		id := acts[n-1].Flow
		f, err := s.Get(id)
		if err != nil {
			return orig, nil, err
		}
		var more []bot.Action
		st, more, err = Start(f, st)
		if err != nil {
			return orig, nil, err
		}
		acts = append(acts[:n-1], more...)
	}
	return orig, nil, fmt.Errorf("more than %d flows started in a row: %w", maxChain, ErrBroken)
}
