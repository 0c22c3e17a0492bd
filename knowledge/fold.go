package knowledge

import "unicode"

// drop is returned by foldRune for characters that disappear.
const drop rune = -1

// foldRune maps one base character (case-folded, decomposed) to at most two
// characters; a == drop removes it, b == 0 means a alone. See Normalize.
func foldRune(r rune) (a, b rune) {
	if r < 0x80 {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			return r, 0
		}
		return ' ', 0 // ASCII punctuation, symbols, controls, spaces
	}
	switch r {
	case 0x200B: // zero-width space
		return ' ', 0
	case 0x0640, 0x0674: // tatweel, high hamza
		return drop, 0
	case 0x02BB, 0x02BC, 0x02B9, 0x02BE, 0x02BF: // modifier apostrophes
		return ' ', 0
	}
	if a, b, ok := foldLetter(r); ok {
		return a, b
	}
	switch {
	case unicode.Is(unicode.Nd, r):
		return '0' + digitValue(r), 0
	case unicode.In(r, unicode.Cf):
		return drop, 0
	case unicode.In(r, unicode.Z, unicode.Cc, unicode.P, unicode.S), r == 0xFFFD:
		return ' ', 0
	}
	return r, 0
}

// digitValue returns the value of a decimal digit of any script: Unicode
// places every set of ten digits consecutively, zero first.
func digitValue(r rune) rune {
	start := r
	for i := 0; i < 60 && unicode.Is(unicode.Nd, start-1); i++ {
		start--
	}
	return (r - start) % 10
}

// foldLetter folds letter variants (ok reports whether r was one).
func foldLetter(r rune) (a, b rune, ok bool) {
	switch r {
	// Latin letters that do not decompose.
	case 'đ', 'ð':
		return 'd', 0, true
	case 'ø':
		return 'o', 0, true
	case 'ł':
		return 'l', 0, true
	case 'ı':
		return 'i', 0, true
	case 'ħ':
		return 'h', 0, true
	case 'æ':
		return 'a', 'e', true
	case 'œ':
		return 'o', 'e', true
	case 'ß':
		return 's', 's', true
	case 'þ':
		return 't', 'h', true
	// Cyrillic.
	case 'ґ':
		return 'г', 0, true
	// Arabic script: yeh, kaf, heh, alef families and keyboard variants.
	case 0x064A, 0x0649, 0x06D0, 0x06CD, 0x06CE, 0x06D2, 0x0620, 0x063D, 0x063E, 0x063F:
		return 0x06CC, 0, true // -> FARSI YEH ی
	case 0x0643, 0x06AA, 0x063B, 0x063C:
		return 0x06A9, 0, true // -> KEHEH ک
	case 0x06AB:
		return 0x06AF, 0, true // ګ -> گ
	case 0x0629, 0x06D5, 0x06C1, 0x06BE, 0x06C3, 0x06FF:
		return 0x0647, 0, true // -> HEH ه
	case 0x0671, 0x0672, 0x0673, 0x0675:
		return 0x0627, 0, true // -> ALEF ا
	case 0x0676, 0x0677:
		return 0x0648, 0, true // -> WAW و
	case 0x06B5:
		return 0x0644, 0, true // ڵ -> ل
	case 0x0695:
		return 0x0631, 0, true // ڕ -> ر
	case 0x06C6, 0x06C7, 0x06C8, 0x06C9, 0x06CA, 0x06CB, 0x06CF:
		return 0x0648, 0, true // ۆ and other waw variants -> و
	case 0x06BA:
		return 0x0646, 0, true // ں -> ن
	// Devanagari candra vowels of English loanwords (डॉक्टर, डाक्टर).
	case 0x0911:
		return 0x0913, 0, true // ऑ -> ओ
	case 0x090D:
		return 0x090F, 0, true // ऍ -> ए
	}
	// Ethiopic homophone series.
	switch {
	case r >= 0x1210 && r <= 0x1217: // ሐ -> ሀ
		return laryngeal(r - 0x10), 0, true
	case r >= 0x1280 && r <= 0x1287: // ኀ -> ሀ
		return laryngeal(r - 0x80), 0, true
	case r >= 0x12B8 && r <= 0x12BE: // ኸ -> ሀ
		return laryngeal(r - 0xB8), 0, true
	case r >= 0x1220 && r <= 0x1227: // ሠ -> ሰ
		return r + 0x10, 0, true
	case r == 0x12D3: // ዓ -> ዐ (not አ: Tigrinya ዓደይ "my country", ኣደይ "my mother")
		return 0x12D0, 0, true
	case r >= 0x1340 && r <= 0x1347: // ፀ -> ጸ
		return r - 0x08, 0, true
	case r == 0x1203, r == 0x12A3, r == 0x12A7: // ሃ -> ሀ; ኣ, ኧ -> አ
		return laryngeal(r), 0, true
	}
	return 0, 0, false
}

// laryngeal folds the a-form (4th order) of the ሀ and አ series, and
// Amharic ኧ, to the first form: Amharic pronounces them alike and writes
// both (ሀገር, ሃገር), and Tigrinya writers type ኣ or አ as the keyboard
// gives.
func laryngeal(r rune) rune {
	switch r {
	case 0x1203:
		return 0x1200
	case 0x12A3, 0x12A7:
		return 0x12A0
	}
	return r
}
