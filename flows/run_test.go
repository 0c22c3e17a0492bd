package flows

import (
	"errors"
	"maps"
	"reflect"
	"strings"
	"testing"

	"github.com/passerelle-org/passerelle/bot"
)

// testFlow exercises every kind of step.
const testFlow = `
id: t
start: ask
steps:
  ask:
    say: [a.intro, a.ask]
    options:
      - {id: "pick:one", key: a.one, next: name}
      - {id: "pick:two", label: "Deux", value: "2"}
      - {id: "pick:three", key: a.three, set: {colour: blue}, do: [answer: topic.x, end]}
      - {id: "pick:other", key: a.other, do: [start: other]}
    save: picked
    next: check
    on_text: free
  free:
    do:
      - search: "about {{input}}"
      - end
  name:
    say: a.name
    wait: name
    next: check
  check:
    branch:
      on: picked
      cases: {"2": two, "pick:one": done}
      else: done
  two:
    say: a.two
    options:
      - {id: back, key: a.back, next: ask}
    on_text: search
  done:
    do:
      - handoff: {urgent: "{{picked}}", note: "{{name}}"}
      - say: a.bye
      - end
`

func mustParse(t *testing.T, src string) *Flow {
	t.Helper()
	f, err := Parse("test.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Validate(Validator{}); err != nil {
		t.Fatal(err)
	}
	return f
}

func say(key string, choices ...bot.Choice) bot.Action {
	return bot.Action{Kind: bot.ActSay, Key: key, Choices: choices}
}

var (
	end        = bot.Action{Kind: bot.ActEnd}
	twoChoices = []bot.Choice{{Payload: "back", Key: "a.back"}}
)

