package locales

import (
	"regexp"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/bidi"
)

const (
	zwnj = "\u200C" // ZERO WIDTH NON-JOINER: part of Persian spelling (می‌خواهم)
	lrm  = "\u200E" // LEFT-TO-RIGHT MARK
	rlm  = "\u200F" // RIGHT-TO-LEFT MARK
)

// TestRoundTripInvisibleCharacters checks that ZWNJ, RLM, LRM and Ethiopic punctuation come
// out of Load and T byte for byte, whether written as characters or as YAML escapes.
func TestRoundTripInvisibleCharacters(t *testing.T) {
	want := map[string]string{
		"zwnj":     "من می" + zwnj + "خواهم برگردم. پیام" + zwnj + "ها",
		"marks":    rlm + "OQTF یعنی چه؟ " + lrm + "2025-01-31" + rlm,
		"ethiopic": "ሰላም። ቋንቋ፣ ዝርዝር፦ ሰው፤",
		"escaped":  "منو" + lrm + " (MENU)" + rlm,
		"date":     "تاریخ: " + lrm + "2025-01-31.",
	}
	c := loadFixture(t, map[string]string{
		"messages/en.yaml": "zwnj: a\nmarks: b\nethiopic: c\nescaped: d\ndate: \"{{.Date}}\"\n",
		"messages/fa.yaml": "zwnj: \"" + want["zwnj"] + "\"\n" +
			"marks: \"" + want["marks"] + "\"\n" +
			"escaped: \"منو\\u200E (MENU)\\u200F\"\n" +
			"date: \"تاریخ: \\u200E{{.Date}}.\"\n",
		"messages/am.yaml": "ethiopic: \"" + want["ethiopic"] + "\"\n",
	})
	fa, am := c.Printer("fa"), c.Printer("am")
	data := map[string]any{"Date": "2025-01-31"}
	for key, w := range want {
		p := fa
		if key == "ethiopic" {
			p = am
		}
		if got := p.T(key, data); got != w {
			t.Errorf("%s: T = %+q, want %+q", key, got, w)
		}
	}

	// The real files: every message without a template comes out exactly as decoded.
	real := mustLoad(t)
	for code, msgs := range rawMessages(t) {
		p := real.Printer(code)
		for key, v := range msgs {
			if !strings.Contains(v, "{{") && v != "" {
				if got := p.T(key, nil); got != v {
					t.Errorf("%s: %s: T = %+q, file has %+q", code, key, got, v)
				}
			}
		}
	}
	checks := []struct{ lang, key, want string }{
		{"fa", "language.set", "می" + zwnj + "نویسم"},
		{"fa", "control.help", "می" + zwnj + "توانید"},
		{"ar", "answer.sources", lrm + "2025-01-31"},
		{"fa", "answer.sources", lrm + "2025-01-31"},
		{"am", "control.help", "፣"},
		{"am", "control.help", "።"},
		{"ti", "control.help", "፣"},
		{"ti", "control.help", "።"},
	}
	for _, ck := range checks {
		if !real.HasKey(ck.lang, ck.key) {
			continue // the file does not exist yet; TestEveryLanguageHasEveryMessage reports it
		}
		if got := real.Printer(ck.lang).T(ck.key, sampleData); !strings.Contains(got, ck.want) {
			t.Errorf("%s %s = %+q, want it to contain %+q", ck.lang, ck.key, got, ck.want)
		}
	}
}

// TestRTLMessagesStartRightToLeft checks that no message of a right-to-left language starts
// (before its first strong character) with a Latin word or a template value, which would make
// chat apps lay out the whole message left-to-right. A message that must start with a Latin
// word starts with U+200F RIGHT-TO-LEFT MARK instead.
func TestRTLMessagesStartRightToLeft(t *testing.T) {
	c := mustLoad(t)
	raw := rawMessages(t)
	for _, l := range c.Languages() {
		if l.Dir != "rtl" {
			continue
		}
		for key, v := range raw[l.Code] {
			if problem := paragraphStart(v); problem != "" {
				t.Errorf("%s: %s = %q: %s", l.Code, key, v, problem)
			}
		}
	}
}

// paragraphStart explains why s would not be laid out right-to-left, or returns "". It
// follows rule P2 of the Unicode bidi algorithm: the first character of class L, R or AL,
// skipping isolates, sets the paragraph direction.
func paragraphStart(s string) string {
	isolates := 0
	for i, r := range s {
		if strings.HasPrefix(s[i:], "{{") && isolates == 0 {
			return "starts with a template value, whose direction is unknown"
		}
		p, _ := bidi.LookupRune(r)
		switch p.Class() {
		case bidi.LRI, bidi.RLI, bidi.FSI:
			isolates++
		case bidi.PDI:
			if isolates > 0 {
				isolates--
			}
		case bidi.R, bidi.AL:
			if isolates == 0 {
				return ""
			}
		case bidi.L:
			if isolates == 0 {
				return "its first strong character " + string(r) + " is left-to-right"
			}
		case bidi.LRE, bidi.RLE, bidi.LRO, bidi.RLO, bidi.PDF:
			return "uses a legacy bidi embedding; use RLM/LRM marks"
		}
	}
	return "has no right-to-left letter"
}

// TestZWNJPlacement checks that in Arabic-script files every ZWNJ sits between two letters (a
// ZWNJ beside a space or another ZWNJ is a typing slip), and that Dari verbs are spelt with
// the prefix joined by ZWNJ (می‌خواهم, not می خواهم).
func TestZWNJPlacement(t *testing.T) {
	c := mustLoad(t)
	raw := rawMessages(t)
	detached := regexp.MustCompile(`(^|[\s(«"])ن?می[ \x{00A0}]`)
	for _, l := range c.Languages() {
		if l.Script != "Arab" {
			continue
		}
		for key, v := range raw[l.Code] {
			runes := []rune(v)
			for i, r := range runes {
				if r != '\u200C' {
					continue
				}
				if i == 0 || i == len(runes)-1 || !unicode.IsLetter(runes[i-1]) || !unicode.IsLetter(runes[i+1]) {
					t.Errorf("%s: %s: ZWNJ at rune %d is not between two letters", l.Code, key, i)
				}
			}
			if l.Code == "fa" && detached.MatchString(v) {
				t.Errorf("fa: %s = %q: join the verb prefix with ZWNJ (می‌...)", key, v)
			}
		}
	}
}
