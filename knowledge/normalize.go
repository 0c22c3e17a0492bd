package knowledge

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Normalize is the one text normaliser every search backend applies to
// article text at index time and to messages at query time, so that the
// spellings people actually type meet the spellings editors wrote. It is
// idempotent: Normalize(Normalize(s)) == Normalize(s).
//
// In order:
//   - NFKC, then lower case (and ß -> ss);
//   - Latin and Greek lose every diacritic (é->e, ê->e, ư->u, ç->c; also
//     đ->d, ø->o, ł->l, æ->ae, œ->oe, ı->i): people often type French and
//     Vietnamese without accents. Cyrillic loses stress marks and ё->е,
//     ї->і, ґ->г, but keeps й;
//   - Arabic script (ar, fa, ps, ur, ckb): harakat, Quranic marks, hamza
//     and madda marks and tatweel are removed (أ إ آ ٱ -> ا, ؤ -> و,
//     ئ -> ی); every yeh (ي ى ې ۍ ێ ے) -> Persian ی; ك ڪ -> ک; ګ -> گ;
//     every heh and teh marbuta (ة ە ہ ھ ۀ ۃ) -> ه, because Urdu and
//     Sorani writers on Arabic or Persian keyboards type ه for all of them;
//     Sorani ڵ -> ل, ڕ -> ر, ۆ -> و; Urdu ں -> ن. (The Pashto and Urdu
//     letters missing from Persian keyboards, ټ ډ ړ ڼ ښ ږ ٹ ڈ ڑ, are
//     kept: folding them makes other words, Urdu کارڈ "card" would be
//     Persian کارد "knife". Search folds them per language, see Lexicon.);
//   - Devanagari and Gurmukhi: nukta removed, candrabindu -> anusvara,
//     tippi -> bindi, addak removed (often left out when typing); the
//     candra vowels of English loanwords become the plain ones (ऑ -> ओ,
//     ॉ -> ो, ऍ -> ए, ॅ -> े);
//   - Ethiopic (ti, am): the homophone series are folded to one: ሐ, ኀ
//     and ኸ -> ሀ, ሠ -> ሰ, ፀ -> ጸ (Tigrinya does pronounce ሐ apart, but
//     writers mix them often enough that matching them is worth the rare
//     collision), and the a-form of the ሀ, አ and ዐ series is the first
//     form (ሃ ሓ ኃ -> ሀ, ኣ ኧ -> አ, ዓ -> ዐ: Amharic writes ሀገር and ሃገር).
//     ዐ is kept apart from አ: in Tigrinya the fold made ዓደይ "my country"
//     ኣደይ "my mother"; Amharic, which says them alike, folds them in its
//     Lexicon;
//     gemination marks removed; Ethiopic numerals, which are not
//     positional, are kept as they are;
//   - every decimal digit (Arabic-Indic, Persian, Devanagari, Gurmukhi...)
//     -> ASCII;
//   - ZWNJ and ZWJ are removed, joining the word: Persian "می‌خواهم" ->
//     "میخواهم", the form most people type; the spaced form "می خواهم" is
//     matched by the search analysers, which drop the verbal prefix
//     می/نمی (see knowledge/bleve). Direction marks, BOM, soft hyphen and
//     every other format character are removed; a zero-width space is a
//     space;
//   - invalid UTF-8 becomes a space;
//   - punctuation (including ، ؛ ؟ ። ፣ ፡ ። । and apostrophes) and symbols
//     become spaces; so do control characters;
//   - a space is put between a letter and a digit, and between letters of
//     different scripts ("ብOFPRA" -> "ብ ofpra", "48h" -> "48 h"), so that
//     a French acronym typed inside a Tigrinya or Persian word still
//     matches; except the digits of Arabizi, Arabic typed in Latin letters
//     with digits for the sounds Latin lacks ("ch7al", "3ayez"): such a
//     word stays whole, see glueArabizi;
//   - runs of white space become one space, with none at either end.
func Normalize(s string) string {
	s = norm.NFKC.String(strings.ToValidUTF8(s, " "))
	s = strings.ToLower(s)
	s = norm.NFD.String(s)
	// First fold every character, remembering its class; then write them
	// out, with a space wherever the class changes.
	us := make([]unit, 0, len(s))
	prev := classSpace // class of the last base character seen
	for _, r := range s {
		if isMark(r) {
			if m, keep := foldMark(r, prev); keep {
				us = append(us, unit{m, classMark})
			}
			continue
		}
		a, b2 := foldRune(r)
		if a == drop {
			continue
		}
		for _, o := range [2]rune{a, b2} {
			if o == 0 {
				break
			}
			prev = classOf(o)
			us = append(us, unit{o, prev})
		}
	}
	glueArabizi(us)
	var b strings.Builder
	b.Grow(len(s))
	prev = classSpace // a space is pending
	for _, u := range us {
		switch {
		case u.c == classMark:
			b.WriteRune(u.r)
			continue
		case u.c == classSpace:
			prev = classSpace
			continue
		case u.c != prev && b.Len() > 0:
			b.WriteByte(' ') // after white space, or at a script change
		}
		b.WriteRune(u.r)
		prev = u.c
	}
	return norm.NFC.String(b.String())
}

