package channels

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSMSSegments(t *testing.T) {
	tests := []struct {
		name string
		in   string
		enc  string
		segs int
	}{
		{"empty", "", "GSM-7", 1},
		{"160 GSM", strings.Repeat("a", 160), "GSM-7", 1},
		{"161 GSM", strings.Repeat("a", 161), "GSM-7", 2},
		{"306 GSM", strings.Repeat("a", 306), "GSM-7", 2},
		{"307 GSM", strings.Repeat("a", 307), "GSM-7", 3},
		{"extension chars count twice", strings.Repeat("€", 80), "GSM-7", 1},
		{"extension chars over", strings.Repeat("€", 81), "GSM-7", 2},
		{"French accents in GSM", "é è ù à Ç", "GSM-7", 1},
		{"ê forces UCS-2", "fenêtre", "UCS-2", 1},
		{"70 Arabic", strings.Repeat("ب", 70), "UCS-2", 1},
		{"71 Arabic", strings.Repeat("ب", 71), "UCS-2", 2},
		{"134 Ethiopic", strings.Repeat("ሰ", 134), "UCS-2", 2},
		{"135 Ethiopic", strings.Repeat("ሰ", 135), "UCS-2", 3},
		{"emoji is two UTF-16 units", strings.Repeat("😀", 35), "UCS-2", 1},
		{"emoji over", strings.Repeat("😀", 36), "UCS-2", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SMSEncoding(tt.in); got != tt.enc {
				t.Errorf("encoding = %s, want %s", got, tt.enc)
			}
			if got := SMSSegments(tt.in); got != tt.segs {
				t.Errorf("segments = %d, want %d", got, tt.segs)
			}
		})
	}
}

func TestSMSPrepareKeepsLatinInGSM(t *testing.T) {
	in := "L\u2019OFII \u2013 \u00ABaide au retour\u00BB\u2026"
	out := SMSPrepare(in)
	if !IsGSM7(out) {
		t.Fatalf("%q still needs UCS-2", out)
	}
	if out != `L'OFII - "aide au retour"...` {
		t.Fatalf("got %q", out)
	}
}

func TestFitSMS(t *testing.T) {
	long := strings.Repeat("word ", 200)
	head, rest := FitSMS(long, 3, "\nReply MORE")
	if SMSSegments(head+"\nReply MORE") > 3 {
		t.Fatalf("head does not fit: %d segments", SMSSegments(head+"\nReply MORE"))
	}
	if strings.HasSuffix(head, "wor") || rest == "" {
		t.Fatalf("bad cut: head ends %q, rest %d bytes", head[len(head)-5:], len(rest))
	}
	if strings.Join(strings.Fields(head+" "+rest), " ") != strings.TrimSpace(long) {
		t.Fatal("text lost in the cut")
	}
	short := "short text"
	if h, r := FitSMS(short, 3, "x"); h != short || r != "" {
		t.Fatalf("short text changed: %q %q", h, r)
	}
}

func TestFitSMSNeverSplitsGraphemes(t *testing.T) {
	// Tigrinya without spaces, Persian with ZWNJ, a ZWJ family emoji.
	for _, s := range []string{
		strings.Repeat("ሰላም።", 80),
		strings.Repeat("می\u200cخواهم", 60),
		strings.Repeat("👨\u200d👩\u200d👧", 40),
	} {
		head, rest := FitSMS(s, 2, "")
		if !utf8.ValidString(head) || !utf8.ValidString(rest) {
			t.Fatal("invalid UTF-8 after cut")
		}
		if head+rest != s {
			t.Fatalf("text lost: %d+%d != %d", len(head), len(rest), len(s))
		}
		if strings.HasSuffix(head, "\u200d") || strings.HasPrefix(rest, "\u200d") || strings.HasPrefix(rest, "\u200c") {
			t.Fatalf("joiner split at the cut")
		}
	}
}

func TestSplitUTF16(t *testing.T) {
	s := strings.Repeat("😀 abc ", 1000)
	parts := Split(s, 4096, UTF16Len)
	if len(parts) < 2 {
		t.Fatalf("want several parts, got %d", len(parts))
	}
	for _, p := range parts {
		if UTF16Len(p) > 4096 || !utf8.ValidString(p) {
			t.Fatalf("part of %d units or invalid", UTF16Len(p))
		}
	}
}
