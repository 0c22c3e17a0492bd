package flows

import (
	"slices"
	"strings"

	"github.com/passerelle-org/passerelle/bot"
)

// Validator says what exists outside the flow files. A nil func, or empty
// Langs, skips that check; the zero Validator checks only the flows' own
// structure.
type Validator struct {
	Langs  []string                    // languages every message key must exist in
	HasKey func(lang, key string) bool // a message key exists in a language
	Topics func(id string) bool        // a knowledge-base topic exists
	Flows  func(id string) bool        // a flow exists (Set.Validate defaults to its own)
}

// Validate checks f and returns every problem it finds, as Problems: every
// message key exists in every language; every step an option, next, branch
// or on_text names exists; every step is reachable from the start; no step
// is a dead end (it offers options, waits for text, moves on, or ends the
// flow) and no steps loop without waiting; option ids are unique within a
// step and fit a button; topics, started flows, languages and {{vars}}
// exist; same_as references are resolved.
func (f *Flow) Validate(v Validator) error {
	c := &checker{f: f, v: v, pl: &problemList{file: f.File}, assigned: map[string]bool{InputVar: true}}
	c.check()
	return c.pl.err()
}

// checker validates one flow.
type checker struct {
	f        *Flow
	v        Validator
	pl       *problemList
	keys     []ref           // message keys used, in file order
	uses     []ref           // vars used
	assigned map[string]bool // vars set somewhere
}

// ref is a name used at a line.
type ref struct {
	name string
	line int
}

func (c *checker) add(line int, s *StepDef, format string, args ...any) {
	if s != nil {
		format = "step %q: " + format
		args = append([]any{s.Name}, args...)
	}
	c.pl.add(line, format, args...)
}

func (c *checker) check() {
	f := c.f
	if f.ID == "" {
		c.add(f.Line, nil, "the flow has no id")
	}
	if _, ok := f.Steps[f.Start]; !ok {
		c.add(f.Line, nil, "the start step %q does not exist", f.Start)
	}
	for _, name := range f.names() {
		c.step(f.Steps[name])
	}
	c.reach()
	c.loops()
	for _, u := range c.uses {
		if !c.assigned[u.name] {
			c.add(u.line, nil, "{{%s}} is never set in this flow (set it with wait, save or an option's set)", u.name)
		}
	}
	c.messages()
}

