package control

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/passerelle-org/passerelle/knowledge"
)

var update = flag.Bool("update", false, "rewrite WORDS.md from words.yaml")

// langNames names the languages in WORDS.md.
var langNames = map[string]string{
	"en": "English", "fr": "French", "ar": "Arabic", "fa": "Dari/Farsi", "ps": "Pashto", "ur": "Urdu",
	"ckb": "Sorani Kurdish", "ti": "Tigrinya", "am": "Amharic", "so": "Somali", "vi": "Vietnamese",
	"hi": "Hindi", "pa": "Punjabi", "uk": "Ukrainian", "sq": "Albanian", "ka": "Georgian",
}

// wordsDoc renders WORDS.md from words.yaml.
func wordsDoc(tb *table) []byte {
	var b bytes.Buffer
	b.WriteString(`# Control words

Generated from ` + "`words.yaml`" + ` by ` + "`go test ./locales/control -run TestWordsDoc -update`" + `;
edit the YAML, not this file.

The word to show users for each intent ("write MENU to see the menu"). Message files
should use exactly these words. A message is a control word only when the whole
message is one (case, punctuation, emoji and accents do not matter). English and
French words, and the SMS keywords STOP, START, HELP, work in every conversation.

`)
	b.WriteString("| language |")
	for _, in := range Intents() {
		fmt.Fprintf(&b, " %s |", in)
	}
	b.WriteString("\n|---|")
	b.WriteString(strings.Repeat("---|", len(Intents())))
	b.WriteString("\n")
	for _, lang := range knowledge.Languages() {
		fmt.Fprintf(&b, "| %s (%s) |", langNames[lang], lang)
		for _, in := range Intents() {
			fmt.Fprintf(&b, " %s |", tb.lists[in][lang][0])
		}
		b.WriteString("\n")
	}
	b.WriteString("\n## Also accepted\n\nOther words and short phrases each language accepts, by intent.\n")
	for _, in := range Intents() {
		fmt.Fprintf(&b, "\n### %s\n\n", in)
		for _, lang := range tb.langs[in] {
			others, name := tb.lists[in][lang][1:], langNames[lang]
			if lang == all {
				others, name = tb.lists[in][lang], "any language"
			}
			if len(others) > 0 {
				fmt.Fprintf(&b, "- %s: %s\n", name, strings.Join(others, ", "))
			}
		}
	}
	return b.Bytes()
}

func TestWordsDoc(t *testing.T) {
	got := wordsDoc(words())
	if *update {
		if err := os.WriteFile("WORDS.md", got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile("WORDS.md")
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("WORDS.md is out of date with words.yaml: run go test ./locales/control -run TestWordsDoc -update")
	}
}
