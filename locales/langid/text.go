package langid

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// maxRunes bounds the work done on one message; language is clear long
// before that.
const maxRunes = 2000

// token is one word of a message.
type token struct {
	raw     string // lower case, NFC
	key     string // folded for word lists (see foldWord)
	script  string
	letters int  // number of letters
	upper   bool // at least two letters, all upper case (an acronym such as OQTF)
	digits  bool // has digits (Arabizi: 3andi, nrje3)
}

// allScripts lists the scripts of the supported languages.
var allScripts = [...]string{Latin, Arabic, Ethiopic, Devanagari, Gurmukhi, Cyrillic, Georgian}

func scriptIndex(s string) int {
	for i, x := range allScripts {
		if x == s {
			return i
		}
	}
	return 0
}

// scriptOf returns the ISO 15924 code of a letter's script, or "" for the
// scripts Passerelle does not serve.
func scriptOf(r rune) string {
	switch {
	case r < 0x250 || (r >= 0x1E00 && r <= 0x1EFF):
		if unicode.IsLetter(r) {
			return Latin
		}
	case r >= 0x600 && r <= 0x6FF, r >= 0x750 && r <= 0x77F, r >= 0xFB50 && r <= 0xFDFF, r >= 0xFE70 && r <= 0xFEFF:
		return Arabic
	case r >= 0x1200 && r <= 0x139F, r >= 0x2D80 && r <= 0x2DDF, r >= 0xAB00 && r <= 0xAB2F:
		return Ethiopic
	case r >= 0x900 && r <= 0x97F:
		return Devanagari
	case r >= 0xA00 && r <= 0xA7F:
		return Gurmukhi
	case r >= 0x400 && r <= 0x52F:
		return Cyrillic
	case r >= 0x10A0 && r <= 0x10FF, r >= 0x1C90 && r <= 0x1CBF, r >= 0x2D00 && r <= 0x2D2F:
		return Georgian
	}
	return ""
}

func isApostrophe(r rune) bool {
	switch r {
	case '\'', '’', '‘', 'ʼ', '`', '´':
		return true
	}
	return false
}

// tokenize splits text into words. Invalid UTF-8 acts as a separator.
// Digits stay inside Latin words (Arabizi) and are dropped elsewhere; a
// change of script inside a word ("OQTFم") splits it.
func tokenize(text string) []token {
	if !norm.NFC.IsNormalString(text) {
		text = norm.NFC.String(text)
	}
	toks := make([]token, 0, 16)
	var b strings.Builder
	cur := token{}
	allUpper := true
	flush := func() {
		s := strings.TrimRight(b.String(), "'")
		b.Reset()
		if cur.letters > 0 && s != "" {
			cur.raw = s
			cur.upper = cur.letters >= 2 && allUpper && cur.script == Latin
			cur.key = foldWord(s)
			toks = append(toks, cur)
		}
		cur = token{}
		allUpper = true
	}
	n := 0
	for _, r := range text {
		if n++; n > maxRunes {
			break
		}
		switch {
		case r == utf8.RuneError:
			flush()
		case unicode.IsLetter(r):
			s := scriptOf(r)
			if cur.letters > 0 && s != cur.script {
				flush()
			}
			if cur.letters == 0 && cur.digits && s != Latin {
				b.Reset() // digits before a non-Latin word: a number, not part of it
				cur.digits = false
			}
			cur.script = s
			cur.letters++
			if !unicode.IsUpper(r) {
				allUpper = false
			}
			b.WriteRune(unicode.ToLower(r))
		case unicode.IsMark(r):
			if cur.letters > 0 {
				b.WriteRune(r)
			}
		case unicode.IsDigit(r):
			if cur.letters > 0 && cur.script != Latin {
				flush()
			}
			cur.digits = true
			b.WriteRune(r)
		case isApostrophe(r):
			if cur.letters > 0 && cur.script == Latin {
				b.WriteByte('\'')
			} else {
				flush()
			}
		case r == 0x200C || r == 0x200D || r == 0x640:
			// zero-width (non-)joiner and tatweel: inside a word, no separator
		default:
			flush()
		}
	}
	flush()
	return toks
}

// foldWord maps a word to the form used by the word lists: lower case,
// Latin, Cyrillic and Arabic diacritics removed (é→e, ư→u, أ→ا, harakat),
// and the Arabic-script letter variants that keyboards mix folded together
// (ي ى→ی, ك→ک, ة→ه, ہ ھ→ه, ګ→گ). Letters that tell languages apart (Pashto
// ې ټ, Urdu ے ں, Sorani ە ێ) are kept.
func foldWord(s string) string {
	simple := true // no uppercase, no letter that decomposes or folds
	for _, r := range s {
		if r >= 'A' && r <= 'Z' || r >= 0xC0 && r <= 0x24F || r >= 0x1E00 && r <= 0x1EFF ||
			r >= 0x400 && r <= 0x4FF || r >= 0x600 && r <= 0x6FF && arabicFold(r) != r ||
			isApostrophe(r) && r != '\'' || r == 0x200C || r == 0x200D || r == 0x640 ||
			unicode.IsMark(r) && r >= 0x600 && r <= 0x6FF {
			simple = false
			break
		}
	}
	if simple {
		return s
	}
	if needsNFD(s) {
		s = norm.NFD.String(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	base := ""
	for _, r := range s {
		if unicode.IsMark(r) {
			switch base {
			case Latin, Cyrillic, Arabic:
				continue
			}
			b.WriteRune(r)
			continue
		}
		if r == 0x200C || r == 0x200D || r == 0x640 {
			continue
		}
		r = unicode.ToLower(r)
		base = scriptOf(r)
		switch r {
		case 'đ', 'ð':
			r = 'd'
		case 'ø':
			r = 'o'
		case 'ł':
			r = 'l'
		case 'ı':
			r = 'i'
		case 'œ':
			b.WriteString("oe")
			continue
		case 'æ':
			b.WriteString("ae")
			continue
		case 'ß':
			b.WriteString("ss")
			continue
		case '’', '‘', 'ʼ', '`', '´':
			r = '\''
		}
		if base == Arabic {
			r = arabicFold(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// needsNFD reports whether s has Latin or Cyrillic letters with diacritics
// (Arabic composites are folded one by one by arabicFold).
func needsNFD(s string) bool {
	for _, r := range s {
		if r >= 0xC0 && r <= 0x24F || r >= 0x1E00 && r <= 0x1EFF || r >= 0x400 && r <= 0x4FF {
			return true
		}
	}
	return false
}

// arabicFold folds the Arabic-script letters that keyboards and writers mix.
func arabicFold(r rune) rune {
	switch r {
	case 'ي', 'ى', 'ئ':
		return 'ی'
	case 'ك':
		return 'ک'
	case 'ة', 'ۃ', 'ہ', 'ھ', 'ۀ', 'ۂ':
		return 'ه'
	case 'ګ':
		return 'گ'
	case 'أ', 'إ', 'آ', 'ٱ':
		return 'ا'
	case 'ؤ':
		return 'و'
	case 'ۓ':
		return 'ے'
	}
	return r
}

// foldPhrase folds every word of s and joins them with single spaces.
func foldPhrase(s string) string { return joinKeys(tokenize(s)) }

// joinKeys joins the folded words of toks with single spaces.
func joinKeys(toks []token) string {
	if len(toks) == 1 {
		return toks[0].key
	}
	parts := make([]string, 0, len(toks))
	for _, t := range toks {
		parts = append(parts, t.key)
	}
	return strings.Join(parts, " ")
}
