package knowledge

import (
	"slices"
	"strings"
	"testing"
)

func TestExtractFigures(t *testing.T) {
	tests := []struct {
		in   string
		want []string // first value of each figure
	}{
		{"€1,200 or 1 200 EUR or 1.200 € or 1200 euros or 1\u202f200", []string{"1200", "1200", "1200", "1200", "1200"}},
		{"۱٬۲۰۰ یورو، ١٢٠٠ يورو, १२०० यूरो", []string{"1200", "1200", "1200"}},
		{"call 116 117 or 116117, 15, 17, 18, 112", []string{"116117", "116117", "15", "17", "18", "112"}},
		{"01 42 500 900 and 0800 32 745 and 01.44.52.88.90", []string{"0142500900", "080032745", "0144528890"}},
		{"checked 23/11/2026 or 2026-11-23 or 23.11.2026", []string{"23", "2026", "2026", "23", "23", "2026"}},
		{"months 2-4: 300/150/0", []string{"2", "4", "300", "150", "0"}},
		{"2006–12: €2,000, law 2024-42", []string{"2006", "12", "2000", "2024", "42"}},
		{"ngày 4 tháng 12 năm 2025, 12 tháng, (tháng 9 năm 2013)", []string{"4", "2025", "12", "2013"}},
		{"từ 12/2025, до 03.2016", []string{"2025", "2016"}},
		{"48h, 1.5 days", []string{"48", "1", "5"}},
		{"\u200f۴۸\u200f ساعت", []string{"48"}},
	}
	for _, tt := range tests {
		var got []string
		for _, f := range extractFigures(tt.in) {
			got = append(got, f.values[0])
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("extractFigures(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFigureKinds(t *testing.T) {
	figs := extractFigures("€150, 400 EUR, 30 days, 48 heures, 3919, since 2019, 7 people")
	var got []string
	for _, f := range figs {
		got = append(got, f.kind)
	}
	want := []string{"amount", "amount", "duration", "duration", "phone", "year", "number"}
	if !slices.Equal(got, want) {
		t.Errorf("kinds = %q, want %q", got, want)
	}
}

func TestCheckFacts(t *testing.T) {
	const en = "Up to €1,200 in the first month, then €600 for three months. Call 3919 or 01 42 500 900. " +
		"Appeal within 48 hours or 7 days. Since 2019. (facts checked 23 Nov 2026)"
	tests := []struct {
		name, lang, text string
		want             []string // parts of the problem; none: no problem
	}{
		{"faithful french", "fr", "Jusqu'à 1 200 € le premier mois, puis 600 € pendant trois mois. Appelez le 3919 ou le 01 42 500 900. " +
			"Recours sous 48 heures ou 7 jours. Depuis 2019. (vérifié le 23/11/2026)", nil},
		{"faithful persian digits", "fa", "تا ۱٬۲۰۰ یورو در ماه ۱، بعد ۶۰۰ یورو برای ۳ ماه. ۳۹۱۹ یا ۰۱ ۴۲ ۵۰۰ ۹۰۰. " +
			"۴۸ ساعت یا ۷ روز. از ۲۰۱۹. (۲۳ نوامبر ۲۰۲۶)", nil},
		{"faithful vietnamese", "vi", "Tối đa 1200 € tháng đầu, sau đó 600 € trong 3 tháng. Gọi 3919 hoặc 01 42 500 900. " +
			"48 giờ hoặc 7 ngày. Từ năm 2019. (kiểm tra ngày 23 tháng 11 năm 2026)", nil},
		{"changed amount", "ar", "حتى 1300 يورو في الشهر الأول، ثم 600 يورو. 3919 أو 01 42 500 900. 48 ساعة أو 7 أيام. منذ 2019. 23/11/2026",
			[]string{`missing "1,200" (amount)`, `not in English "1300" (amount)`}},
		{"changed deadline", "so", "Ilaa 1200 € bisha 1aad, kadib 600 €. 3919 ama 01 42 500 900. 24 saacadood ama 5 maalmood. 2019. 23/11/2026",
			[]string{`missing "48" (duration)`, `not in English "24"`, `"5"`}},
		{"missing phone", "uk", "До 1200 € у перший місяць, потім 600 €. 3919. 48 годин або 7 днів. З 2019. 23.11.2026",
			[]string{`missing "01 42 500 900" (phone)`}},
		{"wrong year", "ka", "1200 € პირველ თვეს, 600 €. 3919, 01 42 500 900. 48 საათი, 7 დღე. 2018 წლიდან. 23.11.2026",
			[]string{`missing "2019" (year)`, `not in English "2018" (year)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := NewBase([]*Article{
				{Topic: "return.allowance", Lang: "en", Summary: "S", Body: en, Path: "return.allowance/en.md"},
				{Topic: "return.allowance", Lang: tt.lang, Summary: "S", Body: tt.text, Path: "return.allowance/" + tt.lang + ".md"},
			})
			if err != nil {
				t.Fatal(err)
			}
			ps := CheckFacts(b)
			if len(tt.want) == 0 {
				if len(ps) > 0 {
					t.Errorf("unexpected problems:\n%v", ps)
				}
				return
			}
			if len(ps) != 1 {
				t.Fatalf("got %d problems, want 1:\n%v", len(ps), ps)
			}
			msg := ps[0].String()
			if !strings.HasPrefix(msg, "return.allowance/"+tt.lang+".md: facts differ from return.allowance/en.md: ") {
				t.Errorf("problem %q does not name the files", msg)
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("problem %q lacks %q", msg, w)
				}
			}
		})
	}
}