// Tokens returns the words of s after Normalize, in order.
func Tokens(s string) []string { return strings.Fields(Normalize(s)) }

// class is the kind of a base character, used to split words at script
// changes.
type class int

const (
	classSpace class = iota
	classDigit
	classLatin
	classGreek
	classCyrillic
	classArabic
	classEthiopic
	classDevanagari
	classGurmukhi
	classGeorgian
	classOther
	classMark // a combining mark kept on the character before it
)

// unit is one folded character and its class.
type unit struct {
	r rune
	c class
}

func classOf(r rune) class {
	switch {
	case r == ' ':
		return classSpace
	case r >= '0' && r <= '9':
		return classDigit
	case r < 0x80, unicode.Is(unicode.Latin, r):
		return classLatin
	case unicode.Is(unicode.Arabic, r):
		return classArabic
	case unicode.Is(unicode.Ethiopic, r):
		return classEthiopic
	case unicode.Is(unicode.Cyrillic, r):
		return classCyrillic
	case unicode.Is(unicode.Devanagari, r):
		return classDevanagari
	case unicode.Is(unicode.Gurmukhi, r):
		return classGurmukhi
	case unicode.Is(unicode.Georgian, r):
		return classGeorgian
	case unicode.Is(unicode.Greek, r):
		return classGreek
	}
	return classOther
}

func isMark(r rune) bool { return unicode.In(r, unicode.Mn, unicode.Mc, unicode.Me) }

// foldMark decides what happens to a combining mark that follows a base
// character of class prev: dropped, kept, or replaced.
func foldMark(r rune, prev class) (rune, bool) {
	switch prev {
	case classSpace, classDigit, classLatin, classGreek, classArabic, classEthiopic:
		return 0, false
	case classCyrillic:
		return r, r == 0x0306 // keep й and ў, drop stress marks and diaeresis
	case classDevanagari:
		switch r {
		case 0x093C: // nukta
			return 0, false
		case 0x0901: // candrabindu
			return 0x0902, true
		case 0x0949: // candra o: डॉक्टर -> डोक्टर
			return 0x094B, true
		case 0x0945: // candra e
			return 0x0947, true
		}
	case classGurmukhi:
		switch r {
		case 0x0A3C, 0x0A71: // nukta, addak
			return 0, false
		case 0x0A70: // tippi
			return 0x0A02, true
		}
	}
	return r, true
}

// glueArabizi marks as Latin the digits of Arabizi words, so that they are
// not split from their letters: Arabic typed in Latin letters writes with
// digits the sounds Latin lacks (3 ع, 7 ح, 2 ء, 5 خ, 9 ق), and "ch7al"
// ("how much") split into "ch 7 al" would leave a lone 7 to match
// amounts and durations. A digit is glued when it is
//   - a single digit between two Latin letters: "ch7al", "m3a", "ba9i";
//   - a single Arabizi digit (2 3 5 6 7 8 9) starting a word and followed
//     by two Latin letters or more that are not a unit or an ordinal:
//     "3ayez", "7abibi", "5dma", but "3ans", "2eme", "5min" and "48h" are
//     still split.
//
// A digit after the letters ("sa7", and likewise "A2", "T3") is left
// split: French levels and flat types end in a digit. Numbers, amounts
// and phone numbers have no letters around their digits and are not
// touched.
func glueArabizi(us []unit) {
	latin := func(i int) bool { return i >= 0 && i < len(us) && us[i].c == classLatin }
	for i := 0; i < len(us); i++ {
		if us[i].c != classDigit {
			continue
		}
		j := i + 1 // end of the run of digits
		for j < len(us) && us[j].c == classDigit {
			j++
		}
		switch {
		case j-i != 1 || !latin(j):
		case latin(i - 1):
			us[i].c = classLatin
		case i == 0 || us[i-1].c == classSpace:
			if strings.ContainsRune("2356789", us[i].r) && arabiziAfterDigit(us[j:]) {
				us[i].c = classLatin
			}
		}
		i = j - 1
	}
}

// arabiziAfterDigit reports whether the Latin letters at the start of us,
// which follow a word's first digit, can be the rest of an Arabizi word:
// two letters or more, and not a unit or ordinal ("3ans", "2eme").
func arabiziAfterDigit(us []unit) bool {
	var w strings.Builder
	for _, u := range us {
		if u.c != classLatin {
			break
		}
		w.WriteRune(u.r)
	}
	return utf8.RuneCountInString(w.String()) >= 2 && !unitWord(w.String())
}

// unitWord reports whether w is a unit or an ordinal ending people type
// stuck to a number, in French or English.
func unitWord(w string) bool {
	switch w {
	case "er", "ere", "eme", "em", "nd", "rd", "th", "st",
		"hr", "hrs", "mn", "min", "mins", "am", "pm",
		"jr", "jrs", "jour", "jours", "sem", "semaines", "mois", "an", "ans", "annees",
		"day", "days", "week", "weeks", "month", "months", "year", "years", "yrs",
		"eur", "euro", "euros", "kg", "km", "cm", "fois", "times",
		"pers", "personnes", "enfants", "kids", "children", "people":
		return true
	}
	return false
}
