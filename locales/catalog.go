package locales

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
	"gopkg.in/yaml.v3"
)

// SourceLang is the code of the source language. Its file defines the set of keys, and every
// other language falls back to it, key by key.
const SourceLang = "en"

//go:embed languages.yaml review.yaml messages/*.yaml
var embedded embed.FS

// Language is one language the service speaks, as listed in languages.yaml.
type Language struct {
	Code   string `yaml:"code"`   // BCP 47 code; also the name of its messages file (ar → messages/ar.yaml)
	Name   string `yaml:"name"`   // English name, for operators and logs
	Native string `yaml:"native"` // name written in the language itself, for the language menu
	Script string `yaml:"script"` // ISO 15924 script code: Latn, Arab, Ethi...
	Dir    string `yaml:"dir"`    // "ltr" or "rtl"
	Meili  string `yaml:"meili"`  // Meilisearch localizedAttributes code, or "none"
}

// Catalog holds the languages, the messages of every language and their review status. It is
// built once by Load and is read-only afterwards, so one Catalog may serve every goroutine.
type Catalog struct {
	bundle   *i18n.Bundle
	langs    []Language
	index    map[string]int               // code → position in langs
	tags     map[string]language.Tag      // code → go-i18n tag of its messages file
	messages map[string]map[string]string // code → key → raw message, as written in its file
	keys     []string                     // sorted keys of the source language
	reviewed map[string]bool              // code → a native speaker has checked the file
}

// Load reads the embedded language list, message files and review status. An error means the
// embedded files are inconsistent (a file for an unknown language, a malformed file, no
// English file); it is a programming error, to be reported at start.
func Load() (*Catalog, error) {
	return load(embedded)
}

// load builds a Catalog from fsys, laid out like this package's directory.
func load(fsys fs.FS) (*Catalog, error) {
	langs, err := readLanguages(fsys)
	if err != nil {
		return nil, err
	}
	c := &Catalog{
		bundle:   i18n.NewBundle(language.Make(SourceLang)),
		langs:    langs,
		index:    make(map[string]int, len(langs)),
		tags:     make(map[string]language.Tag, len(langs)),
		messages: make(map[string]map[string]string, len(langs)),
	}
	c.bundle.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
	for i, l := range langs {
		c.index[l.Code] = i
		c.tags[l.Code] = language.Make(l.Code)
	}
	if err := c.readMessages(fsys); err != nil {
		return nil, err
	}
	if c.reviewed, err = c.readReview(fsys); err != nil {
		return nil, err
	}
	return c, nil
}

// readLanguages reads and checks languages.yaml.
func readLanguages(fsys fs.FS) ([]Language, error) {
	buf, err := fs.ReadFile(fsys, "languages.yaml")
	if err != nil {
		return nil, fmt.Errorf("reading language list: %w", err)
	}
	var doc struct {
		Languages []Language `yaml:"languages"`
	}
	if err := yaml.Unmarshal(buf, &doc); err != nil {
		return nil, fmt.Errorf("parsing languages.yaml: %w", err)
	}
	seen := make(map[string]bool, len(doc.Languages))
	for i, l := range doc.Languages {
		switch {
		case l.Code == "" || l.Native == "":
			return nil, fmt.Errorf("languages.yaml: entry %d: code and native are required", i+1)
		case seen[l.Code]:
			return nil, fmt.Errorf("languages.yaml: %q is listed twice", l.Code)
		case l.Dir != "ltr" && l.Dir != "rtl":
			return nil, fmt.Errorf("languages.yaml: %q: dir must be ltr or rtl, not %q", l.Code, l.Dir)
		}
		if _, err := language.Parse(l.Code); err != nil {
			return nil, fmt.Errorf("languages.yaml: %q is not a language code: %w", l.Code, err)
		}
		seen[l.Code] = true
	}
	if !seen[SourceLang] {
		return nil, fmt.Errorf("languages.yaml: the source language %q is missing", SourceLang)
	}
	return doc.Languages, nil
}

