package control

import (
	"slices"
	"strings"
	"testing"

	"github.com/passerelle-org/passerelle/knowledge"
)

func TestLoad(t *testing.T) {
	if _, err := load(wordsYAML); err != nil {
		t.Fatal(err)
	}
}

// required are the words other teammates' translations tell users to type.
var required = map[Intent]map[string]string{
	Menu:     {"ar": "قائمة", "fa": "منو", "ps": "مینو", "ur": "مینو", "ckb": "لیست", "ti": "ዝርዝር", "am": "ዝርዝር", "so": "liis"},
	Language: {"ar": "لغة", "fa": "زبان", "ps": "ژبه", "ur": "زبان", "ckb": "زمان", "ti": "ቋንቋ", "am": "ቋንቋ", "so": "luqad"},
	Person:   {"ar": "شخص", "fa": "شخص", "ps": "انسان", "ur": "شخص", "ckb": "کەس", "ti": "ሰብ", "am": "ሰው", "so": "qof"},
	Delete:   {"ar": "احذف", "fa": "حذف", "ps": "ړنګ", "ur": "حذف", "ckb": "سڕینەوە", "ti": "ደምስስ", "am": "ሰርዝ", "so": "tirtir"},
	Stop:     {"ar": "توقف", "fa": "توقف", "ps": "بند", "ur": "بند", "ckb": "وەستان", "ti": "ደው በል", "am": "አቁም", "so": "jooji"},
	Start:    {"ar": "ابدأ", "fa": "شروع", "ps": "پیل", "ur": "شروع", "ckb": "دەستپێک", "ti": "ጀምር", "am": "ጀምር", "so": "bilow"},
	More:     {"ar": "المزيد", "fa": "بیشتر", "ps": "نور", "ur": "مزید", "ckb": "زیاتر", "ti": "ተወሳኺ", "am": "ተጨማሪ", "so": "wax dheeraad"},
}

func TestRequiredWords(t *testing.T) {
	for intent, byLang := range required {
		for lang, w := range byLang {
			got, _, ok := MatchIn(w, lang)
			if !ok || got != intent {
				t.Errorf("MatchIn(%q, %s) = %q, %v; want %s", w, lang, got, ok, intent)
			}
		}
	}
}

// TestEveryIntentEveryLanguage checks that each language has a word for
// each intent, that it matches, and that it still matches as people type
// it: upper case, punctuation, emoji, spaces.
func TestEveryIntentEveryLanguage(t *testing.T) {
	tb := words()
	for _, intent := range Intents() {
		for _, lang := range knowledge.Languages() {
			list, ok := tb.lists[intent][lang]
			if !ok {
				t.Errorf("%s has no word for %s", lang, intent)
				continue
			}
			w := list[0]
			if Word(intent, lang) != w {
				t.Errorf("Word(%s, %s) = %q, want %q", intent, lang, Word(intent, lang), w)
			}
			for _, typed := range []string{w, strings.ToUpper(w), "  " + w + " !", w + " 🙏", "« " + w + " »", w + "?", w + "."} {
				got, gotLang, ok := MatchIn(typed, lang)
				if !ok || got != intent {
					t.Errorf("MatchIn(%q, %s) = %q, %v; want %s", typed, lang, got, ok, intent)
				}
				if gotLang != "" && gotLang != lang {
					t.Errorf("MatchIn(%q, %s) lang = %q", typed, lang, gotLang)
				}
				if _, _, ok := Match(typed); !ok {
					t.Errorf("Match(%q) no match", typed)
				}
			}
		}
	}
}

