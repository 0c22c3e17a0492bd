package knowledge

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// CheckFacts compares the figures of every translated article with those
// of the English article of its topic and returns one Problem per article
// whose figures differ (nil when none does). English is the reference:
// the facts are those of the English and French articles and facts.md.
//
// A figure is a number written with digits in the summary or the body: an
// amount, a phone number, a deadline or duration, a year. Digits of every
// script count (۱۲۰۰ is 1200), and so do the usual ways of writing one
// number: "1,200", "1 200", "1.200", "1200" and "€1,200", "1200 €",
// "1 200 EUR" all read 1200; "116 117" and "116117" are one number; a
// phone number in groups ("01 42 500 900") is one number; a date in
// digits ("23/11/2026", "2026-11-23", "12/2025") reads as its day and
// year, since the English text names the month in words; "2006–12" also reads 2012.
//
// Numbers of two digits or more must match both ways: one in the English
// article that the translation lacks is a problem, and so is one the
// translation adds. A one-digit number is a problem only when the
// translation adds it: the English may write it in digits where the
// translation uses a word ("3 months", "سه ماه"), but a digit the English
// does not have, in digits or in words ("three", "first"), is a changed
// fact.
func CheckFacts(b *Base) Problems {
	var out Problems
	for _, a := range b.ordered {
		if a.Lang == "en" {
			continue
		}
		en, ok := b.Article(a.Topic, "en")
		if !ok {
			continue
		}
		if msg := compareFacts(factsOf(en, true), factsOf(a, false)); msg != "" {
			out = append(out, Problem{Path: a.Path, Msg: "facts differ from " + en.Path + ": " + msg})
		}
	}
	return out
}

// figure is one number found in a text, with the values it may be read
// as (a year range "2006–12" is 12 or 2012) and what kind it looks like.
type figure struct {
	values []string
	kind   string // "amount", "phone", "duration", "year" or "number"
	text   string // as written, for messages
}

// factSet is the figures of one article.
type factSet struct {
	figs  []figure
	words map[string]bool // values written in words (English only)
}

// has reports whether v is one of the set's values, in digits or words.
func (s factSet) has(v string) bool {
	if s.words[v] {
		return true
	}
	for _, f := range s.figs {
		if slices.Contains(f.values, v) {
			return true
		}
	}
	return false
}

func (s factSet) hasAny(vs []string) bool {
	return slices.ContainsFunc(vs, s.has)
}

func factsOf(a *Article, reference bool) factSet {
	text := a.Summary + "\n" + a.Body
	s := factSet{figs: extractFigures(text)}
	if reference {
		s.words = numberWords(text)
	}
	return s
}

// compareFacts describes how got's figures differ from want's, or returns
// "" when they agree.
func compareFacts(want, got factSet) string {
	var missing, extra []string
	seen := map[string]bool{}
	for _, f := range want.figs {
		if long(f) && !got.hasAny(f.values) && !seen[f.values[0]] {
			seen[f.values[0]] = true
			missing = append(missing, f.describe())
		}
	}
	seen = map[string]bool{}
	for _, f := range got.figs {
		if !want.hasAny(f.values) && !seen[f.values[0]] {
			seen[f.values[0]] = true
			extra = append(extra, f.describe())
		}
	}
	var parts []string
	if len(missing) > 0 {
		parts = append(parts, "missing "+strings.Join(missing, ", "))
	}
	if len(extra) > 0 {
		parts = append(parts, "not in English "+strings.Join(extra, ", "))
	}
	return strings.Join(parts, "; ")
}

// long reports whether a figure has two digits or more.
func long(f figure) bool { return len(f.values[0]) > 1 }

func (f figure) describe() string {
	if f.kind == "number" {
		return strconv.Quote(f.text)
	}
	return fmt.Sprintf("%q (%s)", f.text, f.kind)
}

// group is one run of digits in a text.
type group struct {
	digits     string // ASCII digits
	start, end int    // byte offsets in the text
	sep        string // text between the previous group and this one
}

// digitGroups finds the runs of decimal digits of any script in text.
// Format characters (direction marks) inside a number are skipped.
func digitGroups(text string) []group {
	var gs []group
	var cur []byte
	start, last := -1, 0
	flush := func(end int) {
		if cur != nil {
			sep := ""
			if len(gs) > 0 {
				sep = text[gs[len(gs)-1].end:start]
			} else {
				sep = text[:start]
			}
			gs = append(gs, group{digits: string(cur), start: start, end: end, sep: sep})
			cur = nil
		}
	}
	for i, r := range text {
		switch {
		case unicode.Is(unicode.Nd, r):
			if cur == nil {
				start = i
			}
			cur = append(cur, byte('0'+digitValue(r)))
			last = i + len(string(r))
		case cur != nil && unicode.Is(unicode.Cf, r):
			// a direction mark between digits
		default:
			flush(last)
		}
	}
	flush(last)
	return gs
}

