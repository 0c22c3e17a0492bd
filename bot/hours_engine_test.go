package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/passerelle-org/passerelle/bot"
)

// TestOutOfHoursHandoff: outside working hours an urgent handoff still
// opens (and alerts), and the person is told in their language when a
// caseworker will reply, with the emergency numbers.
func TestOutOfHoursHandoff(t *testing.T) {
	h := newHarness(t)
	// Open one minute a week, on a day that is not today: closed now.
	day := time.Now().UTC().Add(3 * 24 * time.Hour).Weekday()
	spec := strings.ToLower(day.String()[:3]) + " 12:00-12:01"
	w, err := bot.ParseWorkingHours(spec, "UTC")
	if err != nil {
		t.Fatal(err)
	}
	h.e.Hours = w
	var alerts []bot.Handoff
	h.e.OnHandoff = func(x bot.Handoff) { alerts = append(alerts, x) }
	out := joined(h.text("ooh-1", "Bonjour, je suis en danger, mon patron me menace"))
	fr := h.e.Locales.Printer("fr")
	when := w.NextOpen(time.Now()).Format("02/01 15:04")
	for _, want := range []string{
		fr.T("triage.urgent", nil),
		fr.T("handoff.out_of_hours", map[string]any{"When": when, "Zone": "UTC"}),
	} {
		if !strings.Contains(out, want) {
			t.Errorf("reply lacks %q:\n%s", want, out)
		}
	}
	if len(alerts) != 1 || !alerts[0].Urgent {
		t.Errorf("alerts %+v: want one urgent handoff", alerts)
	}
	if n := strings.Count(out, fr.T("triage.urgent", nil)); n != 1 {
		t.Errorf("emergency numbers given %d times", n)
	}
	// Within hours, nothing is said about them.
	h.e.Hours = nil
	if out := joined(h.text("ooh-2", "Je suis en danger, aidez-moi")); strings.Contains(out, "({{.Zone}})") ||
		strings.Contains(out, fr.T("handoff.out_of_hours", map[string]any{"When": when, "Zone": "UTC"})[:30]) {
		t.Errorf("out-of-hours message within hours:\n%s", out)
	}
}
