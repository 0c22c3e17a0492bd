package bot

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/passerelle-org/passerelle/locales/langid"
)

// cleaned is an inbound text made safe to read, with what was wrong with it.
type cleaned struct {
	Text      string
	Invalid   bool // had bytes that are not UTF-8 (dropped)
	Controls  bool // had control characters (dropped)
	Truncated bool // longer than MaxRunes (cut)
	NoWords   bool // non-empty but no letter or digit: emoji, punctuation
}

// cleanInput drops invalid UTF-8 and control characters (keeping newlines,
// tabs and format characters such as ZWNJ and direction marks, which are
// part of the text), trims, and cuts the text at MaxRunes.
func cleanInput(s string) cleaned {
	var c cleaned
	if !utf8.ValidString(s) {
		c.Invalid = true
		s = strings.ToValidUTF8(s, "")
	}
	if strings.IndexFunc(s, isDroppedControl) >= 0 {
		c.Controls = true
		s = strings.Map(func(r rune) rune {
			if isDroppedControl(r) {
				return ' '
			}
			return r
		}, s)
	}
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > MaxRunes {
		c.Truncated = true
		n := 0
		for i := range s {
			if n == MaxRunes {
				s = s[:i]
				break
			}
			n++
		}
	}
	c.Text = s
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return unicode.IsLetter(r) || unicode.IsDigit(r)
	}) < 0 {
		c.NoWords = true
	}
	return c
}

func isDroppedControl(r rune) bool {
	return unicode.IsControl(r) && r != '\n' && r != '\t'
}

// detectLang keeps the conversation's language unless the text clearly
// switches; with no current language it detects one, defaulting to "".
func detectLang(text, current string) string {
	if current == "" {
		return langid.Detect(text).Lang
	}
	lang, _ := langid.Keep(current, text)
	return lang
}

// searchLang is the language to search in: the detected one, or English.
func searchLang(lang string) string {
	if lang == "" {
		return "en"
	}
	return lang
}