// thousandsSep holds the characters that separate groups of three digits.
const thousandsSep = ",. \u00a0\u202f\u2009\u066c'’"

// dateSep holds the characters of dates written in digits.
const dateSep = "/.-"

// extractFigures reads the numbers of text (see CheckFacts).
func extractFigures(text string) []figure {
	gs := digitGroups(text)
	var out []figure
	for i := 0; i < len(gs); {
		g := gs[i]
		at := func(k int) (group, bool) {
			if i+k < len(gs) {
				return gs[i+k], true
			}
			return group{}, false
		}
		// A date: d/m/yyyy, d.m.yyyy, yyyy-mm-dd.
		if g2, ok := at(1); ok {
			if g3, ok := at(2); ok && len(g2.sep) == 1 && g2.sep == g3.sep && strings.Contains(dateSep, g2.sep) && len(g2.digits) <= 2 {
				switch {
				case len(g.digits) <= 2 && len(g3.digits) == 4:
					out = append(out, plain(trimZeros(g.digits), text[g.start:g3.end]), plain(g3.digits, text[g.start:g3.end]))
					i += 3
					continue
				case len(g.digits) == 4 && len(g3.digits) <= 2 && g2.sep == "-":
					out = append(out, plain(g.digits, text[g.start:g3.end]), plain(trimZeros(g3.digits), text[g.start:g3.end]))
					i += 3
					continue
				}
			}
		}
		// A month and year: 12/2025, 03.2016; the English names the month.
		if g2, ok := at(1); ok && len(g.digits) <= 2 && isOneOf(g2.sep, dateSep) && isYear(g2.digits) {
			out = append(out, plain(g2.digits, text[g.start:g2.end]))
			i += 2
			continue
		}
		// A phone number in groups: 01 42 500 900, 0800 32 745.
		if len(g.digits) >= 2 && g.digits[0] == '0' {
			j, digits := i+1, g.digits
			for j < len(gs) && len(digits) < 10 && isPhoneSep(gs[j].sep) && len(gs[j].digits) >= 2 && len(gs[j].digits) <= 4 {
				digits += gs[j].digits
				j++
			}
			if j > i+1 {
				out = append(out, figure{values: []string{digits}, text: text[g.start:gs[j-1].end], kind: "phone"})
				i = j
				continue
			}
		}
		// Thousands: 1,200 / 1 200 / 1.200; also 116 117.
		j, digits := i+1, g.digits
		if len(g.digits) <= 3 {
			for j < len(gs) && len(gs[j].digits) == 3 && isOneOf(gs[j].sep, thousandsSep) {
				digits += gs[j].digits
				j++
			}
		}
		end := gs[j-1].end
		f := plain(trimZeros(digits), text[g.start:end])
		if j == i+1 && len(digits) <= 2 && monthName(text[:g.start]) {
			i = j // a month written as a number: the English names it
			continue
		}
		// A year range: 2006–12 is also 2012.
		if j == i+1 && isYear(digits) {
			if g2, ok := at(1); ok && len(g2.digits) == 2 && isOneOf(g2.sep, "-–—") {
				out = append(out, f, figure{values: []string{g2.digits, digits[:2] + g2.digits}, text: text[g.start:g2.end], kind: "year"})
				i += 2
				continue
			}
		}
		f.kind = kindOf(f, text[end:])
		if f.kind == "number" {
			f.kind = kindBefore(text[:g.start])
		}
		out = append(out, f)
		i = j
	}
	return out
}

// monthWords are the words before a number that make it the name of a
// month: Vietnamese "tháng 12" is December ("12 tháng" is 12 months).
var monthWords = []string{"thang"} // normalised

// monthName reports whether the text before a number ends with a month
// word.
func monthName(before string) bool {
	if len(before) > 32 {
		before = strings.ToValidUTF8(before[len(before)-32:], "")
	}
	toks := Tokens(before)
	return len(toks) > 0 && slices.Contains(monthWords, toks[len(toks)-1])
}

func plain(v, text string) figure {
	f := figure{values: []string{v}, text: text, kind: "number"}
	if isYear(v) {
		f.kind = "year"
	}
	return f
}

// isYear reports whether digits look like a year of this century or the
// last.
func isYear(digits string) bool {
	return len(digits) == 4 && (digits[:2] == "19" || digits[:2] == "20")
}

func trimZeros(s string) string {
	t := strings.TrimLeft(s, "0")
	if t == "" {
		return "0"
	}
	return t
}

