package flows

import (
	"fmt"
	"maps"
	"strings"
	"unicode/utf8"

	"github.com/passerelle-org/passerelle/bot"
)

// InputVar is the var that holds what the person just sent (their text, or
// the payload of a button when there is no text), for branch and {{input}}.
const InputVar = "input"

// maxHops bounds the steps entered for one input; Validate rejects loops
// without a pause, this guards flows that skipped validation.
const maxHops = 100

// Start begins flow f: it clears st's flow position and vars, enters the
// start step and returns the new state and the actions to carry out. The
// state has Flow and Step set while the flow waits for the person, and both
// empty when it ended at once. Start has no side effects.
func Start(f *Flow, st bot.State) (bot.State, []bot.Action, error) {
	r := &run{f: f, st: st}
	r.st.Flow, r.st.Step, r.st.Vars, r.st.Options = f.ID, "", nil, nil
	if err := r.enter(f.Start); err != nil {
		return st, nil, err
	}
	return r.st, r.acts, nil
}

// Step feeds the person's input to flow f at the step st points to. At a
// step with options, in.Payload (or in.Text, trimmed and compared without
// case) is matched against the options' ids; other text follows the step's
// on_text. At a wait step the text is stored in the step's var. Step has no
// side effects and does not modify st's Vars map.
//
// A flow that starts another returns an ActStartFlow action last and an
// empty position; Set.Step follows it instead.
func Step(f *Flow, st bot.State, in bot.FlowInput) (bot.State, []bot.Action, error) {
	if st.Flow != f.ID {
		return st, nil, fmt.Errorf("flow %q given a state of flow %q: %w", f.ID, st.Flow, ErrStale)
	}
	s, ok := f.Steps[st.Step]
	if !ok || !s.pauses() {
		return st, nil, fmt.Errorf("flow %q: step %q does not wait for input: %w", f.ID, st.Step, ErrStale)
	}
	text := strings.TrimSpace(in.Text)
	r := &run{f: f, st: st, input: text}
	if r.input == "" {
		r.input = strings.TrimSpace(in.Payload)
	}
	r.st.Vars = maps.Clone(st.Vars)
	var err error
	if len(s.Options) > 0 {
		err = r.choose(s, in, text)
	} else {
		err = r.receive(s, text)
	}
	if err != nil {
		return st, nil, err
	}
	return r.st, r.acts, nil
}

// run is one call of Start or Step: the state being built and the actions
// emitted so far.
type run struct {
	f     *Flow
	st    bot.State
	acts  []bot.Action
	input string
}

// choose handles input at a step with options.
func (r *run) choose(s *StepDef, in bot.FlowInput, text string) error {
	if o := match(s.Options, in.Payload, text); o != nil {
		if s.Save != "" {
			r.set(s.Save, o.value())
		}
		for k, v := range o.Set {
			r.set(k, v)
		}
		if r.do(o.Do) {
			return nil
		}
		next := o.Next
		if next == "" {
			next = s.Next
		}
		return r.enter(next)
	}
	switch {
	case text == "" || s.OnText == OnTextInvalid:
		r.emit(bot.Action{Kind: bot.ActSay, Key: KeyInvalidChoice, Choices: choices(s)})
		r.st.Options = options(s)
		return nil
	case s.OnText == OnTextSearch:
		r.emit(bot.Action{Kind: bot.ActSearch, Query: text})
		r.end()
		return nil
	default:
		return r.enter(s.OnText)
	}
}

// match finds the option chosen by payload, or by text equal to a payload.
func match(opts []Option, payload, text string) *Option {
	payload = strings.TrimSpace(payload)
	for _, try := range []string{payload, text} {
		if try == "" {
			continue
		}
		for i := range opts {
			if opts[i].ID == try {
				return &opts[i]
			}
		}
		for i := range opts {
			if strings.EqualFold(opts[i].ID, try) {
				return &opts[i]
			}
		}
	}
	return nil
}

// receive handles input at a wait step.
func (r *run) receive(s *StepDef, text string) error {
	if text == "" {
		// A button from an old message, or nothing readable: ask again.
		if len(s.Say) > 0 {
			r.emit(bot.Action{Kind: bot.ActSay, Key: s.Say[len(s.Say)-1]})
		}
		return nil
	}
	r.set(s.Wait, truncate(text, MaxVarLen))
	return r.enter(s.Next)
}

