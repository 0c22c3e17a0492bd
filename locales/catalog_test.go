package locales

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"unicode"
)

// mustLoad loads the embedded catalogue or stops the test.
func mustLoad(t *testing.T) *Catalog {
	t.Helper()
	c, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return c
}

// fixtureLanguages is a small languages.yaml for tests that need their own files: ps is listed
// but has no messages file.
const fixtureLanguages = `languages:
  - {code: en, name: English, native: "English", script: Latn, dir: ltr, meili: eng}
  - {code: fa, name: Dari/Farsi, native: "دری", script: Arab, dir: rtl, meili: pes}
  - {code: am, name: Amharic, native: "አማርኛ", script: Ethi, dir: ltr, meili: amh}
  - {code: ps, name: Pashto, native: "پښتو", script: Arab, dir: rtl, meili: none}
`

// loadFixture loads a catalogue from languages.yaml above plus the given files.
func loadFixture(t *testing.T, files map[string]string) *Catalog {
	t.Helper()
	fsys := fstest.MapFS{
		"languages.yaml": {Data: []byte(fixtureLanguages)},
		"review.yaml":    {Data: []byte("en: {reviewed: false}\nfa: {reviewed: true, note: test}\n")},
	}
	for name, data := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(data)}
	}
	c, err := load(fsys)
	if err != nil {
		t.Fatalf("load fixture: %v", err)
	}
	return c
}

func TestLanguages(t *testing.T) {
	c := mustLoad(t)
	want := []string{"en", "fr", "ar", "fa", "ps", "ur", "ckb", "ti", "am", "so", "vi", "hi", "pa", "uk", "sq", "ka"}
	if got := c.Codes(); !slices.Equal(got, want) {
		t.Errorf("Codes() = %v, want menu order %v", got, want)
	}
	langs := c.Languages()
	if len(langs) != len(want) {
		t.Fatalf("Languages() has %d entries, want %d", len(langs), len(want))
	}
	langs[0].Code = "changed" // Languages returns a copy
	if c.Languages()[0].Code != "en" {
		t.Error("Languages() exposes the catalogue's own slice")
	}
	ar, ok := c.Language("ar")
	if !ok || ar.Dir != "rtl" || ar.Script != "Arab" || ar.Native != "العربية" || ar.Meili != "ara" {
		t.Errorf(`Language("ar") = %+v, %v`, ar, ok)
	}
	if l, ok := c.Language(" AR "); !ok || l.Code != "ar" {
		t.Errorf(`Language(" AR ") = %+v, %v; want ar`, l, ok)
	}
	if _, ok := c.Language("xx"); ok {
		t.Error(`Language("xx") found a language`)
	}
	for _, l := range langs {
		if l.Dir != "ltr" && l.Dir != "rtl" {
			t.Errorf("%s: dir %q", l.Code, l.Dir)
		}
	}
}

func TestKeysAndHasKey(t *testing.T) {
	c := mustLoad(t)
	keys := c.Keys()
	if len(keys) < 90 || !slices.IsSorted(keys) || !slices.Contains(keys, "welcome.hello") {
		t.Fatalf("Keys() = %d keys, sorted=%v", len(keys), slices.IsSorted(keys))
	}
	if !c.HasKey("en", "topic.housing.115") || c.HasKey("en", "no.such.key") || c.HasKey("xx", "welcome.hello") {
		t.Error("HasKey gives wrong answers for en / unknown key / unknown language")
	}
}

func TestPrinterArabic(t *testing.T) {
	c := mustLoad(t)
	p := c.Printer("ar")
	if p.Lang() != "ar" || p.Dir() != "rtl" {
		t.Fatalf("Printer(ar): Lang=%q Dir=%q, want ar rtl", p.Lang(), p.Dir())
	}
	en := c.Printer("en")
	if en.Dir() != "ltr" {
		t.Errorf("Printer(en).Dir() = %q", en.Dir())
	}
	for _, key := range []string{"menu.person", "welcome.hello", "triage.urgent", "control.help"} {
		got := p.T(key, nil)
		if got == en.T(key, nil) || !hasScript(got, unicode.Arabic) {
			t.Errorf("ar %s = %q: not Arabic", key, got)
		}
	}
	got := p.T("welcome.privacy", map[string]any{"Days": 30})
	if !strings.Contains(got, "30") || strings.Contains(got, "{{") {
		t.Errorf("ar welcome.privacy with Days=30 = %q", got)
	}
}