func isPhoneSep(s string) bool { return isOneOf(s, " \u00a0.-") }

// isOneOf reports whether s is exactly one of the characters of set.
func isOneOf(s, set string) bool {
	r := []rune(s)
	return len(r) == 1 && strings.ContainsRune(set, r[0])
}

// amountWords start the words for euros (normalised). A word after a
// number that starts with one of these or of durationWords gives the
// figure its kind, which only labels it in messages.
var amountWords = []string{"eur", "يورو", "یورو", "यूरो", "ਯੂਰੋ", "євро", "ევრო", "ዩሮ", "ይሮ"}

// durationWords start the words for hours, days, weeks, months and years
// in the 16 languages (compared normalised; two letters or fewer must
// match a whole word).
var durationWords = []string{
	"hour", "day", "week", "month", "year", "heure", "jour", "semaine", "mois", "an", "ans", "h",
	"ساعه", "یوم", "ایام", "اسبوع", "شهر", "سنه", "سنوات", "عام", "روز", "هفته", "ماه", "سال",
	"ورځ", "ورځی", "اونی", "میاشت", "کال", "دن", "گهنت", "مهین", "هفت",
	"رۆژ", "هەفت", "مانگ", "ساڵ", "کاتژمێر",
	"घंट", "दिन", "हफ्त", "सप्ताह", "महीन", "साल", "वर्ष", "ਘਂਟ", "ਦਿਨ", "ਹਫਤ", "ਮਹੀਨ", "ਸਾਲ",
	"годин", "дн", "день", "тижн", "місяц", "рок", "рік", "ор", "dit", "dite", "jav", "muaj", "vit", "vjet",
	"საათ", "დღ", "კვირ", "თვ", "წელ", "saac", "maalin", "toddobaad", "bil", "sano", "sanad",
	"gio", "ngay", "tuan", "thang", "nam", "ሰአት", "ቀን", "ሳምንት", "ወር", "አመት", "መአልቲ", "ሰሙን",
}

// kindOf looks at the text after a number for an amount or a time unit.
func kindOf(f figure, after string) string {
	if f.kind != "number" {
		return f.kind
	}
	after = strings.TrimLeft(after, " \u00a0\u202f")
	if strings.HasPrefix(after, "€") {
		return "amount"
	}
	toks := Tokens(firstWords(after))
	starts := func(p string) bool {
		p = Normalize(p)
		return len(toks) > 0 && strings.HasPrefix(toks[0], p) && (utf8.RuneCountInString(p) > 2 || toks[0] == p)
	}
	if slices.ContainsFunc(amountWords, starts) {
		return "amount"
	}
	if slices.ContainsFunc(durationWords, starts) {
		return "duration"
	}
	if slices.Contains(emergencyNumbers, f.values[0]) {
		return "phone"
	}
	return "number"
}

// kindBefore looks at the text before a number for a currency sign.
func kindBefore(before string) string {
	before = strings.TrimRight(before, " \u00a0\u202f")
	if strings.HasSuffix(before, "€") || strings.HasSuffix(strings.ToUpper(before), "EUR") {
		return "amount"
	}
	return "number"
}

// firstWords returns the start of s, enough to hold a unit.
func firstWords(s string) string {
	n := 0
	for i := range s {
		if n == 24 {
			return s[:i]
		}
		n++
	}
	return s
}

// emergencyNumbers are the short French and EU numbers the articles give.
var emergencyNumbers = []string{"15", "17", "18", "112", "114", "115", "119", "196", "3919", "116117"}

// englishNumbers are the number words of English (and the few French ones
// an English article may quote), as the values they stand for.
var englishNumbers = map[string]string{
	"zero": "0", "one": "1", "once": "1", "first": "1", "single": "1", "two": "2", "twice": "2",
	"second": "2", "both": "2", "three": "3", "third": "3", "four": "4", "fourth": "4", "five": "5",
	"fifth": "5", "six": "6", "sixth": "6", "seven": "7", "seventh": "7", "eight": "8", "eighth": "8",
	"nine": "9", "ninth": "9", "ten": "10", "tenth": "10", "eleven": "11", "twelve": "12",
	"fifteen": "15", "twenty": "20", "thirty": "30", "hundred": "100",
}

// numberWords returns the values English text writes in words.
func numberWords(text string) map[string]bool {
	out := map[string]bool{}
	for _, t := range Tokens(text) {
		if v, ok := englishNumbers[t]; ok {
			out[v] = true
		}
	}
	// "a month", "a year": one, in words.
	out["1"] = out["1"] || strings.Contains(strings.ToLower(text), " a month") || strings.Contains(strings.ToLower(text), " a year")
	return out
}
