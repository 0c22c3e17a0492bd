package knowledge

import (
	"slices"
	"testing"
	"unicode/utf8"
)

func TestNormalize(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"latin accents", "Réinsertion À L'ÉTRANGER", "reinsertion a l etranger"},
		{"french ligature", "Sœur, cœur", "soeur coeur"},
		{"german sharp s", "Straße", "strasse"},
		{"vietnamese", "Tiền hỗ trợ đi về", "tien ho tro di ve"},
		{"albanian", "Ndihmë për kthim", "ndihme per kthim"},
		{"fullwidth", "ＯＦＩＩ１１５", "ofii 115"},
		{"punctuation", "  oqtf!!! (48h)...  ", "oqtf 48 h"},
		{"arabic harakat and tatweel", "مُسَاعَدَةـــ", "مساعده"},
		{"arabic alef hamza", "أإآٱ", "اااا"},
		{"waw and yeh hamza", "مسؤول رئيس", "مسوول رییس"},
		{"yeh family", "علي على ېۍێے", "علی علی یییی"},
		{"kaf", "كتاب کتاب", "کتاب کتاب"},
		{"heh family", "ة ە ہ ھ", "ه ه ه ه"},
		{"urdu", "ہے کہاں", "هی کهان"},
		{"persian digits", "۱۶ ساله", "16 ساله"},
		{"arabic digits", "٣٠ يوم", "30 یوم"},
		{"devanagari digits", "११५", "115"},
		{"gurmukhi digits", "੧੧੫", "115"},
		{"ethiopic numerals kept", "፲፭", "፲፭"},
		{"zwnj joins", "می\u200cخواهم", "میخواهم"},
		{"direction marks", "\u200fسلام\u200e \u202bok\u202c", "سلام ok"},
		{"arabic punctuation", "كيف؟ نعم، لا؛", "کیف نعم لا"},
		{"ethiopic punctuation", "ሰላም፣ ሓወይ። ሕቶ፧", "ሰላም ሀወይ ህቶ"},
		{"ethiopic homophones", "ሐ ኀ ሠ ዐ ፀ ሑ ኸ ኹ", "ሀ ሀ ሰ ዐ ጸ ሁ ሀ ሁ"},
		{"ethiopic a-forms", "ሃገር ሓገዝ ኣብ ዓዲ ኧረ ኃይል", "ሀገር ሀገዝ አብ ዐዲ አረ ሀይል"},
		{"pashto and urdu letters kept", "ټول ډېر ښه ږغ کارڈ", "ټول ډیر ښه ږغ کارڈ"},
		{"devanagari candra", "डॉक्टर ऑफिस", "डोक्टर ओफिस"},
		{"script boundary", "ብOFPRA ተነጺጉ", "ብ ofpra ተነጺጉ"},
		{"arabic and latin", "کیسمOQTF", "کیسم oqtf"},
		{"digit letter", "115ን 48heures", "115 ን 48 heures"},
		{"cyrillic", "Їжак ҐАНОК Ёлка й", "іжак ганок елка й"},
		{"cyrillic stress", "до́ля", "доля"},
		{"hindi nukta", "ज़रूरत फ़्रांस", "जरूरत फ्रांस"},
		{"hindi candrabindu", "हैँ", "हैं"},
		{"gurmukhi", "ਫ਼ਰਾਂਸ ਪੰਜਾਬ ਮੁੱਦਾ", "ਫਰਾਂਸ ਪਂਜਾਬ ਮੁਦਾ"},
		{"georgian", "საქართველო", "საქართველო"},
		{"emoji", "help😢please", "help please"},
		{"apostrophes", "l’aide j'ai м'ясо", "l aide j ai м ясо"},
		{"empty", "", ""},
		{"only punctuation", "?!،።", ""},
		{"invalid utf8", "a\xffb", "a b"},
		{"soft hyphen", "ré\u00adinsertion", "reinsertion"},
		{"presentation forms", "ﻻ ﷲ", "لا الله"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Normalize(tt.in)
			if got != tt.want {
				t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if again := Normalize(got); again != got {
				t.Errorf("not idempotent: %q -> %q", got, again)
			}
		})
	}
}

func TestNormalizePersianZWNJ(t *testing.T) {
	// The joined and ZWNJ forms normalise identically; the spaced form is
	// left to the analysers (verbal prefix).
	if a, b := Normalize("می‌خواهم"), Normalize("میخواهم"); a != b {
		t.Errorf("ZWNJ form %q != joined form %q", a, b)
	}
	if got := Tokens("می خواهم"); !slices.Equal(got, []string{"می", "خواهم"}) {
		t.Errorf("spaced form tokens = %q", got)
	}
}

func TestTokens(t *testing.T) {
	got := Tokens("Bonjour, j'ai reçu une OQTF!")
	want := []string{"bonjour", "j", "ai", "recu", "une", "oqtf"}
	if !slices.Equal(got, want) {
		t.Errorf("Tokens = %q, want %q", got, want)
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{
		"", "Réinsertion", "می‌خواهم", "ብOFPRA", "۱۶ ساله", "ज़रूरत", "ਮੁੱਦਾ",
		"İstanbul", "ﷺ", "a\u0301\u0308", " \u0301x", "Ǆ", "ﬃ", "\u0345", "ᾳ",
		"\xff\xfe", "ΐ", "Ꮃ", "ꮃ", "ẞ", "00000000\xf4º", "\u0644\u0670", "ㄱ\u1161", "가\u11a8",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Normalize(s)
		if !utf8.ValidString(got) {
			t.Fatalf("Normalize(%q) = %q is not valid UTF-8", s, got)
		}
		if again := Normalize(got); again != got {
			t.Fatalf("not idempotent: Normalize(%q) = %q, then %q", s, got, again)
		}
	})
}