// readMessages loads every messages/*.yaml file into the bundle and into c.messages.
func (c *Catalog) readMessages(fsys fs.FS) error {
	names, err := fs.Glob(fsys, "messages/*.yaml")
	if err != nil {
		return fmt.Errorf("listing message files: %w", err)
	}
	for _, name := range names {
		code := strings.TrimSuffix(path.Base(name), ".yaml")
		if _, ok := c.index[code]; !ok {
			return fmt.Errorf("%s: language %q is not in languages.yaml", name, code)
		}
		buf, err := fs.ReadFile(fsys, name)
		if err != nil {
			return fmt.Errorf("reading %s: %w", name, err)
		}
		msgs, err := parseMessages(buf)
		if err != nil {
			return fmt.Errorf("parsing %s: %w", name, err)
		}
		if _, err := c.bundle.ParseMessageFileBytes(buf, path.Base(name)); err != nil {
			return fmt.Errorf("loading %s: %w", name, err)
		}
		c.messages[code] = msgs
	}
	src, ok := c.messages[SourceLang]
	if !ok {
		return fmt.Errorf("no messages file for the source language %q", SourceLang)
	}
	c.keys = make([]string, 0, len(src))
	for k := range src {
		c.keys = append(c.keys, k)
	}
	slices.Sort(c.keys)
	return nil
}

// parseMessages decodes one messages file: a flat map of key to message. Nested maps and
// go-i18n plural forms are not used by this project and are rejected.
func parseMessages(buf []byte) (map[string]string, error) {
	var msgs map[string]string
	if err := yaml.Unmarshal(buf, &msgs); err != nil {
		return nil, err
	}
	if msgs == nil {
		msgs = map[string]string{}
	}
	return msgs, nil
}

// readReview reads review.yaml: code → {reviewed, note}. A language it does not list counts
// as not reviewed.
func (c *Catalog) readReview(fsys fs.FS) (map[string]bool, error) {
	buf, err := fs.ReadFile(fsys, "review.yaml")
	if err != nil {
		return nil, fmt.Errorf("reading review status: %w", err)
	}
	var doc map[string]struct {
		Reviewed bool   `yaml:"reviewed"`
		Note     string `yaml:"note"`
	}
	if err := yaml.Unmarshal(buf, &doc); err != nil {
		return nil, fmt.Errorf("parsing review.yaml: %w", err)
	}
	reviewed := make(map[string]bool, len(doc))
	for code, st := range doc {
		if _, ok := c.index[code]; !ok {
			return nil, fmt.Errorf("review.yaml: language %q is not in languages.yaml", code)
		}
		reviewed[code] = st.Reviewed
	}
	return reviewed, nil
}

// Languages returns the languages in menu order. The slice is a copy.
func (c *Catalog) Languages() []Language {
	return slices.Clone(c.langs)
}

// Language returns the language with this code, and whether it is one the service speaks.
func (c *Catalog) Language(code string) (Language, bool) {
	i, ok := c.index[normCode(code)]
	if !ok {
		return Language{}, false
	}
	return c.langs[i], true
}

// Codes returns the language codes in menu order.
func (c *Catalog) Codes() []string {
	codes := make([]string, len(c.langs))
	for i, l := range c.langs {
		codes[i] = l.Code
	}
	return codes
}

// HasKey reports whether key is present in the language's own messages file (not through the
// English fallback).
func (c *Catalog) HasKey(lang, key string) bool {
	_, ok := c.messages[normCode(lang)][key]
	return ok
}

// Keys returns the keys of the source language (English), sorted. Every language is expected
// to define exactly these keys.
func (c *Catalog) Keys() []string {
	return slices.Clone(c.keys)
}

// Reviewed reports whether a native speaker has checked the language's messages, according to
// review.yaml. It is false for an unknown language.
func (c *Catalog) Reviewed(lang string) bool {
	return c.reviewed[normCode(lang)]
}

// normCode accepts "AR" or " ar " for "ar".
func normCode(code string) string {
	return strings.ToLower(strings.TrimSpace(code))
}

// errNotRendered is returned by render when a message cannot be rendered in a language.
var errNotRendered = errors.New("message not rendered")

// render renders key in lang only, with no fallback: it fails when the language's file lacks
// the key, the message is empty or its template does not parse or run.
func (c *Catalog) render(loc *i18n.Localizer, lang, key string, data map[string]any) (string, error) {
	if !c.HasKey(lang, key) {
		return "", fmt.Errorf("%s: %q: %w: not in the file", lang, key, errNotRendered)
	}
	var td any
	if data != nil {
		td = data
	}
	s, tag, err := loc.LocalizeWithTag(&i18n.LocalizeConfig{MessageID: key, TemplateData: td})
	switch {
	case err != nil:
		return "", fmt.Errorf("%s: %q: %w: %w", lang, key, errNotRendered, err)
	case tag != c.tags[lang]:
		return "", fmt.Errorf("%s: %q: %w: matched language %s", lang, key, errNotRendered, tag)
	case s == "":
		return "", fmt.Errorf("%s: %q: %w: empty", lang, key, errNotRendered)
	}
	return s, nil
}