func TestStep(t *testing.T) {
	f := mustParse(t, testFlow)
	askChoices := choices(f.Steps["ask"])
	at := func(step string, vars map[string]string) bot.State {
		return bot.State{Flow: "t", Step: step, Vars: vars, LastTopic: "kept"}
	}
	tests := []struct {
		name     string
		st       bot.State
		in       bot.FlowInput
		wantFlow string
		wantStep string
		wantVars map[string]string
		want     []bot.Action
	}{
		{"payload to wait step", at("ask", nil), bot.FlowInput{Payload: "pick:one"},
			"t", "name", map[string]string{"picked": "pick:one"}, []bot.Action{say("a.name")}},
		{"text equal to payload, any case", at("ask", nil), bot.FlowInput{Text: "  PICK:One "},
			"t", "name", map[string]string{"picked": "pick:one"}, []bot.Action{say("a.name")}},
		{"step default next, value saved, branch", at("ask", nil), bot.FlowInput{Payload: "pick:two"},
			"t", "two", map[string]string{"picked": "2"}, []bot.Action{say("a.two", twoChoices...)}},
		{"option do ends, set var", at("ask", nil), bot.FlowInput{Payload: "pick:three"},
			"", "", nil, []bot.Action{{Kind: bot.ActAnswer, Topic: "topic.x"}, end}},
		{"option starts flow", at("ask", nil), bot.FlowInput{Payload: "pick:other"},
			"", "", nil, []bot.Action{{Kind: bot.ActStartFlow, Flow: "other"}}},
		{"free text to on_text step", at("ask", nil), bot.FlowInput{Text: " visas "},
			"", "", nil, []bot.Action{{Kind: bot.ActSearch, Query: "about visas"}, end}},
		{"unknown payload, no text: re-offer", at("ask", nil), bot.FlowInput{Payload: "menu:old"},
			"t", "ask", nil, []bot.Action{say(KeyInvalidChoice, askChoices...)}},
		{"empty input: re-offer", at("ask", nil), bot.FlowInput{Text: "   "},
			"t", "ask", nil, []bot.Action{say(KeyInvalidChoice, askChoices...)}},
		{"on_text search ends", at("two", map[string]string{"picked": "2"}), bot.FlowInput{Text: "what is AME"},
			"", "", nil, []bot.Action{{Kind: bot.ActSearch, Query: "what is AME"}, end}},
		{"wait stores text then handoff", at("name", map[string]string{"picked": "pick:one"}), bot.FlowInput{Text: " Amina "},
			"", "", nil, []bot.Action{{Kind: bot.ActHandoff, Reason: "person", Note: "Amina"}, say("a.bye"), end}},
		{"wait without text asks again", at("name", map[string]string{"picked": "pick:one"}), bot.FlowInput{Payload: "pick:one"},
			"t", "name", map[string]string{"picked": "pick:one"}, []bot.Action{say("a.name")}},
		{"back loops to the start step", at("two", map[string]string{"picked": "2"}), bot.FlowInput{Payload: "back"},
			"t", "ask", map[string]string{"picked": "2"}, []bot.Action{say("a.intro"), say("a.ask", askChoices...)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := maps.Clone(tt.st.Vars)
			st, acts, err := Step(f, tt.st, tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if st.Flow != tt.wantFlow || st.Step != tt.wantStep {
				t.Errorf("position = %q/%q, want %q/%q", st.Flow, st.Step, tt.wantFlow, tt.wantStep)
			}
			if len(st.Vars) > 0 || len(tt.wantVars) > 0 {
				if !reflect.DeepEqual(st.Vars, tt.wantVars) {
					t.Errorf("vars = %v, want %v", st.Vars, tt.wantVars)
				}
			}
			if !reflect.DeepEqual(acts, tt.want) {
				t.Errorf("actions:\n got %+v\nwant %+v", acts, tt.want)
			}
			if st.LastTopic != "kept" {
				t.Errorf("LastTopic changed to %q", st.LastTopic)
			}
			if s := f.Steps[st.Step]; (s != nil && len(s.Options) > 0) != (st.Options != nil) {
				t.Errorf("State.Options = %v at step %q", st.Options, st.Step)
			}
			if !reflect.DeepEqual(tt.st.Vars, before) {
				t.Errorf("Step changed the caller's vars: %v", tt.st.Vars)
			}
		})
	}
}

func TestStartAndOptionsState(t *testing.T) {
	f := mustParse(t, testFlow)
	st, acts, err := Start(f, bot.State{Flow: "old", Step: "x", Vars: map[string]string{"stale": "1"}})
	if err != nil {
		t.Fatal(err)
	}
	if st.Flow != "t" || st.Step != "ask" || st.Vars != nil {
		t.Errorf("state = %+v", st)
	}
	if len(acts) != 2 || acts[0].Choices != nil || len(acts[1].Choices) != 4 {
		t.Errorf("choices go with the last say only: %+v", acts)
	}
	want := []bot.Option{{Label: "a.one", Payload: "pick:one"}, {Label: "Deux", Payload: "pick:two"},
		{Label: "a.three", Payload: "pick:three"}, {Label: "a.other", Payload: "pick:other"}}
	if !reflect.DeepEqual(st.Options, want) {
		t.Errorf("State.Options = %+v", st.Options)
	}
}

func TestStepErrors(t *testing.T) {
	f := mustParse(t, testFlow)
	set, err := NewSet(f)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		st   bot.State
		run  func(bot.State) error
		want error
	}{
		{"other flow's state", bot.State{Flow: "menu", Step: "main"},
			func(st bot.State) error { _, _, err := Step(f, st, bot.FlowInput{}); return err }, ErrStale},
		{"step removed since", bot.State{Flow: "t", Step: "gone"},
			func(st bot.State) error { _, _, err := Step(f, st, bot.FlowInput{}); return err }, ErrStale},
		{"step that does not wait", bot.State{Flow: "t", Step: "check"},
			func(st bot.State) error { _, _, err := Step(f, st, bot.FlowInput{}); return err }, ErrStale},
		{"set: unknown flow", bot.State{Flow: "nope", Step: "x"},
			func(st bot.State) error { _, _, err := set.Step(st, bot.FlowInput{}); return err }, ErrNotFound},
		{"set: start unknown flow", bot.State{},
			func(st bot.State) error { _, _, err := set.Start("nope", st); return err }, ErrNotFound},
		{"set: started flow missing", bot.State{Flow: "t", Step: "ask"},
			func(st bot.State) error {
				_, _, err := set.Step(st, bot.FlowInput{Payload: "pick:other"})
				return err
			}, ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.run(tt.st); !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestSetFollowsStart(t *testing.T) {
	a := mustParse(t, "id: a\nstart: s\nsteps:\n  s:\n    say: x.a\n    do: [start: b]\n")
	b := mustParse(t, "id: b\nstart: s\nsteps:\n  s:\n    say: x.b\n    wait: v\n    next: e\n  e:\n    do: [end]\n")
	set, err := NewSet(a, b)
	if err != nil {
		t.Fatal(err)
	}
	st, acts, err := set.Start("a", bot.State{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Flow != "b" || st.Step != "s" || !reflect.DeepEqual(acts, []bot.Action{say("x.a"), say("x.b")}) {
		t.Errorf("state %+v actions %+v", st, acts)
	}
	loop := mustParse(t, "id: l\nstart: s\nsteps:\n  s:\n    do: [start: l]\n")
	set, _ = NewSet(loop)
	if _, _, err := set.Start("l", bot.State{}); !errors.Is(err, ErrBroken) {
		t.Errorf("flow starting itself forever: err = %v", err)
	}
}

func TestLongWaitTextIsCut(t *testing.T) {
	f := mustParse(t, testFlow)
	// The flow ends with the handoff: the note it carries is the cut text.
	_, acts, err := Step(f, bot.State{Flow: "t", Step: "name"}, bot.FlowInput{Text: strings.Repeat("é", MaxVarLen+50)})
	if err != nil {
		t.Fatal(err)
	}
	if n := len([]rune(acts[0].Note)); n != MaxVarLen {
		t.Errorf("note has %d runes, want %d", n, MaxVarLen)
	}
}