// enter runs steps from name until one pauses or the flow ends.
func (r *run) enter(name string) error {
	for range maxHops {
		s, ok := r.f.Steps[name]
		if !ok {
			return fmt.Errorf("flow %q: no step %q: %w", r.f.ID, name, ErrBroken)
		}
		for i, k := range s.Say {
			a := bot.Action{Kind: bot.ActSay, Key: k}
			if i == len(s.Say)-1 {
				a.Choices = choices(s)
			}
			r.emit(a)
		}
		if r.do(s.Do) {
			return nil
		}
		switch {
		case s.pauses():
			r.st.Step, r.st.Options = name, options(s)
			return nil
		case s.Branch != nil:
			name = r.branch(s.Branch)
		case s.Next != "":
			name = s.Next
		default:
			return fmt.Errorf("flow %q: step %q is a dead end: %w", r.f.ID, name, ErrBroken)
		}
	}
	return fmt.Errorf("flow %q: %d steps without waiting for the person: %w", r.f.ID, maxHops, ErrBroken)
}

// do carries out acts and reports whether the flow ended.
func (r *run) do(acts []Act) bool {
	for _, a := range acts {
		switch a.Kind {
		case bot.ActSay:
			r.emit(bot.Action{Kind: bot.ActSay, Key: a.Arg})
		case bot.ActAnswer:
			r.emit(bot.Action{Kind: bot.ActAnswer, Topic: r.expand(a.Arg)})
		case bot.ActSearch:
			r.emit(bot.Action{Kind: bot.ActSearch, Query: r.expand(a.Arg)})
		case bot.ActSetLang:
			r.emit(bot.Action{Kind: bot.ActSetLang, Lang: r.expand(a.Arg)})
		case bot.ActHandoff:
			reason := r.expand(a.Reason)
			if reason == "" {
				reason = "person"
			}
			r.emit(bot.Action{Kind: bot.ActHandoff, Urgent: truthy(r.expand(a.Urgent)),
				Reason: reason, Note: r.expand(a.Note)})
		case bot.ActStartFlow:
			r.emit(bot.Action{Kind: bot.ActStartFlow, Flow: a.Arg})
			r.clear()
			return true
		case bot.ActEnd:
			r.end()
			return true
		}
	}
	return false
}

func (r *run) branch(b *Branch) string {
	v := strings.TrimSpace(r.get(b.On))
	for _, c := range b.Cases {
		if strings.EqualFold(strings.TrimSpace(c.Value), v) {
			return c.Next
		}
	}
	return b.Else
}

func (r *run) emit(a bot.Action) { r.acts = append(r.acts, a) }

// end finishes the flow: ActEnd, and no flow position.
func (r *run) end() {
	r.emit(bot.Action{Kind: bot.ActEnd})
	r.clear()
}

func (r *run) clear() {
	r.st.Flow, r.st.Step, r.st.Vars, r.st.Options = "", "", nil, nil
}

func (r *run) set(name, value string) {
	if r.st.Vars == nil {
		r.st.Vars = map[string]string{}
	}
	r.st.Vars[name] = value
}

func (r *run) get(name string) string {
	if name == InputVar {
		return r.input
	}
	return r.st.Vars[name]
}

// expand replaces {{name}} with the var's value ("" when unset).
func (r *run) expand(s string) string {
	if !strings.Contains(s, "{{") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "{{")
		j := strings.Index(s, "}}")
		if i < 0 || j < i {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		b.WriteString(r.get(strings.TrimSpace(s[i+2 : j])))
		s = s[j+2:]
	}
}

// templateVars lists the vars a value refers to, or says why it is malformed.
func templateVars(s string) ([]string, error) {
	var names []string
	for {
		i := strings.Index(s, "{{")
		j := strings.Index(s, "}}")
		switch {
		case i < 0 && j < 0:
			return names, nil
		case j < 0:
			return nil, fmt.Errorf("%q has {{ without }}", s)
		case i < 0 || j < i:
			return nil, fmt.Errorf("%q has }} without {{", s)
		}
		name := strings.TrimSpace(s[i+2 : j])
		if strings.Contains(name, "{{") {
			return nil, fmt.Errorf("%q has {{ without }}", s)
		}
		if !varRE.MatchString(name) {
			return nil, fmt.Errorf("{{%s}}: write {{name}} with the name of a var", name)
		}
		names = append(names, name)
		s = s[j+2:]
	}
}

// truthy reads a yes/no value of a flow file.
func truthy(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes":
		return true
	}
	return false
}

// choices are the options of s as the engine renders them.
func choices(s *StepDef) []bot.Choice {
	if len(s.Options) == 0 {
		return nil
	}
	cs := make([]bot.Choice, len(s.Options))
	for i, o := range s.Options {
		cs[i] = bot.Choice{Payload: o.ID, Key: o.Key, Label: o.Label}
	}
	return cs
}

// options are the options of s for State.Options, so that "2" maps back to
// a payload. Label is the literal label or, before localisation, the key.
func options(s *StepDef) []bot.Option {
	if len(s.Options) == 0 {
		return nil
	}
	os := make([]bot.Option, len(s.Options))
	for i, o := range s.Options {
		label := o.Label
		if label == "" {
			label = o.Key
		}
		os[i] = bot.Option{Label: label, Payload: o.ID}
	}
	return os
}

// truncate keeps the first n runes of s.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
