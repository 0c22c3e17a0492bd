package knowledge

import (
	"strings"
	"testing"
)

// TestEthiopicAyin shows Tigrinya ዓደይ "my country" kept apart from
// ኣደይ "my mother" (Normalize folded both to አደይ), while Amharic, which
// says ዐ as አ, still matches ዓመት and አመት "year" through its Lexicon.
func TestEthiopicAyin(t *testing.T) {
	tests := []struct{ lang, in, want, before string }{
		{"ti", "ዓደይ", "ዐደይ", "አደይ"},
		{"ti", "ኣደይ", "አደይ", "አደይ"},
		{"ti", "ዕዳ", "ዕዳ", "እዳ"},
		{"am", "ዓመት", "አመት", "አመት"},
		{"am", "አመት", "አመት", "አመት"},
		{"am", "ዕድሜ", "እድሜ", "እድሜ"},
	}
	for _, tt := range tests {
		lx, err := LoadLexicon(tt.lang)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(lx.Tokens(tt.in), " "); got != tt.want {
			t.Errorf("%s: Tokens(%q) = %q, want %q (was %q)", tt.lang, tt.in, got, tt.want, tt.before)
		}
	}
}
