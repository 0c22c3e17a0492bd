package flows

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/passerelle-org/passerelle/bot"
)

// The project's data files, read directly: flows imports no other package
// of the project.
const (
	languagesFile = "../locales/languages.yaml"
	messagesDir   = "../locales/messages"
	topicsFile    = "../knowledge/topics.yaml"
)

type language struct {
	Code   string `yaml:"code"`
	Native string `yaml:"native"`
}

func readYAML(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func languages(t *testing.T) []language {
	var doc struct{ Languages []language }
	readYAML(t, languagesFile, &doc)
	if len(doc.Languages) != 16 {
		t.Fatalf("%s lists %d languages, want 16", languagesFile, len(doc.Languages))
	}
	return doc.Languages
}

// projectValidator checks keys against the message files that exist so far,
// topics against knowledge/topics.yaml.
func projectValidator(t *testing.T) Validator {
	messages := map[string]map[string]any{}
	var langs, missing []string
	for _, l := range languages(t) {
		path := filepath.Join(messagesDir, l.Code+".yaml")
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			missing = append(missing, l.Code)
			continue
		}
		m := map[string]any{}
		readYAML(t, path, &m)
		messages[l.Code] = m
		langs = append(langs, l.Code)
	}
	if len(missing) > 0 {
		t.Logf("no message file yet for %s: their keys are not checked", strings.Join(missing, ", "))
	}
	if messages["en"] == nil {
		t.Fatal("no English message file")
	}
	var doc struct {
		Topics []struct{ ID string }
	}
	readYAML(t, topicsFile, &doc)
	topics := map[string]bool{}
	for _, tp := range doc.Topics {
		topics[tp.ID] = true
	}
	return Validator{
		Langs:  langs,
		HasKey: func(lang, key string) bool { _, ok := messages[lang][key]; return ok },
		Topics: func(id string) bool { return topics[id] },
	}
}

func TestBuiltinValidates(t *testing.T) {
	set, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(set.IDs(), " "); got != "handoff language menu welcome" {
		t.Errorf("built-in ids = %s", got)
	}
	if err := set.Validate(projectValidator(t)); err != nil {
		t.Errorf("built-in flows:\n%v", err)
	}
	if err := CheckFiles(nil, projectValidator(t)); err != nil {
		t.Errorf("CheckFiles(nil):\n%v", err)
	}
}

// TestLanguageChoice: one option per language, in the catalogue's order,
// labelled with its own name, payload lang:<code>, in both flows that ask.
func TestLanguageChoice(t *testing.T) {
	set, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	langs := languages(t)
	for _, id := range []string{"welcome", "language"} {
		f, _ := set.Get(id)
		s := f.Steps["choose"]
		if len(s.Options) != len(langs) || s.OnText != OnTextSearch {
			t.Fatalf("%s: %d options, on_text %q", id, len(s.Options), s.OnText)
		}
		for i, l := range langs {
			o := s.Options[i]
			if o.ID != "lang:"+l.Code || o.Label != l.Native || o.value() != l.Code {
				t.Errorf("%s option %d = %+v, want lang:%s %q", id, i+1, o, l.Code, l.Native)
			}
		}
		for _, l := range langs {
			st, _, err := set.Start(id, bot.State{})
			if err == nil {
				_, acts, err := set.Step(st, bot.FlowInput{Payload: "lang:" + l.Code})
				if err != nil || acts[0].Kind != bot.ActSetLang || acts[0].Lang != l.Code {
					t.Errorf("%s: choosing %s gave %+v, %v", id, l.Code, acts, err)
				}
			}
		}
	}
}

// TestMenuShape: each submenu offers 4-7 topics and a way back.
func TestMenuShape(t *testing.T) {
	set, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	menu, _ := set.Get("menu")
	for _, name := range []string{"return", "reintegration", "rights", "health_shelter"} {
		s := menu.Steps[name]
		topics := 0
		for _, o := range s.Options {
			if strings.HasPrefix(o.ID, "topic:") {
				topics++
			}
		}
		last := s.Options[len(s.Options)-1]
		if topics < 4 || topics > 7 || last.Key != "menu.back" || last.Next != "main" || s.OnText != OnTextSearch {
			t.Errorf("submenu %s: %d topics, last option %+v, on_text %q", name, topics, last, s.OnText)
		}
	}
}

func TestCheckFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("extra.yaml", "id: extra\nstart: a\nsteps:\n  a:\n    same_as: language/choose\n    next: b\n  b:\n    do: [start: menu]\n")
	if err := CheckFiles([]string{good}, projectValidator(t)); err != nil {
		t.Errorf("file using built-ins: %v", err)
	}
	// A file replacing a built-in is checked in its place.
	menu := write("menu.yaml", "id: menu\nstart: a\nsteps:\n  a:\n    say: menu.nokey\n    next: b\n")
	err := CheckFiles([]string{menu, good}, projectValidator(t))
	for _, want := range []string{menu + `:5: message key "menu.nokey" is missing in en`, menu + `:6: step "a": next: there is no step "b"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in %v", want, err)
		}
	}
	if err := CheckFiles([]string{dir, filepath.Join(dir, "nope.yaml")}, Validator{}); err == nil ||
		!strings.Contains(err.Error(), "nope.yaml") {
		t.Errorf("missing file: %v", err)
	}
}

// TestDocExample keeps the example of doc.go a valid flow.
func TestDocExample(t *testing.T) {
	data, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := strings.Cut(string(data), "// # A flow file\n//\n")
	example, _, _ := strings.Cut(rest, "\n//\n// # Steps")
	var b strings.Builder
	for _, line := range strings.Split(example, "\n") {
		line = strings.TrimPrefix(strings.TrimPrefix(line, "//"), "\t")
		b.WriteString(line + "\n")
	}
	f, err := Parse("doc.go example", []byte(b.String()))
	if err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	if err := f.Validate(projectValidator(t)); err != nil {
		t.Error(err)
	}
	if len(f.Steps) != 4 {
		t.Errorf("example has %d steps", len(f.Steps))
	}
}
