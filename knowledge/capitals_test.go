package knowledge

import (
	"strings"
	"testing"
)

// TestGeorgianCapitals shows Georgian typed in Latin letters with the
// keyboard's capitals (S = შ, T = თ...) read in Georgian script, where
// lower case alone made them other letters (s = ს, t = თ as well).
func TestGeorgianCapitals(t *testing.T) {
	lx, err := LoadLexicon("ka")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ in, want, before string }{
		{"mSobeli", "მშობელი", "msobeli"},
		{"gadaWra", "გადაჩრა", "gadawra"}, // ჭ folded to ჩ, as in articles
		{"baRi", "ბაღი", "bari"},
		{"saqarTvelo", "საქართველო", "sakartvelo"}, // then the group of საქართველო
		{"SenTvis", "შენთვის", "sentvis"},
		// Left to Transliterate: a capital to start a sentence, acronyms,
		// capitals that are not letters of their own, French words.
		{"Sad", "sad", "sad"},
		{"OQTF", "oqtf", "oqtf"},
		{"OQTFs", "oqtfs", "oqtfs"},
		{"McDonald", "mcdonald", "mcdonald"},
		{"aide au retour", "aide au retour", "aide au retour"},
		{"გამარჯობა", "გამარჯობა", "გამარჯობა"},
	}
	for _, tt := range tests {
		if got := strings.Join(lx.Tokens(tt.in), " "); got != tt.want {
			t.Errorf("Tokens(%q) = %q, want %q (was %q)", tt.in, got, tt.want, tt.before)
		}
	}
	// Other languages have no [capitals]: "baRi" is a Latin word.
	fr, err := LoadLexicon("fr")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(fr.Tokens("baRi"), " "); got != "bari" {
		t.Errorf("fr Tokens(baRi) = %q", got)
	}
}
