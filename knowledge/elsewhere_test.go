package knowledge

import (
	"strings"
	"testing"
)

func TestLoadElsewhere(t *testing.T) {
	all, err := LoadElsewhere()
	if err != nil {
		t.Fatal(err)
	}
	langs := map[string]bool{}
	for _, e := range all {
		langs[e.Lang] = true
	}
	for _, l := range Languages() {
		if !langs[l] {
			t.Errorf("%s: no known-elsewhere samples", l)
		}
	}
}

func TestParseElsewhereRejects(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"unknown subject", "[weather]\nwill it rain", "unknown subject"},
		{"sample first", "how do I renew my titre de séjour\n[residence-permit]", "before any [subject]"},
		{"empty subject", "[tax]\n# nothing yet\n[school]\nschool for my son", "no samples"},
		{"subject twice", "[tax]\nmy taxes\n[tax]\nincome tax", "appears twice"},
		{"duplicate sample", "[tax]\nMy taxes?\n[school]\nmy taxes", "already on line 2"},
	}
	for _, tt := range tests {
		_, err := parseElsewhere("en", tt.text)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one containing %q", tt.name, err, tt.want)
		}
	}
	got, err := parseElsewhere("en", "# comment\n[tax]\nmy taxes\n\n[school]\nschool for my son\n")
	if err != nil || len(got) != 2 || got[1].Subject != "school" || got[1].Samples[0] != "school for my son" {
		t.Errorf("valid file: got %+v, %v", got, err)
	}
}