func TestMatchCases(t *testing.T) {
	for _, c := range []struct {
		text   string
		intent Intent
		lang   string
	}{
		// SMS keywords
		{"STOP", Stop, ""}, {"Stop.", Stop, ""}, {"STOPALL", Stop, "en"}, {"UNSUBSCRIBE", Stop, "en"},
		{"CANCEL", Stop, "en"}, {"END", Stop, "en"}, {"QUIT", Stop, "en"}, {"REVOKE", Stop, "en"},
		{"OPTOUT", Stop, "en"}, {"opt-out", Stop, "en"}, {"START", Start, ""}, {"UNSTOP", Start, "en"},
		{"YES", Yes, "en"}, {"HELP", Help, "en"}, {"INFO", Help, ""}, {"MORE", More, "en"},
		{"arrêt", Stop, "fr"}, {"ARRET", Stop, "fr"},
		// phrases
		{"talk to a person", Person, "en"}, {"Talk to a person please", Person, "en"},
		{"delete my data", Delete, "en"}, {"supprimer mes données", Delete, "fr"},
		{"Supprimer mes donnees", Delete, "fr"}, {"parler à quelqu'un", Person, "fr"},
		{"parler a quelqu un", Person, "fr"}, {"menu svp", Menu, ""}, {"main menu", Menu, "en"},
		{"non merci", No, "fr"}, {"ok", Yes, ""}, {"Oui", Yes, "fr"},
		// Telegram commands
		{"/start", Start, ""}, {"/start@PasserelleBot", Start, ""}, {"/start qr-paris-12", Start, ""},
		{"/menu", Menu, ""}, {"/help", Help, "en"}, {"/stop", Stop, ""}, {"/language", Language, "en"},
		// Arabic-script letter variants and diacritics
		{"القائمه", Menu, "ar"}, {"قائمه", Menu, "ar"}, {"ابدا", Start, "ar"}, {"إبدأ", Start, "ar"},
		{"اِبْدَأْ", Start, "ar"}, {"منو", Menu, "fa"}, {"سڕینەوه", Delete, "ckb"}, {"سرینەوە", Delete, "ckb"},
		{"مينو", Menu, ""}, {"ژبه", Language, "ps"}, {"نه", No, ""}, {"بله", Yes, "fa"}, {"نعم", Yes, "ar"},
		{"لا", No, "ar"}, {"مساعدة", Help, "ar"}, {"ጀምር", Start, ""}, {"ደውበል", Stop, "ti"},
		// romanised and accents dropped
		{"xoa", Delete, "vi"}, {"khong", No, "vi"}, {"haan ji", Yes, ""}, {"me shume", More, "sq"},
	} {
		intent, lang, ok := Match(c.text)
		if !ok || intent != c.intent || lang != c.lang {
			t.Errorf("Match(%q) = %q, %q, %v; want %s, %q", c.text, intent, lang, ok, c.intent, c.lang)
		}
	}
}

// TestNotControl: a control word inside a question, or an ordinary answer
// that looks like one, is not a control word.
func TestNotControl(t *testing.T) {
	for _, text := range []string{
		"", "   ", "🙏", "?", "115", "OQTF",
		"how do I stop my asylum claim", "stop beating me", "please help me my husband is hitting me",
		"help me", "aidez-moi", "ساعدني", "please help", "help please", "aide svp", "what is on the menu at the shelter", "yes I have an OQTF",
		"no money", "no I am from Guinea", "I want to delete my asylum request", "more money for return?",
		"je veux arrêter ma demande d'asile", "personne ne m'aide", "retour", "aide au retour", "plus d'argent pour le retour",
		"لا أعرف", "نه، من افغان هستم", "هل يمكنني التوقف عن العمل؟", "شروع کار در کابل",
		"کیا میں واپسی بند کر سکتا ہوں؟", "ደው በል ኢሉኒ ፖሊስ", "jooji karaa codsiga magangalyada?",
		"talk to a person about my OQTF tomorrow morning please", "/", "/@bot",
		strings.Repeat("stop ", 100),
	} {
		if intent, lang, ok := Match(text); ok {
			t.Errorf("Match(%q) = %s, %q; want no match", text, intent, lang)
		}
	}
}

func TestMatchIn(t *testing.T) {
	for _, c := range []struct {
		text, conv string
		ok         bool
	}{
		{"نور", "ps", true}, {"نور", "ar", false}, {"نور", "fa", false},
		{"زمان", "ckb", true}, {"زمان", "fa", false},
		{"menu", "ti", true}, {"stop", "ka", true}, {"aide", "ps", true}, {"ok", "am", true},
		{"po", "sq", true}, {"po", "fr", false}, {"jo", "so", false},
		{"شروع", "ur", true}, {"شروع", "fa", true}, {"شروع", "ar", false},
	} {
		_, _, ok := MatchIn(c.text, c.conv)
		if ok != c.ok {
			t.Errorf("MatchIn(%q, %s) ok = %v, want %v", c.text, c.conv, ok, c.ok)
		}
	}
}

func FuzzMatch(f *testing.F) {
	for _, s := range []string{"stop", "/start@x y", "القائمه", "ደው በል", "\xff", "/", "ok 🙏", "s'il vous plaît menu"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		intent, lang, ok := Match(s)
		if !ok {
			if intent != "" || lang != "" {
				t.Fatalf("Match(%q) = %q, %q without a match", s, intent, lang)
			}
			return
		}
		if !slices.Contains(Intents(), intent) {
			t.Fatalf("Match(%q) = unknown intent %q", s, intent)
		}
		if lang != "" && !knowledge.IsLanguage(lang) {
			t.Fatalf("Match(%q) = unknown language %q", s, lang)
		}
		if _, _, ok := MatchIn(s, "en"); !ok && lang == "en" {
			t.Fatalf("MatchIn(%q, en) fails where Match finds English", s)
		}
	})
}
