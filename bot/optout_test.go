package bot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/passerelle-org/passerelle/bot"
)

// sms sends one SMS from addr and returns the replies delivered.
func (h *harness) sms(addr, text string) []bot.Outbound {
	return h.send(bot.ChannelSMS, addr, bot.Inbound{Text: text})
}

// TestStopYesResumes: after STOP nothing is sent whatever comes (numbers,
// HELP, a casual "ok"); YES opts back in, in English or in the person's
// language, as it does for SMS carriers.
func TestStopYesResumes(t *testing.T) {
	for _, tc := range []struct{ name, first, yes string }{
		{"english", "How much money do I get to go home?", "YES"},
		{"arabic", "كم المبلغ الذي أحصل عليه للعودة إلى بلدي؟", "نعم"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			addr := "+33639980101"
			if out := h.sms(addr, tc.first); len(out) == 0 {
				t.Fatal("no answer to the first question")
			}
			out := h.sms(addr, "STOP")
			if len(out) != 1 {
				t.Fatalf("STOP: %d replies, want the one confirmation:\n%s", len(out), joined(out))
			}
			for _, text := range []string{"1", "HELP", "ok", "menu", "hello?"} {
				if out := h.sms(addr, text); len(out) != 0 {
					t.Fatalf("%q after STOP got a reply:\n%s", text, joined(out))
				}
			}
			out = h.sms(addr, tc.yes)
			if len(out) == 0 || !strings.Contains(joined(out), "1.") {
				t.Fatalf("%s after STOP: want the welcome back with numbered options, got:\n%s", tc.yes, joined(out))
			}
			if out := h.sms(addr, tc.first); len(out) == 0 {
				t.Fatal("no answer after opting back in")
			}
		})
	}
}

// TestYesStillAnswersOptions: YES is an answer, not an opt-in, for a person
// who did not opt out.
func TestYesStillAnswersOptions(t *testing.T) {
	h := newHarness(t)
	addr := "+33639980102"
	h.sms(addr, "How much money do I get to go home?")
	out := h.sms(addr, "DELETE")
	if !has(payloads(out), "delete:yes") {
		t.Fatalf("DELETE offers no confirmation: %v", payloads(out))
	}
	out = h.sms(addr, "yes")
	if !strings.Contains(strings.ToLower(joined(out)), "delet") {
		t.Fatalf("yes to the deletion question did not delete:\n%s", joined(out))
	}
}

// TestStopDropsQueuedReplies: replies queued before STOP (not yet sent)
// are not sent after it.
func TestStopDropsQueuedReplies(t *testing.T) {
	h := newHarness(t)
	addr := "+33639980103"
	if err := h.e.Handle(context.Background(), bot.Inbound{Channel: bot.ChannelSMS, Address: addr, ProviderID: "q1",
		Text: "How much money do I get to go home?"}); err != nil {
		t.Fatal(err)
	}
	out := h.sms(addr, "STOP")
	if len(out) != 1 {
		t.Fatalf("after STOP, %d messages went, want only the confirmation:\n%s", len(out), joined(out))
	}
}

// TestProviderRepliedStopAndStart: when the provider has answered STOP,
// START or HELP itself (Twilio Advanced Opt-Out), the opt-out and opt-in
// are recorded but the person gets no second confirmation from us; a
// question afterwards is answered as usual.
func TestProviderRepliedStopAndStart(t *testing.T) {
	h := newHarness(t)
	addr := "+33639980102"
	question := "How much money do I get to go home?"
	if out := h.sms(addr, question); len(out) == 0 {
		t.Fatal("no answer to the first question")
	}
	replied := func(text string) []bot.Outbound {
		return h.send(bot.ChannelSMS, addr, bot.Inbound{Text: text, ProviderReplied: true})
	}
	if out := replied("STOP"); len(out) != 0 {
		t.Fatalf("provider answered STOP: want nothing from us, got:\n%s", joined(out))
	}
	if out := h.sms(addr, question); len(out) != 0 {
		t.Fatalf("the opt-out was not recorded: got\n%s", joined(out))
	}
	if out := replied("START"); len(out) != 0 {
		t.Fatalf("provider answered START: want nothing from us, got:\n%s", joined(out))
	}
	if out := h.sms(addr, question); len(out) == 0 {
		t.Fatal("the opt-in was not recorded: no answer after START")
	}
	if out := replied("HELP"); len(out) != 0 {
		t.Fatalf("provider answered HELP: want nothing from us, got:\n%s", joined(out))
	}
}
