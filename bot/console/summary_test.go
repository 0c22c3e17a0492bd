package console

import (
	"strings"
	"testing"
	"time"

	"github.com/passerelle-org/passerelle/bot"
)

func TestTranscriptSummaryTopicsAndWhatsAppWindow(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	newEnv(t) // loads the catalog
	c := &Console{clock: func() time.Time { return now }}
	p := catalog.Printer("en")
	msgs := []bot.Message{
		{Direction: bot.FromPerson, Text: "?", CreatedAt: now.Add(-30 * time.Hour)},
		{Direction: bot.FromBot, Topic: "return.allowance"},
		{Direction: bot.FromBot, Topic: "return.allowance"},
		{Direction: bot.FromBot, Topic: "rights.oqtf.appeal"},
		{Direction: bot.FromPerson, Text: "?", CreatedAt: now.Add(-2 * time.Hour)},
	}
	got := strings.Join(c.transcriptSummary(p, bot.ChannelWhatsApp, msgs), " | ")
	if !strings.Contains(got, "Bot answered: return.allowance, rights.oqtf.appeal") || !strings.Contains(got, "open, 22h0m0s left") {
		t.Fatalf("summary: %q", got)
	}
	msgs = msgs[:4] // last message 30 hours ago
	if got := strings.Join(c.transcriptSummary(p, bot.ChannelWhatsApp, msgs), " | "); !strings.Contains(got, "closed") {
		t.Fatalf("closed window not said: %q", got)
	}
	if got := c.transcriptSummary(p, bot.ChannelSMS, msgs[:1]); len(got) != 0 {
		t.Fatalf("SMS has no window and no answers: %q", got)
	}
}
