package locales

import (
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n"
)

// Printer renders messages in one person's language. Get one from Catalog.Printer for each
// request or conversation, from that conversation's language, and do not keep it anywhere
// shared (a struct field reused across people, a package variable): a shared printer is how
// one person ends up reading another person's language.
//
// A Printer holds no mutable state; it is safe to use from several goroutines.
type Printer struct {
	cat  *Catalog
	lang Language
	loc  *i18n.Localizer // lang's own messages
	src  *i18n.Localizer // English, the fallback
}

// Printer returns a Printer for the language with this code. An unknown or empty code gives an
// English Printer (Lang() == "en"), so a conversation with no language yet is still answered.
func (c *Catalog) Printer(lang string) *Printer {
	l, ok := c.Language(lang)
	if !ok {
		l = c.langs[c.index[SourceLang]]
	}
	return &Printer{
		cat:  c,
		lang: l,
		loc:  i18n.NewLocalizer(c.bundle, l.Code),
		src:  i18n.NewLocalizer(c.bundle, SourceLang),
	}
}

// Lang returns the code of the Printer's language.
func (p *Printer) Lang() string {
	return p.lang.Code
}

// Dir returns the writing direction of the Printer's language, "rtl" or "ltr". It describes
// the language, not each message: a message that fell back to English is still English.
func (p *Printer) Dir() string {
	return p.lang.Dir
}

// T renders the message key with the template values in data ({"Days": 30}). A key missing
// from the language's file, empty, or whose template fails or names a value data lacks (a
// translation that renamed {{.Days}}) is rendered from English instead. An unknown key is
// returned unchanged. T never panics and never returns an empty string for a key of the source
// language. If data lacks a value that the English message names too, the gap shows as
// "<no value>": pass every value the English message names.
func (p *Printer) T(key string, data map[string]any) string {
	var gappy string // rendered in the person's language, but with a missing value
	if p.lang.Code != SourceLang {
		s, err := p.cat.render(p.loc, p.lang.Code, key, data)
		if err == nil && !strings.Contains(s, noValue) {
			return s
		}
		if err == nil {
			gappy = s
		}
	}
	s, err := p.cat.render(p.src, SourceLang, key, data)
	switch {
	case err == nil && !strings.Contains(s, noValue):
		return s
	case gappy != "":
		return gappy // the caller forgot a value: the person's language with a gap beats English with one
	case err == nil:
		return s
	}
	if raw := p.cat.messages[SourceLang][key]; raw != "" {
		return raw // the English template itself is broken; its text beats nothing
	}
	return key
}

// noValue is what text/template writes for a value missing from the data map.
const noValue = "<no value>"
