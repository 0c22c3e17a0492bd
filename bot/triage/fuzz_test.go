package triage

import (
	"strings"
	"testing"
)

// FuzzAssess checks that Assess never panics and keeps its invariants on
// any input, including invalid UTF-8.
func FuzzAssess(f *testing.F) {
	tr := newTriage(f)
	for _, s := range []string{
		"", " ", "my husband is beating me right now",
		"راني في CRA تاع ليون، قالولي غدوة الطيارة",
		"ሰብኣየይ ሕጂ ይወቕዓኒ ኣሎ", "ma3andich fin nbat lila", "\xff\xfe\xfd", "a\x00b",
		"16 ans 48h", "*~#age", "\u200c\u200d\u0640", strings.Repeat("now ", 500),
	} {
		f.Add(s, "fr")
		f.Add(s, "")
	}
	f.Fuzz(func(t *testing.T, text, lang string) {
		r := tr.Assess(text, lang)
		if r.Urgent != (len(r.Kinds) > 0) || r.Urgent != (r.Topic != "") {
			t.Fatalf("inconsistent result %+v for %q", r, text)
		}
	})
}

// benchMessages are typical messages: urgent, tricky, ordinary, long.
var benchMessages = []struct{ text, lang string }{
	{"my husband is beating me right now and he locked the door, i am so scared please help", "en"},
	{"Bonjour, si je demande l'aide au retour est-ce que mon pays va être prévenu ?", "fr"},
	{"راني في CRA تاع ليون، قالولي غدوة الطيارة للدزاير، ما عنديش محامي، واش ندير؟", "ar"},
	{"سلام برادر، من یک سال و نیم است در پاریس هستم، کار ندارم، جای خواب درست ندارم و فامیلم در هرات منتظرم هستند. میخواهم بدانم برای برگشت داوطلبانه باید به کدام دفتر بروم و چه اسنادی با خود ببرم؟", "fa"},
	{"ሰላም ሓወይ፣ ኣነ ክልተ ዓመት ኣብ ፓሪስ እየ ዘለኹ፣ ወረቐት የብለይን፣ ስራሕ የለን", "ti"},
	{"Em bị người ta giữ hộ chiếu, bắt làm trong trang trại cần sa, không trả lương", "vi"},
}

// BenchmarkAssess measures one Assess call on a typical message.
func BenchmarkAssess(b *testing.B) {
	tr := newTriage(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		m := benchMessages[i%len(benchMessages)]
		tr.Assess(m.text, m.lang)
		i++
	}
}

// BenchmarkNew measures building the matcher from the embedded lexicons,
// done once at start.
func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		if _, err := New(); err != nil {
			b.Fatal(err)
		}
	}
}
