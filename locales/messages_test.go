package locales

import (
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"gopkg.in/yaml.v3"
)

// rawMessages returns every embedded messages file, decoded, by language code.
func rawMessages(t *testing.T) map[string]map[string]string {
	t.Helper()
	names, err := fs.Glob(embedded, "messages/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string]map[string]string, len(names))
	for _, name := range names {
		buf, err := fs.ReadFile(embedded, name)
		if err != nil {
			t.Fatal(err)
		}
		msgs, err := parseMessages(buf)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[strings.TrimSuffix(strings.TrimPrefix(name, "messages/"), ".yaml")] = msgs
	}
	return out
}

var templateValue = regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)

// templateValues returns the sorted, distinct template values ({{.Days}} → "Days") of s.
func templateValues(s string) []string {
	var vals []string
	for _, m := range templateValue.FindAllStringSubmatch(s, -1) {
		vals = append(vals, m[1])
	}
	slices.Sort(vals)
	return slices.Compact(vals)
}

// sampleData has a value for every template value en.yaml uses.
var sampleData = map[string]any{"Days": 30, "Language": "English", "Sources": "OFII", "Date": "2025-01-31", "When": "24/11 09:00", "Zone": "Europe/Paris",
	"Total": 12, "Page": 2, "Pages": 5, "Name": "Amanuel", "Code": "ti", "Email": "cw@example.org",
	"Topics": "return.allowance", "Left": "22h0m0s"}

// TestEveryLanguageHasEveryMessage fails when a language of languages.yaml has no messages
// file, lacks a key of en.yaml, has a key en.yaml lacks, has an empty message, drops or renames
// a template value, or has a template that does not render.
func TestEveryLanguageHasEveryMessage(t *testing.T) {
	c := mustLoad(t)
	raw := rawMessages(t)
	src := raw[SourceLang]
	for _, v := range src {
		for _, name := range templateValues(v) {
			if _, ok := sampleData[name]; !ok {
				t.Fatalf("en.yaml uses {{.%s}}: add it to sampleData", name)
			}
		}
	}
	var missing []string
	for _, code := range c.Codes() {
		msgs, ok := raw[code]
		if !ok {
			missing = append(missing, code)
			continue
		}
		p := c.Printer(code)
		for _, key := range c.Keys() {
			v, ok := msgs[key]
			switch {
			case !ok:
				t.Errorf("%s: missing key %s", code, key)
				continue
			case strings.TrimSpace(v) == "":
				t.Errorf("%s: %s is empty", code, key)
				continue
			}
			if want, got := templateValues(src[key]), templateValues(v); !slices.Equal(want, got) {
				t.Errorf("%s: %s has template values %v, en.yaml has %v", code, key, got, want)
			}
			out, err := c.render(p.loc, code, key, sampleData)
			if err != nil {
				t.Errorf("%s: %s does not render: %v", code, key, err)
			} else if strings.Contains(out, "{{") || strings.Contains(out, "<no value>") {
				t.Errorf("%s: %s renders as %q", code, key, out)
			}
		}
		for key := range msgs {
			if _, ok := src[key]; !ok {
				t.Errorf("%s: key %s is not in en.yaml (renamed or misspelt?)", code, key)
			}
		}
	}
	if len(missing) > 0 {
		t.Errorf("languages with no messages file (served in English): %s", strings.Join(missing, ", "))
	}
}

// TestNumbersStayDialable checks that every number of en.yaml (17, 112, 3919...) appears in
// each translation in Western digits, and that no translation uses other digits.
func TestNumbersStayDialable(t *testing.T) {
	raw := rawMessages(t)
	number := regexp.MustCompile(`[0-9]+`)
	for code, msgs := range raw {
		for key, v := range msgs {
			for _, r := range v {
				if (unicode.IsDigit(r) && r > '9') || (r >= 0x1369 && r <= 0x137C) {
					t.Errorf("%s: %s uses the digit %q (U+%04X); write Western digits", code, key, r, r)
					break
				}
			}
			have := number.FindAllString(v, -1)
			for _, n := range number.FindAllString(raw[SourceLang][key], -1) {
				if !slices.Contains(have, n) {
					t.Errorf("%s: %s lacks the number %s that en.yaml gives", code, key, n)
				}
			}
		}
	}
}

