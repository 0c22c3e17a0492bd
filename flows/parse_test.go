package flows

import (
	"errors"
	"io/fs"
	"strings"
	"testing"

	"github.com/passerelle-org/passerelle/bot"
)

func TestParseProblems(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // "line: substring"
	}{
		{"syntax error has a line", "id: x\nstart: a\n  steps: b\n", []string{"x.yaml:3: mapping values are not allowed"}},
		{"unclosed list", "id: x\nstart: a\nsteps:\n  a:\n    say: [k.a\n", []string{"x.yaml:4: did not find expected ',' or ']'"}},
		{"empty file", "", []string{"x.yaml: the file is empty"}},
		{"not a mapping", "- a\n- b\n", []string{"x.yaml:1: the flow must be a set of name: value lines"}},
		{"missing id start steps", "description: hi\n", []string{
			"x.yaml:1: the flow has no id", "x.yaml:1: the flow has no start step", "x.yaml:1: the flow has no steps"}},
		{"unknown fields", "id: x\nstart: a\nsteps:\n  a:\n    sya: k.a\n    options:\n      - {id: o, key: k.o, nxt: a}\n", []string{
			`x.yaml:5: step "a": unknown field "sya"`, `x.yaml:7: an option: unknown field "nxt"`}},
		{"duplicate step and field", "id: x\nstart: a\nsteps:\n  a:\n    say: k.a\n    say: k.b\n  a:\n    do: [end]\n", []string{
			`x.yaml:6: step "a": "say" appears twice`, `x.yaml:7: step "a" is defined twice`}},
		{"bad actions", "id: x\nstart: a\nsteps:\n  a:\n    do:\n      - end\n      - fly: away\n      - say\n      - {answer: t, end: }\n", []string{
			"x.yaml:6: end must be the last action", `x.yaml:7: unknown action "fly"`, "x.yaml:8: say needs a value",
			"x.yaml:9: an action is one word"}},
		{"bad template and names", "id: x y\nstart: a\nsteps:\n  a:\n    do:\n      - search: \"{{ oops\"\n      - handoff: {note: \"{{a b}}\"}\n", []string{
			`x.yaml:1: id "x y" must be one word`, `x.yaml:6: search: "{{ oops" has {{ without }}`, `x.yaml:7: handoff note: {{a b}}`}},
		{"option needs id and one label", "id: x\nstart: a\nsteps:\n  a:\n    options:\n      - {key: k.a, label: A}\n      - {id: b}\n", []string{
			"x.yaml:6: an option needs an id", `x.yaml:6: option "" has both a key and a label`, `x.yaml:7: option "b" needs a key`}},
		{"aliases refused", "id: x\nstart: a\nsteps:\n  a: &s\n    do: [end]\n  b: *s\n", []string{"x.yaml:6: anchors and aliases (*s) are not supported"}},
		{"reserved step name", "id: x\nstart: search\nsteps:\n  search:\n    do: [end]\n", []string{`x.yaml:4: "search" cannot be a step name`}},
		{"same_as missing local step", "id: x\nstart: a\nsteps:\n  a:\n    same_as: nope\n", []string{`x.yaml:4: step "a": same_as "nope": flow "x" has no step "nope"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse("x.yaml", []byte(tt.src))
			if err == nil {
				t.Fatalf("parsed %+v, want problems %q", f, tt.want)
			}
			var probs Problems
			if !errors.As(err, &probs) {
				t.Fatalf("error is not Problems: %v", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("missing %q in:\n%v", w, err)
				}
			}
		})
	}
}

func TestParseTopicShorthand(t *testing.T) {
	f, err := Parse("x.yaml", []byte("id: x\nstart: a\nsteps:\n  a:\n    say: k.a\n    options:\n      - topic: return.travel\n      - {topic: housing.115, label: \"115\", next: a}\n    on_text: search\n"))
	if err != nil {
		t.Fatal(err)
	}
	o := f.Steps["a"].Options
	if o[0].ID != "topic:return.travel" || o[0].Key != "topic.return.travel" || len(o[0].Do) != 2 ||
		o[0].Do[0].Kind != bot.ActAnswer || o[0].Do[0].Arg != "return.travel" || o[0].Do[1].Kind != bot.ActEnd {
		t.Errorf("shorthand = %+v", o[0])
	}
	if o[1].ID != "topic:housing.115" || o[1].Key != "" || o[1].Label != "115" || o[1].Do != nil || o[1].Next != "a" {
		t.Errorf("shorthand with overrides = %+v", o[1])
	}
}

func TestSameAsAcrossFlows(t *testing.T) {
	a, err := Parse("a.yaml", []byte("id: a\nstart: s\nsteps:\n  s:\n    same_as: b/ask\n    next: done\n  done:\n    do: [end]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Validate(Validator{}); err == nil || !strings.Contains(err.Error(), "not resolved") {
		t.Errorf("lone flow with same_as: err = %v", err)
	}
	b := mustParse(t, "id: b\nstart: ask\nsteps:\n  ask:\n    say: k.ask\n    options:\n      - {id: o, key: k.o}\n    save: v\n    next: fin\n    on_text: search\n  fin:\n    do: [end]\n")
	set, err := NewSet(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if err := set.Validate(Validator{}); err != nil {
		t.Fatal(err)
	}
	fa, _ := set.Get("a")
	s := fa.Steps["s"]
	if s.Next != "done" || s.OnText != OnTextSearch || s.Save != "v" || len(s.Options) != 1 || s.Say[0] != "k.ask" {
		t.Errorf("resolved step = %+v", s)
	}
	if a.Steps["s"].Options != nil {
		t.Error("NewSet modified the parsed flow")
	}
	if _, err := NewSet(a, b, b); err == nil || !strings.Contains(err.Error(), `flow "b" is also defined`) {
		t.Errorf("duplicate id: err = %v", err)
	}
}

func FuzzParse(f *testing.F) {
	entries, _ := fs.ReadDir(builtinFS, "builtin")
	for _, e := range entries {
		data, _ := fs.ReadFile(builtinFS, "builtin/"+e.Name())
		f.Add(data)
	}
	f.Add([]byte(testFlow))
	f.Add([]byte("id: x\nstart: a\nsteps:\n  a: &s\n    do: [end]\n  b: *s\n"))
	f.Add([]byte("id: x\nstart: a\nsteps: {a: {say: k, wait: v, next: a}}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fl, err := Parse("fuzz.yaml", data)
		if err != nil {
			return
		}
		if err := fl.Validate(Validator{}); err != nil {
			return
		}
		// A valid flow runs without panicking, whatever the input.
		st, _, err := Start(fl, bot.State{})
		for _, in := range []bot.FlowInput{{Text: "x"}, {Payload: "lang:fr"}, {}, {Text: "{{input}}"}} {
			if err != nil || st.Flow == "" {
				return
			}
			st, _, err = Step(fl, st, in)
		}
	})
}
