package postgres

import (
	"strings"
	"testing"
)

func TestRedactReason(t *testing.T) {
	for in, want := range map[string]string{
		"The 'To' number +33639980001 is not a valid phone number": "The 'To' number [number] is not a valid phone number",
		"21211 invalid number +33 6 39 98 00 01":                   "21211 invalid number [number]",
		"Forbidden: bot was blocked by the user 700000001":         "Forbidden: bot was blocked by the user [number]",
		"send to whatsapp:+33639980002: 63016":                     "send to whatsapp:[number]: 63016",
		"429 Too Many Requests: retry after 30":                    "429 Too Many Requests: retry after 30",
	} {
		if got := redactReason(in); got != want {
			t.Errorf("redactReason(%q) = %q, want %q", in, got, want)
		}
	}
	long := strings.Repeat("é", maxReason)
	if got := redactReason(long); len(got) > maxReason+len("…") || !strings.HasSuffix(got, "…") || !strings.HasPrefix(long, strings.TrimSuffix(got, "…")) {
		t.Errorf("long reason cut badly: %d bytes", len(got))
	}
}