// names returns the step names in file order.
func (f *Flow) names() []string {
	if len(f.Order) == len(f.Steps) {
		return f.Order
	}
	names := make([]string, 0, len(f.Steps))
	for n := range f.Steps {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func (c *checker) step(s *StepDef) {
	if s.SameAs != "" && !s.copied {
		c.add(s.line("same_as"), s, "same_as %q is not resolved: check this file together with the flow it names", s.SameAs)
	}
	for i, k := range s.Say {
		c.keys = append(c.keys, ref{k, s.sayLine(i)})
	}
	c.acts(s, s.Do)
	ends := endsFlow(s.Do)
	if len(s.Options) == 0 {
		if s.OnText != "" {
			c.add(s.line("on_text"), s, "on_text only applies to a step with options")
		}
		if s.Save != "" {
			c.add(s.line("save"), s, "save only applies to a step with options")
		}
	}
	switch {
	case len(s.Options) > 0:
		c.optionStep(s, ends)
	case s.Wait != "":
		c.assigned[s.Wait] = true
		switch {
		case ends:
			c.add(s.Line, s, "ends the flow before waiting for text")
		case s.Branch != nil:
			c.add(s.Line, s, "cannot both wait and branch: put the branch in the next step")
		case s.Next == "":
			c.add(s.Line, s, "waits for text but does not say where to go next (next:)")
		default:
			c.target(s, s.line("next"), "next", s.Next)
		}
	case ends:
		if s.Next != "" || s.Branch != nil {
			c.add(s.Line, s, "ends the flow, so its next or branch is never used")
		}
	case s.Branch != nil:
		if s.Next != "" {
			c.add(s.Line, s, "has both next and branch: keep one")
		}
		c.uses = append(c.uses, ref{s.Branch.On, s.Branch.Line})
		for _, cs := range s.Branch.Cases {
			c.target(s, s.Branch.Line, "branch", cs.Next)
		}
		c.target(s, s.Branch.Line, "branch else", s.Branch.Else)
	case s.Next != "":
		c.target(s, s.line("next"), "next", s.Next)
	default:
		c.add(s.Line, s, "is a dead end: it neither offers options, waits for text, goes to a next step nor ends the flow")
	}
}

func (c *checker) optionStep(s *StepDef, ends bool) {
	if len(s.Say) == 0 {
		c.add(s.Line, s, "offers options but says nothing: the options go with its last say message")
	}
	if s.Wait != "" {
		c.add(s.Line, s, "cannot both offer options and wait for text")
	}
	if s.Branch != nil {
		c.add(s.Line, s, "cannot both offer options and branch")
	}
	if ends {
		c.add(s.Line, s, "ends the flow before its options can be chosen")
	}
	// Said with the options again after an empty answer or an old button.
	c.keys = append(c.keys, ref{KeyInvalidChoice, s.line("on_text")})
	switch s.OnText {
	case "":
		c.add(s.Line, s, "offers options but does not say what free text does: add on_text: search, invalid or a step name")
	case OnTextSearch, OnTextInvalid:
	default:
		c.target(s, s.line("on_text"), "on_text", s.OnText)
	}
	if s.Save != "" {
		c.assigned[s.Save] = true
	}
	if s.Next != "" {
		c.target(s, s.line("next"), "next", s.Next)
	}
	seen := map[string]string{}
	for _, o := range s.Options {
		if o.ID != "" {
			if len(o.ID) > MaxPayload {
				c.add(o.Line, s, "option id %q is longer than %d bytes", o.ID, MaxPayload)
			}
			switch prev, dup := seen[strings.ToLower(o.ID)]; {
			case dup && prev == o.ID:
				c.add(o.Line, s, "option id %q is used twice", o.ID)
			case dup:
				c.add(o.Line, s, "option ids %q and %q differ only by case", prev, o.ID)
			}
			seen[strings.ToLower(o.ID)] = o.ID
		}
		if o.Key != "" {
			c.keys = append(c.keys, ref{o.Key, o.Line})
		}
		for k := range o.Set {
			c.assigned[k] = true
		}
		c.acts(s, o.Do)
		oends := endsFlow(o.Do)
		switch {
		case oends && o.Next != "":
			c.add(o.Line, s, "option %q ends the flow, so its next is never used", o.ID)
		case oends:
		case o.Next != "":
			c.target(s, o.Line, "next", o.Next)
		case s.Next == "":
			c.add(o.Line, s, "option %q is a dead end: give it a next step (or the step a next), or end the flow in its do", o.ID)
		}
	}
}

func (c *checker) acts(s *StepDef, acts []Act) {
	for _, a := range acts {
		literal := !strings.Contains(a.Arg, "{{")
		switch a.Kind {
		case bot.ActSay:
			c.keys = append(c.keys, ref{a.Arg, a.Line})
		case bot.ActAnswer:
			if literal && c.v.Topics != nil && !c.v.Topics(a.Arg) {
				c.add(a.Line, s, "unknown topic %q", a.Arg)
			}
		case bot.ActStartFlow:
			if c.v.Flows != nil && !c.v.Flows(a.Arg) {
				c.add(a.Line, s, "unknown flow %q", a.Arg)
			}
		case bot.ActSetLang:
			if literal && len(c.v.Langs) > 0 && !slices.Contains(c.v.Langs, a.Arg) {
				c.add(a.Line, s, "unknown language %q", a.Arg)
			}
		case bot.ActHandoff:
			switch strings.ToLower(a.Urgent) {
			case "", "true", "false", "yes", "no":
			default:
				if !strings.Contains(a.Urgent, "{{") {
					c.add(a.Line, s, "handoff urgent must be true, false or a {{var}}, not %q", a.Urgent)
				}
			}
		}
		if a.Kind == bot.ActSay || a.Kind == bot.ActStartFlow {
			continue
		}
		for _, t := range []string{a.Arg, a.Urgent, a.Reason, a.Note} {
			names, _ := templateVars(t)
			for _, n := range names {
				c.uses = append(c.uses, ref{n, a.Line})
			}
		}
	}
}

func (c *checker) target(s *StepDef, line int, field, name string) {
	if _, ok := c.f.Steps[name]; !ok {
		c.add(line, s, "%s: there is no step %q", field, name)
	}
}

// successors lists the steps s can lead to.
func successors(s *StepDef) []string {
	var out []string
	add := func(n string) {
		if n != "" {
			out = append(out, n)
		}
	}
	add(s.Next)
	if s.OnText != OnTextSearch && s.OnText != OnTextInvalid {
		add(s.OnText)
	}
	for _, o := range s.Options {
		add(o.Next)
	}
	if s.Branch != nil {
		for _, cs := range s.Branch.Cases {
			add(cs.Next)
		}
		add(s.Branch.Else)
	}
	return out
}

// reach reports steps that cannot be reached from the start step.
func (c *checker) reach() {
	if _, ok := c.f.Steps[c.f.Start]; !ok {
		return
	}
	seen := map[string]bool{c.f.Start: true}
	queue := []string{c.f.Start}
	for len(queue) > 0 {
		s := c.f.Steps[queue[0]]
		queue = queue[1:]
		if s == nil {
			continue
		}
		for _, n := range successors(s) {
			if !seen[n] {
				seen[n] = true
				queue = append(queue, n)
			}
		}
	}
	for _, name := range c.f.names() {
		if !seen[name] {
			s := c.f.Steps[name]
			c.add(s.Line, s, "is never reached from the start step %q", c.f.Start)
		}
	}
}

// loops reports steps that lead back to themselves without any step
// waiting for the person in between.
func (c *checker) loops() {
	const (
		unseen = iota
		active
		done
	)
	state := map[string]int{}
	reported := map[string]bool{}
	var path []string
	var visit func(name string)
	visit = func(name string) {
		s := c.f.Steps[name]
		if s == nil || s.pauses() || endsFlow(s.Do) {
			return
		}
		switch state[name] {
		case active:
			i := slices.Index(path, name)
			cycle := append(slices.Clone(path[i:]), name)
			key := strings.Join(slices.Sorted(slices.Values(path[i:])), " ")
			if !reported[key] {
				reported[key] = true
				c.add(c.f.Steps[path[i]].Line, nil, "steps %s loop without waiting for the person", strings.Join(cycle, " -> "))
			}
			return
		case done:
			return
		}
		state[name] = active
		path = append(path, name)
		for _, n := range successors(s) {
			visit(n)
		}
		path = path[:len(path)-1]
		state[name] = done
	}
	for _, name := range c.f.names() {
		visit(name)
	}
}

// messages reports keys missing in some language, once per key.
func (c *checker) messages() {
	if c.v.HasKey == nil || len(c.v.Langs) == 0 {
		return
	}
	done := map[string]bool{}
	for _, k := range c.keys {
		if done[k.name] {
			continue
		}
		done[k.name] = true
		var missing []string
		for _, l := range c.v.Langs {
			if !c.v.HasKey(l, k.name) {
				missing = append(missing, l)
			}
		}
		if len(missing) > 0 {
			c.add(k.line, nil, "message key %q is missing in %s", k.name, strings.Join(missing, ", "))
		}
	}
}