var englishControlWord = regexp.MustCompile(`\b(MENU|LANGUAGE|PERSON|DELETE|STOP|START|MORE)\b`)

// controlWords are the words in each language that the control-word matcher accepts (the list
// given to translators; keep it in step with locales/control). Languages not listed here are
// only checked for the English words.
var controlWords = map[string]map[string]string{
	"ar":  {"MENU": "قائمة", "LANGUAGE": "لغة", "PERSON": "شخص", "DELETE": "احذف", "STOP": "توقف", "START": "ابدأ", "MORE": "المزيد"},
	"fa":  {"MENU": "منو", "LANGUAGE": "زبان", "PERSON": "شخص", "DELETE": "حذف", "STOP": "توقف", "START": "شروع", "MORE": "بیشتر"},
	"ps":  {"MENU": "مینو", "LANGUAGE": "ژبه", "PERSON": "انسان", "DELETE": "ړنګ", "STOP": "بند", "START": "پیل", "MORE": "نور"},
	"ur":  {"MENU": "مینو", "LANGUAGE": "زبان", "PERSON": "شخص", "DELETE": "حذف", "STOP": "بند", "START": "شروع", "MORE": "مزید"},
	"ckb": {"MENU": "لیست", "LANGUAGE": "زمان", "PERSON": "کەس", "DELETE": "سڕینەوە", "STOP": "وەستان", "START": "دەستپێک", "MORE": "زیاتر"},
	"ti":  {"MENU": "ዝርዝር", "LANGUAGE": "ቋንቋ", "PERSON": "ሰብ", "DELETE": "ደምስስ", "STOP": "ደው በል", "START": "ጀምር", "MORE": "ተወሳኺ"},
	"am":  {"MENU": "ዝርዝር", "LANGUAGE": "ቋንቋ", "PERSON": "ሰው", "DELETE": "ሰርዝ", "STOP": "አቁም", "START": "ጀምር", "MORE": "ተጨማሪ"},
	"so":  {"MENU": "liis", "LANGUAGE": "luqad", "PERSON": "qof", "DELETE": "tirtir", "STOP": "jooji", "START": "bilow", "MORE": "wax dheeraad"},
}

// TestControlWordsNamed checks that a translation of a message naming a control word (Write
// MENU) keeps the English word, written just after the word in the language: "قائمة (MENU)".
func TestControlWordsNamed(t *testing.T) {
	raw := rawMessages(t)
	for code, msgs := range raw {
		if code == SourceLang {
			continue
		}
		for key, en := range raw[SourceLang] {
			for _, w := range slices.Compact(englishControlWord.FindAllString(en, -1)) {
				v := msgs[key]
				if !strings.Contains(v, w) {
					t.Errorf("%s: %s does not keep the control word %s", code, key, w)
					continue
				}
				if native, ok := controlWords[code][w]; ok && !strings.Contains(v, fmt.Sprintf("%s (%s)", native, w)) {
					t.Errorf("%s: %s: write %q, the word the matcher accepts, before (%s)", code, key, native, w)
				}
			}
		}
	}
}

// TestFilesSayNotReviewed checks that every translation starts with a comment saying it is
// machine-drafted, and that review.yaml has an entry for every language.
func TestFilesSayNotReviewed(t *testing.T) {
	c := mustLoad(t)
	names, _ := fs.Glob(embedded, "messages/*.yaml")
	for _, name := range names {
		if name == "messages/"+SourceLang+".yaml" {
			continue
		}
		buf, _ := fs.ReadFile(embedded, name)
		var header strings.Builder
		for _, line := range strings.Split(string(buf), "\n") {
			if !strings.HasPrefix(line, "#") {
				break
			}
			header.WriteString(strings.ToLower(line))
		}
		if !strings.Contains(header.String(), "machine-drafted") {
			t.Errorf("%s: the first lines must be a comment saying the file is machine-drafted, not reviewed", name)
		}
	}
	buf, err := fs.ReadFile(embedded, "review.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var review map[string]map[string]any
	if err := yaml.Unmarshal(buf, &review); err != nil {
		t.Fatal(err)
	}
	for _, code := range c.Codes() {
		if _, ok := review[code]["reviewed"]; !ok {
			t.Errorf("review.yaml: no reviewed: entry for %s", code)
		}
	}
}
