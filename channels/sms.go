package channels

import (
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// gsm7Basic is the GSM 03.38 basic character set; gsm7Ext holds the
// characters of the extension table, which take two septets each.
const (
	gsm7Basic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
		"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
	gsm7Ext = "^{}\\[~]|€\f"
)

// Segment sizes: a single message holds 160 GSM-7 septets or 70 UCS-2 code
// units; a concatenated message 153 or 67 per segment.
const (
	gsmSingle, gsmMulti   = 160, 153
	ucs2Single, ucs2Multi = 70, 67
)

var smsReplacer = strings.NewReplacer(
	"\u2018", "'", "\u2019", "'", "\u201A", "'", "\u2032", "'",
	"\u201C", "\"", "\u201D", "\"", "\u201E", "\"", "\u00AB", "\"", "\u00BB", "\"",
	"\u2013", "-", "\u2014", "-", "\u2212", "-", "\u2026", "...",
	"\u00A0", " ", "\u202F", " ", "\u2009", " ",
)

// SMSPrepare replaces typographic quotes, dashes, ellipses and special
// spaces with their GSM-7 equivalents, so a Latin text is not forced into
// UCS-2 (which would more than double its cost).
func SMSPrepare(s string) string { return smsReplacer.Replace(s) }

// IsGSM7 reports whether every character of s is in the GSM-7 alphabet.
func IsGSM7(s string) bool {
	for _, r := range s {
		if !strings.ContainsRune(gsm7Basic, r) && !strings.ContainsRune(gsm7Ext, r) {
			return false
		}
	}
	return true
}

// SMSEncoding is "GSM-7" or "UCS-2": what a phone network uses for s.
func SMSEncoding(s string) string {
	if IsGSM7(s) {
		return "GSM-7"
	}
	return "UCS-2"
}

// SMSUnits counts septets (GSM-7) or UTF-16 code units (UCS-2) in s.
func SMSUnits(s string) (units int, gsm bool) {
	if IsGSM7(s) {
		for _, r := range s {
			units++
			if strings.ContainsRune(gsm7Ext, r) {
				units++
			}
		}
		return units, true
	}
	for _, r := range s {
		units += utf16.RuneLen(r)
	}
	return units, false
}

// SMSSegments is the number of SMS segments s costs as it is.
func SMSSegments(s string) int {
	n, gsm := SMSUnits(s)
	single, multi := ucs2Single, ucs2Multi
	if gsm {
		single, multi = gsmSingle, gsmMulti
	}
	if n == 0 {
		return 1
	}
	if n <= single {
		return 1
	}
	return (n + multi - 1) / multi
}

// FitSMS cuts s so that head+suffix fits in max segments, at a word
// boundary when one is near, never inside a character or before a
// combining mark or joiner. rest is what did not fit ("" when all did; then
// head is s and the suffix is not needed).
func FitSMS(s string, max int, suffix string) (head, rest string) {
	if SMSSegments(s) <= max {
		return s, ""
	}
	// Binary search over rune boundaries for the longest head that fits.
	bounds := make([]int, 0, len(s))
	for i := range s {
		bounds = append(bounds, i)
	}
	lo, hi := 0, len(bounds)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if SMSSegments(s[:bounds[mid]]+suffix) <= max {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	cut := safeCut(s, bounds[lo])
	return strings.TrimRightFunc(s[:cut], unicode.IsSpace), strings.TrimLeftFunc(s[cut:], unicode.IsSpace)
}

// Split cuts s into pieces of at most max units as measured by size,
// at word boundaries when possible. Telegram uses it with UTF-16 units.
func Split(s string, max int, size func(string) int) []string {
	var out []string
	for size(s) > max {
		bounds := []int{}
		for i := range s {
			bounds = append(bounds, i)
		}
		lo, hi := 1, len(bounds)-1
		for lo < hi {
			mid := (lo + hi + 1) / 2
			if size(s[:bounds[mid]]) <= max {
				lo = mid
			} else {
				hi = mid - 1
			}
		}
		cut := safeCut(s, bounds[lo])
		if cut == 0 {
			cut = bounds[lo]
		}
		out = append(out, strings.TrimRightFunc(s[:cut], unicode.IsSpace))
		s = strings.TrimLeftFunc(s[cut:], unicode.IsSpace)
	}
	if s != "" || len(out) == 0 {
		out = append(out, s)
	}
	return out
}

// UTF16Len is the length of s in UTF-16 code units, as Telegram counts.
func UTF16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// sentenceEnds are the marks after which a cut reads naturally.
var sentenceEnds = []string{". ", "? ", "! ", "\n", "። ", "؟ ", "۔ ", "। ", "፧ "}

// safeCut moves a cut point back to the end of a sentence in the last third
// of s[:cut], else to the last space within the final fifth; failing that,
// back past combining marks, joiners and variation selectors so no
// grapheme is split.
func safeCut(s string, cut int) int {
	if cut >= len(s) {
		return len(s)
	}
	best := -1
	for _, e := range sentenceEnds {
		if i := strings.LastIndex(s[:cut], e); i >= 0 && i+len(e) > best {
			best = i + len(e)
		}
	}
	if best > 0 && best >= cut*2/3 {
		return best
	}
	if sp := strings.LastIndexFunc(s[:cut], unicode.IsSpace); sp > 0 && sp >= cut*4/5 {
		return sp
	}
	for cut > 0 {
		next, _ := utf8.DecodeRuneInString(s[cut:])
		prev, size := utf8.DecodeLastRuneInString(s[:cut])
		if unicode.Is(unicode.Mn, next) || unicode.Is(unicode.Me, next) || unicode.Is(unicode.Mc, next) ||
			next == '\u200D' || next == '\u200C' || (next >= '\uFE00' && next <= '\uFE0F') ||
			(next >= 0x1F3FB && next <= 0x1F3FF) || prev == '\u200D' {
			cut -= size
			continue
		}
		break
	}
	return cut
}
