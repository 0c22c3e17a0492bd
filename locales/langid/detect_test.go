package langid

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestLexiconLoads(t *testing.T) {
	l, err := loadLexicon(dataFS)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range codes {
		if l.script[i] == "" {
			t.Errorf("%s has no script", c)
		}
	}
}

func TestDetectNothing(t *testing.T) {
	for _, text := range []string{"", "   ", "😀👍🙏", "0612345678", "115", "?!", "OQTF", "OFII AME", "Mohamed", "\xff\xfe", "中文"} {
		got := Detect(text)
		if got.Lang != "" || got.Confidence != 0 {
			t.Errorf("Detect(%q) = %+v, want no language", text, got)
		}
	}
}

func TestDetectNames(t *testing.T) {
	for text, want := range map[string]string{
		"ትግርኛ": "ti", "አማርኛ": "am", "العربية": "ar", "Soomaali": "so", "پښتو": "ps",
		"kurdî": "ckb", "کوردی": "ckb", "Shqip": "sq", "اردو": "ur", "فارسی": "fa", "دری": "fa",
		"Tiếng Việt": "vi", "English": "en", "Français": "fr", "हिन्दी": "hi", "ਪੰਜਾਬੀ": "pa",
		"Українська": "uk", "ქართული": "ka", "farsi": "fa", "Pashto": "ps", "tigrinya": "ti",
	} {
		if got := Detect(text); got.Lang != want {
			t.Errorf("Detect(%q) = %+v, want %s", text, got, want)
		}
	}
}

func TestDetectCases(t *testing.T) {
	for _, c := range []struct{ text, want, script string }{
		{"AME چیست", "fa", Arabic},
		{"OQTF لە پرێفێکتۆری", "ckb", Arabic},
		{"Можна поговорити з живою людиною? тільки трохи English", "uk", Cyrillic},
		{"CRA-ში ვარ", "ka", Georgian},
		{"salam 5oya bghit nrje3 l bladi", "ar", Latin},
		{"chetor mitanam bargardam", "fa", Latin},
		{"co ai don em o san bay khong", "vi", Latin},
		{"pershendetje, sa kohe mund te me mbajne", "sq", Latin},
		{"سلاو، ئەگەر بگەريمەوە بۆ سليمانى", "ckb", Arabic}, // Arabic-keyboard letters
		{"شوهرم میکنه", "fa", Arabic},
		{"ما عنديش الوراق", "ar", Arabic},
	} {
		got := Detect(c.text)
		if got.Lang != c.want || got.Script != c.script {
			t.Errorf("Detect(%q) = %+v, want %s in %s", c.text, got, c.want, c.script)
		}
		if got.Confidence <= 0 || got.Confidence > 1 {
			t.Errorf("Detect(%q) confidence %v out of (0,1]", c.text, got.Confidence)
		}
	}
}

func TestKeep(t *testing.T) {
	for _, c := range []struct {
		current, text, want string
		switched            bool
	}{
		// short messages, admin words, numbers, courtesy, names: no switch
		{"fa", "ok", "fa", false},
		{"ar", "merci", "ar", false},
		{"ti", "OQTF OFII préfecture", "ti", false},
		{"ps", "0612345678", "ps", false},
		{"ur", "Mohamed Ali", "ur", false},
		{"so", "thank you", "so", false},
		{"en", "bonjour", "en", false},
		{"fa", "سلام چطوری", "fa", false},    // same script, short
		{"ur", "کیا حال ہے", "ur", false},    // same language
		{"fa", "salam chetori", "fa", false}, // romanised own language
		{"ar", "3andi mochkil m3a lwra9", "ar", false},
		{"fr", "ok merci beaucoup", "fr", false},
		{"uk", "CRA", "uk", false},
		// a different script switches
		{"fr", "السلام عليكم، هل يمكنني العودة؟", "ar", true},
		{"en", "ሰላም፣ ናብ ዓደይ ክምለስ እደሊ", "ti", true},
		{"ar", "Добрий день", "uk", true},
		// a language's own name switches
		{"fr", "Soomaali", "so", true},
		{"ar", "ትግርኛ", "ti", true},
		// strong evidence in a long message switches
		{"en", "bonjour je voudrais savoir comment avoir l'aide au retour", "fr", true},
		{"fa", "میں فرانس میں تین سال سے ہوں، کیا مجھے واپسی کی مدد مل سکتی ہے؟", "ur", true},
		{"ar", "I want to go back to my country, how can I get the help for the ticket?", "en", true},
		// no current language: take the detected one
		{"", "Waxaan rabaa inaan dalkeyga ku laabto", "so", true},
		{"", "👍", "", false},
	} {
		got, sw := Keep(c.current, c.text)
		if got != c.want || sw != c.switched {
			t.Errorf("Keep(%q, %q) = %q, %v; want %q, %v", c.current, c.text, got, sw, c.want, c.switched)
		}
	}
}

func FuzzDetect(f *testing.F) {
	for _, s := range []string{"", "hello", "ሰላም", "سلام", "3andi", "\xff", "a'", "'", "ئ", "é\u0301", strings.Repeat("ab ", 3000)} {
		f.Add(s)
	}
	valid := map[string]bool{"": true}
	for _, c := range codes {
		valid[c] = true
	}
	f.Fuzz(func(t *testing.T, s string) {
		r := Detect(s)
		if !valid[r.Lang] {
			t.Fatalf("Detect(%q) = invalid code %q", s, r.Lang)
		}
		if r.Confidence < 0 || r.Confidence > 1 || (r.Lang == "") != (r.Confidence == 0) {
			t.Fatalf("Detect(%q) = %+v: bad confidence", s, r)
		}
		if !utf8.ValidString(r.Script) {
			t.Fatalf("bad script %q", r.Script)
		}
		l, _ := Keep("fr", s)
		if !valid[l] {
			t.Fatalf("Keep(fr, %q) = %q", s, l)
		}
	})
}

var sink Result

func BenchmarkDetect(b *testing.B) {
	texts := []string{
		"my pasport expired last year, can i still go home with OFII help",
		"شش ماه است که در فرانسه هستم، کیس پناهندگی ندارم و OQTF هم نگرفتم، حق کمک برگشت را دارم؟",
		"ሰላም፣ ሓድሽ ናብ ፈረንሳ መጺአ። ሕቶ ዑቕባ ንምቕራብ ኣበይ ክኸይድ ኣለኒ?",
		"salam 5oya, bghit nrje3 l bladi, kifach ndir l aide au retour?",
	}
	Detect(texts[0]) // load the lexicon
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sink = Detect(texts[i%len(texts)])
	}
}