func TestPrinterFallback(t *testing.T) {
	c := loadFixture(t, map[string]string{
		"messages/en.yaml": "a: \"Hello\"\nb: \"{{.Days}} days\"\nc: \"Only English\"\nd: \"Empty elsewhere\"\n" +
			"e: \"{{.Days}} days\"\nf: \"{{.Days}} days\"\n",
		"messages/fa.yaml": "a: \"سلام\"\nb: \"{{.Days روز\"\nd: \"\"\ne: \"{{.Dayz}} روز\"\nf: \"{{.Days}} روز\"\n",
	})
	fa := c.Printer("fa")
	tests := []struct{ key, want string }{
		{"a", "سلام"},                  // own translation
		{"b", "7 days"},                // broken template in fa: English
		{"c", "Only English"},          // missing in fa: English
		{"d", "Empty elsewhere"},       // empty in fa: English
		{"no.such.key", "no.such.key"}, // unknown key: the key itself
	}
	for _, tt := range tests {
		if got := fa.T(tt.key, map[string]any{"Days": 7}); got != tt.want {
			t.Errorf("fa T(%q) = %q, want %q", tt.key, got, tt.want)
		}
	}
	if got := fa.T("f", nil); got != "<no value> روز" {
		t.Errorf("fa T(f) without data = %q; a forgotten value should still give the person's language", got)
	}
	if !c.HasKey("fa", "d") || c.HasKey("fa", "c") {
		t.Error("HasKey must report keys present in the language's own file, empty or not")
	}

	ps := c.Printer("ps") // listed, no file
	if ps.Lang() != "ps" || ps.Dir() != "rtl" || ps.T("a", nil) != "Hello" {
		t.Errorf("ps without a file: Lang=%q Dir=%q T=%q", ps.Lang(), ps.Dir(), ps.T("a", nil))
	}
	for _, code := range []string{"", "xx", "zz-Latn"} {
		p := c.Printer(code)
		if p.Lang() != "en" || p.Dir() != "ltr" || p.T("a", nil) != "Hello" {
			t.Errorf("Printer(%q): Lang=%q Dir=%q, want an English printer", code, p.Lang(), p.Dir())
		}
	}
	if !c.Reviewed("fa") || c.Reviewed("en") || c.Reviewed("xx") {
		t.Error("Reviewed does not follow review.yaml")
	}
}

func TestLoadRejectsInconsistentFiles(t *testing.T) {
	base := fstest.MapFS{
		"languages.yaml":   {Data: []byte(fixtureLanguages)},
		"review.yaml":      {Data: []byte("en: {reviewed: false}\n")},
		"messages/en.yaml": {Data: []byte("a: \"Hello\"\n")},
	}
	bad := map[string]fstest.MapFS{
		"file for unknown language":  {"messages/xx.yaml": {Data: []byte("a: \"x\"\n")}},
		"nested message":             {"messages/fa.yaml": {Data: []byte("a:\n  other: \"x\"\n")}},
		"duplicate key":              {"messages/fa.yaml": {Data: []byte("a: \"x\"\na: \"y\"\n")}},
		"unknown language in review": {"review.yaml": {Data: []byte("xx: {reviewed: false}\n")}},
		"no English file":            {"messages/en.yaml": nil},
		"bad direction": {"languages.yaml": {Data: []byte(
			"languages:\n  - {code: en, native: English, dir: ltr}\n  - {code: fa, native: دری, dir: right}\n")}},
	}
	for name, over := range bad {
		fsys := fstest.MapFS{}
		for k, v := range base {
			fsys[k] = v
		}
		for k, v := range over {
			if v == nil {
				delete(fsys, k)
				continue
			}
			fsys[k] = v
		}
		if _, err := load(fsys); err == nil {
			t.Errorf("%s: load succeeded, want an error", name)
		}
	}
}

func TestPrintersAreIndependent(t *testing.T) {
	c := mustLoad(t)
	ar, so := c.Printer("ar"), c.Printer("so")
	done := make(chan string)
	go func() { done <- so.T("menu.person", nil) }()
	a := ar.T("menu.person", nil)
	s := <-done
	if a == s || ar.Lang() != "ar" || so.Lang() != "so" {
		t.Errorf("printers interfere: ar=%q so=%q", a, s)
	}
}

// hasScript reports whether s contains a letter of the script.
func hasScript(s string, script *unicode.RangeTable) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(script, r) })
}
