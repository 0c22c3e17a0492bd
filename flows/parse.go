package flows

import (
	"fmt"
	"regexp"

	"gopkg.in/yaml.v3"

	"github.com/passerelle-org/passerelle/bot"
)

var (
	nameRE = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`) // flow ids, step names
	varRE  = regexp.MustCompile(`^[A-Za-z0-9_]+$`)   // var names
)

// Parse reads one flow file. name is the file name used in messages. It
// reports every problem of form it finds (unknown fields, wrong shapes,
// missing ids), each with its line, as Problems; Validate checks the rest.
// A same_as naming another flow stays unresolved until the flow joins a Set.
func Parse(name string, data []byte) (*Flow, error) {
	pl := &problemList{file: name}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		pl.addYAMLError(err)
		return nil, pl.err()
	}
	p := &parser{pl: pl}
	f := p.flow(&doc)
	f.File = name
	if err := pl.err(); err != nil {
		return nil, err
	}
	f = resolve(f, func(id string) *Flow {
		if id == f.ID {
			return f
		}
		return nil
	}, pl)
	if err := pl.err(); err != nil {
		return nil, err
	}
	return f, nil
}

// parser walks the YAML nodes of one file, recording problems.
type parser struct{ pl *problemList }

func (p *parser) flow(doc *yaml.Node) *Flow {
	f := &Flow{Steps: map[string]*StepDef{}}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		p.pl.add(0, "the file is empty: a flow needs id, start and steps")
		return f
	}
	root := doc.Content[0]
	m := p.mapping(root, "the flow", "id", "description", "start", "steps")
	if m == nil {
		return f
	}
	if n := m["id"]; n != nil {
		f.ID, f.Line = p.name(n, "id"), n.Line
	} else {
		p.pl.add(root.Line, "the flow has no id")
	}
	if n := m["description"]; n != nil {
		f.Description = p.scalar(n, "description")
	}
	if n := m["start"]; n != nil {
		f.Start = p.name(n, "start")
	} else {
		p.pl.add(root.Line, "the flow has no start step")
	}
	n := m["steps"]
	if n == nil {
		p.pl.add(root.Line, "the flow has no steps")
		return f
	}
	if !p.usable(n) {
		return f
	}
	if n.Kind != yaml.MappingNode || len(n.Content) == 0 {
		p.pl.add(n.Line, "steps must list named steps (name: then the step's fields)")
		return f
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		name := p.name(k, "step name")
		if name == "" {
			continue
		}
		if _, dup := f.Steps[name]; dup {
			p.pl.add(k.Line, "step %q is defined twice", name)
			continue
		}
		if name == OnTextSearch || name == OnTextInvalid {
			p.pl.add(k.Line, "%q cannot be a step name: on_text uses it", name)
		}
		f.Steps[name] = p.step(name, k.Line, v)
		f.Order = append(f.Order, name)
	}
	return f
}

func (p *parser) step(name string, line int, n *yaml.Node) *StepDef {
	s := &StepDef{Name: name, Line: line}
	what := fmt.Sprintf("step %q", name)
	m := p.mapping(n, what, "say", "do", "options", "save", "on_text", "wait", "next", "branch", "same_as")
	if m == nil {
		return s
	}
	s.lines = make(map[string]int, len(m))
	for k, v := range m {
		s.lines[k] = v.Line
	}
	if v := m["same_as"]; v != nil {
		s.SameAs = p.scalar(v, "same_as")
		if s.SameAs == "" {
			p.pl.add(v.Line, "same_as needs a step name, or flow/step")
		}
	}
	if v := m["say"]; v != nil {
		s.Say, s.sayLines = p.keys(v, "say")
	}
	if v := m["do"]; v != nil {
		s.Do = p.acts(v)
	}
	if v := m["options"]; v != nil && p.usable(v) {
		if v.Kind != yaml.SequenceNode || len(v.Content) == 0 {
			p.pl.add(v.Line, "options must be a list of options (lines starting with -)")
		} else {
			for _, o := range v.Content {
				s.Options = append(s.Options, p.option(o))
			}
		}
	}
	if v := m["save"]; v != nil {
		s.Save = p.varName(v, "save")
	}
	if v := m["on_text"]; v != nil {
		s.OnText = p.name(v, "on_text")
	}
	if v := m["wait"]; v != nil {
		s.Wait = p.varName(v, "wait")
	}
	if v := m["next"]; v != nil {
		s.Next = p.name(v, "next")
	}
	if v := m["branch"]; v != nil {
		s.Branch = p.branch(v)
	}
	return s
}

func (p *parser) option(n *yaml.Node) Option {
	o := Option{Line: n.Line}
	m := p.mapping(n, "an option", "id", "topic", "key", "label", "value", "set", "next", "do")
	if m == nil {
		return o
	}
	for _, fd := range []struct {
		name string
		dst  *string
	}{{"id", &o.ID}, {"key", &o.Key}, {"label", &o.Label}, {"value", &o.Value}} {
		if v := m[fd.name]; v != nil {
			*fd.dst = p.scalar(v, fd.name)
		}
	}
	if v := m["next"]; v != nil {
		o.Next = p.name(v, "next")
	}
	if v := m["do"]; v != nil {
		o.Do = p.acts(v)
	}
	if v := m["set"]; v != nil && p.usable(v) {
		if v.Kind != yaml.MappingNode {
			p.pl.add(v.Line, "set must list name: value lines")
		} else {
			o.Set = map[string]string{}
			for i := 0; i+1 < len(v.Content); i += 2 {
				if k := p.varName(v.Content[i], "a var name"); k != "" {
					o.Set[k] = p.scalar(v.Content[i+1], "a var value")
				}
			}
		}
	}
	if v := m["topic"]; v != nil {
		// Shorthand: "topic: X" is an option labelled topic.X that answers
		// topic X and ends the flow.
		t := p.scalar(v, "topic")
		if o.ID == "" {
			o.ID = "topic:" + t
		}
		if o.Key == "" && o.Label == "" {
			o.Key = "topic." + t
		}
		if o.Next == "" && o.Do == nil {
			o.Do = []Act{{Kind: bot.ActAnswer, Arg: t, Line: v.Line}, {Kind: bot.ActEnd, Line: v.Line}}
		}
	}
	if o.ID == "" {
		p.pl.add(o.Line, "an option needs an id (what comes back when it is chosen)")
	}
	switch {
	case o.Key == "" && o.Label == "":
		p.pl.add(o.Line, "option %q needs a key (a message key) or a label (literal text)", o.ID)
	case o.Key != "" && o.Label != "":
		p.pl.add(o.Line, "option %q has both a key and a label: keep one", o.ID)
	}
	return o
}

func (p *parser) branch(n *yaml.Node) *Branch {
	b := &Branch{Line: n.Line}
	m := p.mapping(n, "branch", "on", "cases", "else")
	if m == nil {
		return b
	}
	if v := m["on"]; v != nil {
		b.On = p.varName(v, "on")
	} else {
		p.pl.add(n.Line, "branch needs on: the var to look at")
	}
	if v := m["else"]; v != nil {
		b.Else = p.name(v, "else")
	} else {
		p.pl.add(n.Line, "branch needs else: the step when no case matches")
	}
	if v := m["cases"]; v != nil && p.usable(v) {
		if v.Kind != yaml.MappingNode {
			p.pl.add(v.Line, "cases must list value: step lines")
			return b
		}
		for i := 0; i+1 < len(v.Content); i += 2 {
			b.Cases = append(b.Cases, Case{
				Value: p.scalar(v.Content[i], "a case value"),
				Next:  p.name(v.Content[i+1], "a case step"),
			})
		}
	}
	return b
}

// acts reads a list of actions: "- end", "- answer: topic", "- handoff: {...}".
func (p *parser) acts(n *yaml.Node) []Act {
	if !p.usable(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		p.pl.add(n.Line, "do must be a list of actions (lines starting with -)")
		return nil
	}
	acts := make([]Act, 0, len(n.Content))
	for i, item := range n.Content {
		a, ok := p.act(item)
		if !ok {
			continue
		}
		if a.ends() && i < len(n.Content)-1 {
			p.pl.add(item.Line, "%s must be the last action: nothing runs after it", actWord(a.Kind))
		}
		acts = append(acts, a)
	}
	return acts
}

func (p *parser) act(n *yaml.Node) (Act, bool) {
	a := Act{Line: n.Line}
	if !p.usable(n) {
		return a, false
	}
	var word string
	var arg *yaml.Node
	switch {
	case n.Kind == yaml.ScalarNode:
		word = n.Value
	case n.Kind == yaml.MappingNode && len(n.Content) == 2:
		word, arg = n.Content[0].Value, n.Content[1]
		if !p.usable(arg) {
			return a, false
		}
	default:
		p.pl.add(n.Line, "an action is one word (end) or one name: value (answer: return.overview)")
		return a, false
	}
	kind, ok := actKinds[word]
	if !ok {
		p.pl.add(n.Line, "unknown action %q (known: say, answer, search, handoff, set_lang, start, end)", word)
		return a, false
	}
	a.Kind = kind
	switch kind {
	case bot.ActEnd:
		if arg != nil && arg.Tag != "!!null" {
			p.pl.add(n.Line, "end takes no value")
		}
	case bot.ActHandoff:
		if arg != nil && arg.Tag != "!!null" {
			m := p.mapping(arg, "handoff", "urgent", "reason", "note")
			for _, fd := range []struct {
				name string
				dst  *string
			}{{"urgent", &a.Urgent}, {"reason", &a.Reason}, {"note", &a.Note}} {
				if v := m[fd.name]; v != nil {
					*fd.dst = p.template(v, "handoff "+fd.name)
				}
			}
		}
	default:
		if arg == nil {
			p.pl.add(n.Line, "%s needs a value (%s: ...)", word, word)
			return a, false
		}
		switch kind {
		case bot.ActSay, bot.ActStartFlow:
			a.Arg = p.name(arg, word)
		default:
			a.Arg = p.template(arg, word)
		}
		if a.Arg == "" {
			return a, false
		}
	}
	return a, true
}

var actKinds = map[string]bot.ActionKind{
	"say": bot.ActSay, "answer": bot.ActAnswer, "search": bot.ActSearch, "handoff": bot.ActHandoff,
	"set_lang": bot.ActSetLang, "start": bot.ActStartFlow, "end": bot.ActEnd,
}

// actWord is the word a flow file uses for an action kind.
func actWord(k bot.ActionKind) string {
	if k == bot.ActStartFlow {
		return "start"
	}
	return string(k)
}
