package bot

import (
	"strings"
	"testing"

	"github.com/passerelle-org/passerelle/channels"
)

func TestSplitSMS(t *testing.T) {
	short := "Bonjour, c’est noté."
	if got := SplitSMS(short); len(got) != 1 || got[0] != "Bonjour, c'est noté." {
		t.Fatalf("short text: %q, want one prepared message", got)
	}
	sentence := "Votre rendez-vous à l’OFII est confirmé pour mardi matin, apportez votre passeport. "
	long := strings.TrimSpace(strings.Repeat(sentence, 12)) // about 6 segments
	parts := SplitSMS(long)
	if len(parts) < 2 {
		t.Fatalf("a %d-segment reply went as %d message", channels.SMSSegments(long), len(parts))
	}
	for i, p := range parts {
		if n := channels.SMSSegments(p); n > smsBudget {
			t.Errorf("part %d costs %d segments, budget %d", i, n, smsBudget)
		}
		if !strings.HasSuffix(p, ".") {
			t.Errorf("part %d is not cut at a sentence end: ...%q", i, p[max(0, len(p)-20):])
		}
		if strings.ContainsRune(p, '’') {
			t.Errorf("part %d not prepared for SMS", i)
		}
	}
	if got, want := strings.Join(parts, " "), channels.SMSPrepare(long); got != want {
		t.Errorf("parts lose text:\n%q\nwant\n%q", got, want)
	}
	// Tigrinya (UCS-2) with its own full stop.
	ti := strings.TrimSpace(strings.Repeat("ኣብ ፈረንሳ ዘለኹም መሰላት ክንገልጸልኩም ንኽእል። ", 12))
	for i, p := range SplitSMS(ti) {
		if n := channels.SMSSegments(p); n > smsBudget || !strings.HasSuffix(p, "።") {
			t.Errorf("Tigrinya part %d: %d segments, ends %q", i, n, p[max(0, len(p)-6):])
		}
	}
}
