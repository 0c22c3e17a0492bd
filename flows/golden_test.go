package flows

import (
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/passerelle-org/passerelle/bot"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// conversations are scripted runs of the built-in flows. Each input is
// "button PAYLOAD" (a button or a number the engine mapped back) or
// "text WORDS" (free text).
var conversations = []struct {
	name   string
	flow   string
	inputs []string
}{
	{"welcome_choose_french", "welcome", []string{"button lang:fr", "button menu:rights", "button topic:rights.asylum.apply"}},
	{"welcome_question_first", "welcome", []string{"text je veux rentrer chez moi, c'est possible ?"}},
	{"welcome_typed_payload", "welcome", []string{"text  LANG:TI "}},
	{"language_change", "language", []string{"button lang:ar"}},
	{"menu_submenu_back", "menu", []string{"button menu:return", "button menu:back", "button menu:health_shelter", "button topic:housing.115"}},
	{"menu_emergency", "menu", []string{"button menu:emergency"}},
	{"menu_question_in_submenu", "menu", []string{"button menu:reintegration", "text how much money for a business"}},
	{"menu_to_language", "menu", []string{"button menu:language", "button lang:uk"}},
	{"menu_person_urgent", "menu", []string{"button menu:person", "text yes", "button consent:yes", "text My boss keeps my passport", "text tomorrow", "button urgent:yes"}},
	{"handoff_not_urgent", "handoff", []string{"button consent:yes", "button consent:no", "text I want to know about help for my business", "button urgent:no"}},
	{"handoff_declined", "handoff", []string{"button consent:no"}},
}

func TestGoldenConversations(t *testing.T) {
	set, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range conversations {
		t.Run(c.name, func(t *testing.T) {
			var b strings.Builder
			fmt.Fprintf(&b, "> start %s\n", c.flow)
			st, acts, err := set.Start(c.flow, bot.State{LastTopic: "kept"})
			writeTurn(&b, st, acts, err)
			for _, in := range c.inputs {
				kind, arg, _ := strings.Cut(in, " ")
				var fi bot.FlowInput
				switch kind {
				case "button":
					fi.Payload = arg
				case "text":
					fi.Text = arg
				default:
					t.Fatalf("bad input %q", in)
				}
				fmt.Fprintf(&b, "\n> %s %q\n", kind, arg)
				if st.Flow == "" {
					b.WriteString("  (no flow is active: the engine handles this input)\n")
					continue
				}
				st, acts, err = set.Step(st, fi)
				writeTurn(&b, st, acts, err)
			}
			checkGolden(t, filepath.Join("testdata", c.name+".golden"), b.String())
		})
	}
}

// writeTurn prints the actions of one turn and the state they leave.
func writeTurn(b *strings.Builder, st bot.State, acts []bot.Action, err error) {
	if err != nil {
		fmt.Fprintf(b, "  error: %v\n", err)
		return
	}
	for _, a := range acts {
		b.WriteString("  " + formatAction(a) + "\n")
		for i, c := range a.Choices {
			label := c.Label
			if label == "" {
				label = "(" + c.Key + ")"
			} else {
				label = fmt.Sprintf("%q", label)
			}
			fmt.Fprintf(b, "     %2d. %-40s %s\n", i+1, c.Payload, label)
		}
	}
	if st.Flow == "" {
		b.WriteString("  = no flow")
	} else {
		fmt.Fprintf(b, "  = at %s/%s", st.Flow, st.Step)
	}
	for _, k := range slices.Sorted(maps.Keys(st.Vars)) {
		fmt.Fprintf(b, " %s=%q", k, st.Vars[k])
	}
	if st.LastTopic != "kept" {
		b.WriteString(" (LastTopic changed!)")
	}
	b.WriteString("\n")
}

func formatAction(a bot.Action) string {
	switch a.Kind {
	case bot.ActSay:
		return "say " + a.Key
	case bot.ActAnswer:
		return "answer " + a.Topic
	case bot.ActSearch:
		return fmt.Sprintf("search %q", a.Query)
	case bot.ActHandoff:
		return fmt.Sprintf("handoff urgent=%t reason=%s note=%q", a.Urgent, a.Reason, a.Note)
	case bot.ActSetLang:
		return "set_lang " + a.Lang
	case bot.ActStartFlow:
		return "start_flow " + a.Flow
	case bot.ActEnd:
		return "end"
	}
	return fmt.Sprintf("%+v", a)
}

// checkGolden compares got with the golden file, or rewrites it with -update.
func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./flows -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs (go test ./flows -update rewrites it after review)\n--- want\n%s\n--- got\n%s", path, want, got)
	}
}
