package knowledge

import "strings"

// capitalised writes in the language's script the words of text typed in
// its chat convention, where a capital is a letter of its own: Georgian
// typed on the usual Georgian keyboard layout writes შ as S and ღ as R
// ("gaSveba" is გაშვება), and lower case would make them s and r. A word
// of ASCII letters is taken for one when it has a lower-case letter, a
// capital of [capitals] after its first letter, and no other capital:
// "Sabuti" (a capital to start a sentence), "OQTF" and "McDonald" are
// left as they are, for Transliterate to decide on.
func (lx *Lexicon) capitalised(text string) string {
	var b strings.Builder
	for i := 0; i < len(text); {
		j := i
		for j < len(text) && isASCIILetter(text[j]) {
			j++
		}
		if j == i {
			b.WriteByte(text[i])
			i++
			continue
		}
		word := text[i:j]
		if lx.convention(word) {
			if script, ok := lx.script(word); ok {
				word = script
			}
		}
		b.WriteString(word)
		i = j
	}
	return b.String()
}

// convention reports whether a word of ASCII letters uses capitals as
// letters of their own (see capitalised).
func (lx *Lexicon) convention(word string) bool {
	lower, inside := false, false
	for i := range len(word) {
		c := rune(word[i])
		switch {
		case c >= 'a' && c <= 'z':
			lower = true
		case lx.capitals[c] == "":
			return false // a capital with no meaning of its own
		case i > 0:
			inside = true
		}
	}
	return lower && inside
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
