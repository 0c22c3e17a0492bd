package knowledge

import "testing"

// TestNormalizeArabizi shows Arabizi words kept whole (they were split at
// every digit: "ch7al" -> "ch 7 al") while numbers, amounts, units and
// ordinals are split as before.
func TestNormalizeArabizi(t *testing.T) {
	tests := []struct{ in, want, before string }{
		// Arabizi: a digit between letters, or an Arabizi digit starting a word.
		{"ch7al", "ch7al", "ch 7 al"},
		{"Ch7al l'aide?", "ch7al l aide", "ch 7 al l aide"},
		{"m3a wlidi", "m3a wlidi", "m 3 a wlidi"},
		{"3ayez arga3", "3ayez arga 3", "3 ayez arga 3"},
		{"salam 5oya, bghit nrje3", "salam 5oya bghit nrje 3", "salam 5 oya bghit nrje 3"},
		{"ana 3andi OQTF", "ana 3andi oqtf", "ana 3 andi oqtf"},
		// Numbers, amounts, units and ordinals: unchanged.
		{"1200", "1200", "1200"},
		{"1200€ pour 12 mois", "1200 pour 12 mois", "1200 pour 12 mois"},
		{"06 12 34 56 78", "06 12 34 56 78", "06 12 34 56 78"},
		{"48h", "48 h", "48 h"},
		{"7h30", "7 h 30", "7 h 30"},
		{"3ans", "3 ans", "3 ans"},
		{"2eme rdv", "2 eme rdv", "2 eme rdv"},
		{"5min", "5 min", "5 min"},
		{"niveau A2", "niveau a 2", "niveau a 2"},
		{"1er mois", "1 er mois", "1 er mois"},
		{"12ayez", "12 ayez", "12 ayez"},   // two digits: a number
		{"3a", "3 a", "3 a"},               // one letter after: not a word
		{"ብ3ayez", "ብ 3 ayez", "ብ 3 ayez"}, // after another script
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q (was %q)", tt.in, got, tt.want, tt.before)
		}
		if got := Normalize(tt.want); got != tt.want {
			t.Errorf("not idempotent: %q -> %q", tt.want, got)
		}
	}
}
