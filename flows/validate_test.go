package flows

import (
	"errors"
	"strings"
	"testing"
)

// validator knows keys k.* in en and fr (k.fr_only only in fr), topics t.*
// and flows menu and handoff.
var validator = Validator{
	Langs: []string{"en", "fr"},
	HasKey: func(lang, key string) bool {
		if key == KeyInvalidChoice {
			return true
		}
		if key == "k.fr_only" {
			return lang == "fr"
		}
		return strings.HasPrefix(key, "k.")
	},
	Topics: func(id string) bool { return strings.HasPrefix(id, "t.") },
	Flows:  func(id string) bool { return id == "menu" || id == "handoff" },
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // "line: substring", one per expected problem
	}{
		{"valid", `
id: v
start: a
steps:
  a:
    say: k.a
    options:
      - {id: x, key: k.x, next: b}
      - {id: y, label: "Y", do: [answer: t.y, end]}
    on_text: invalid
  b:
    say: k.b
    wait: note
    next: c
  c:
    do: [handoff: {note: "{{note}}"}, start: menu]
`, nil},
		{"missing key", `
id: v
start: a
steps:
  a:
    say: [k.a, nokey, k.fr_only]
    do: [end]
`, []string{`6: message key "nokey" is missing in en, fr`, `6: message key "k.fr_only" is missing in en`}},
		{"bad targets", `
id: v
start: a
steps:
  a:
    say: k.a
    options:
      - {id: x, key: k.x, next: nowhere}
    on_text: elsewhere
`, []string{`8: step "a": next: there is no step "nowhere"`, `9: step "a": on_text: there is no step "elsewhere"`}},
		{"bad branch and start", `
id: v
start: missing
steps:
  a:
    branch: {on: input, cases: {x: b}, else: c}
  b:
    do: [end]
`, []string{`2: the start step "missing" does not exist`, `6: step "a": branch else: there is no step "c"`}},
		{"unreachable step", `
id: v
start: a
steps:
  a:
    do: [end]
  lost:
    say: k.lost
    do: [end]
`, []string{`7: step "lost": is never reached from the start step "a"`}},
		{"dead ends", `
id: v
start: a
steps:
  a:
    say: k.a
    next: b
  b:
    say: k.b
    options:
      - {id: x, key: k.x}
    on_text: search
`, []string{`11: step "b": option "x" is a dead end`}},
		{"step dead end", `
id: v
start: a
steps:
  a:
    say: k.a
`, []string{`5: step "a": is a dead end`}},
		{"options need on_text and unique ids", `
id: v
start: a
steps:
  a:
    say: k.a
    options:
      - {id: x, key: k.x, do: [end]}
      - {id: x, key: k.y, do: [end]}
      - {id: X, key: k.z, do: [end]}
`, []string{`5: step "a": offers options but does not say what free text does`, `9: step "a": option id "x" is used twice`, `10: step "a": option ids "x" and "X" differ only by case`}},
		{"unknown topic flow language var", `
id: v
start: a
steps:
  a:
    do:
      - answer: nope
      - set_lang: xx
      - search: "{{question}}"
      - start: nope
`, []string{`7: step "a": unknown topic "nope"`, `8: step "a": unknown language "xx"`, `9: {{question}} is never set`, `10: step "a": unknown flow "nope"`}},
		{"loop without pause", `
id: v
start: a
steps:
  a:
    say: k.a
    next: b
  b:
    branch: {on: input, cases: {x: a}, else: a}
`, []string{`5: steps a -> b -> a loop without waiting`}},
		{"contradictions", `
id: v
start: a
steps:
  a:
    say: k.a
    wait: w
    options:
      - {id: x, key: k.x, next: a}
    on_text: search
    do: [end]
`, []string{`cannot both offer options and wait`, `ends the flow before its options`}},
		{"long payload, unresolved same_as", `
id: v
start: a
steps:
  a:
    same_as: other/step
    say: k.a
    options:
      - {id: "` + strings.Repeat("p", 65) + `", key: k.x, do: [end]}
    on_text: search
`, []string{`6: step "a": same_as "other/step" is not resolved`, `9: step "a": option id "ppp`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse("v.yaml", []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			err = f.Validate(validator)
			var probs Problems
			if err != nil && !errors.As(err, &probs) {
				t.Fatalf("error is not Problems: %v", err)
			}
			if err == nil {
				if len(tt.want) > 0 {
					t.Fatalf("no problems, want %q", tt.want)
				}
				return
			}
			for _, w := range tt.want {
				if w[0] >= '0' && w[0] <= '9' {
					w = "v.yaml:" + w // a line number: check it
				}
				if !strings.Contains(err.Error(), w) {
					t.Errorf("missing problem %q in:\n%v", w, err)
				}
			}
			if len(probs) != len(tt.want) {
				t.Errorf("got %d problems, want %d:\n%v", len(probs), len(tt.want), err)
			}
		})
	}
}

func TestValidateLinesPointAtFile(t *testing.T) {
	f, err := Parse("flows/x.yaml", []byte("id: x\nstart: a\nsteps:\n  a:\n    say: k.a\n    next: b\n"))
	if err != nil {
		t.Fatal(err)
	}
	err = f.Validate(Validator{})
	if err == nil || err.Error() != `flows/x.yaml:6: step "a": next: there is no step "b"` {
		t.Errorf("err = %v", err)
	}
}
