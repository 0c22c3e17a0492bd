package bot_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/passerelle-org/passerelle/bot"
)

func TestFirstContactGreetingOffersLanguages(t *testing.T) {
	h := newHarness(t)
	out := h.text("s-greet-0001", "hello")
	all := joined(out)
	if !strings.Contains(all, "Passerelle") || !strings.Contains(all, "30") {
		t.Fatalf("welcome or privacy notice missing:\n%s", all)
	}
	p := payloads(out)
	for _, code := range []string{"lang:en", "lang:ar", "lang:ti", "lang:ka"} {
		if !has(p, code) {
			t.Fatalf("language choice lacks %s: %v", code, p)
		}
	}
	if !strings.Contains(all, "ትግርኛ") || !strings.Contains(all, "العربية") {
		t.Fatalf("languages not named in their own script:\n%s", all)
	}
	out = h.press("s-greet-0001", "lang:ar")
	if len(out) == 0 || out[0].Lang != "ar" {
		t.Fatalf("choosing Arabic: %+v", out)
	}
	if !strings.ContainsAny(joined(out), "ابتثجحخدذرزسشصضطظعغفقكلمنهوي") {
		t.Fatalf("reply after choosing Arabic is not in Arabic:\n%s", joined(out))
	}
}

func TestQuestionGetsSourcedAnswerInItsLanguage(t *testing.T) {
	h := newHarness(t)
	out := h.text("s-fr-00001", "Bonjour, c'est combien l'aide au retour de l'OFII pour moi ?")
	all := joined(out)
	if len(out) == 0 || out[len(out)-1].Lang != "fr" {
		t.Fatalf("no French answer: %+v", out)
	}
	if !strings.Contains(all, "€") && !strings.Contains(all, "EUR") && !strings.Contains(all, "euros") {
		t.Fatalf("the allowance answer names no amount:\n%s", all)
	}
	if !has(payloads(out), "more") || !has(payloads(out), "person") {
		t.Fatalf("follow-ups missing: %v", payloads(out))
	}
	more := joined(h.press("s-fr-00001", "more"))
	if !strings.Contains(more, "https://") || !strings.Contains(more, "2026-11-23") {
		t.Fatalf("full answer lacks sources or verification date:\n%s", more)
	}
}

func TestMissingLanguageFallsBackWithNote(t *testing.T) {
	h := newHarnessOnly(t, "en", "fr")
	out := h.text("s-ti-00001", "ሰላም፣ AME ከመይ ይርከብ? ሕክምና ክረክብ ደልየ ኣሎኹ")
	all := joined(out)
	if !strings.Contains(all, "English") {
		t.Fatalf("no note naming the language of the fallback article:\n%s", all)
	}
	if len(out) == 0 || out[0].Lang != "ti" {
		t.Fatalf("Tigrinya not kept as the conversation's language: %+v", out)
	}
	if !strings.Contains(all, "AME") {
		t.Fatalf("no AME answer:\n%s", all)
	}
}

func TestDuplicateGetsNoSecondReply(t *testing.T) {
	h := newHarness(t)
	in := bot.Inbound{Text: "how much money for return", ProviderID: "dup-1"}
	first := h.send(bot.ChannelTelegram, "424242", in)
	second := h.send(bot.ChannelTelegram, "424242", in)
	if len(first) == 0 || len(second) != 0 {
		t.Fatalf("first %d replies, duplicate %d (want >0, 0)", len(first), len(second))
	}
}

func TestUrgentGetsEmergencyNumbersAndHandoff(t *testing.T) {
	h := newHarness(t)
	out := h.text("s-urg-00001", "my husband is beating me right now and he locked the door, please help")
	all := joined(out)
	for _, num := range []string{"17", "112", "114"} {
		if !strings.Contains(all, num) {
			t.Fatalf("emergency reply lacks %s:\n%s", num, all)
		}
	}
	hs, err := h.store.OpenHandoffs(context.Background())
	if err != nil || len(hs) != 1 || !hs[0].Urgent {
		t.Fatalf("want one urgent handoff, got %+v (%v)", hs, err)
	}
	if strings.Contains(hs[0].Summary, "s-urg-00001") {
		t.Fatal("handoff summary holds the address")
	}
	// Held by a caseworker now: ordinary messages get no bot reply...
	if out := h.text("s-urg-00001", "how much money for return"); len(out) != 0 {
		t.Fatalf("bot answered a held conversation: %s", joined(out))
	}
	// ...but danger still gets the numbers at once.
	if out := h.text("s-urg-00001", "he has a knife and is threatening to kill me now"); !strings.Contains(joined(out), "17") {
		t.Fatalf("triage silent while held:\n%s", joined(out))
	}
}

func TestStopStartAndDelete(t *testing.T) {
	h := newHarness(t)
	addr := "+33612345678"
	sms := func(s string) []bot.Outbound { return h.send(bot.ChannelSMS, addr, bot.Inbound{Text: s}) }
	sms("bonjour")
	if out := sms("STOP"); len(out) != 1 {
		t.Fatalf("STOP: want one confirmation, got %d", len(out))
	}
	if out := sms("combien pour le retour"); len(out) != 0 {
		t.Fatalf("opted-out contact got %d replies", len(out))
	}
	if out := sms("START"); len(out) == 0 {
		t.Fatal("START: no reply")
	}
	out := sms("DELETE")
	if !has(payloads(out), "delete:yes") {
		t.Fatalf("DELETE asks no confirmation: %s", joined(out))
	}
	if !strings.Contains(out[0].Text, "1.") {
		t.Fatalf("SMS options are not numbered:\n%s", out[0].Text)
	}
	out = sms("1") // the first numbered option: yes, delete
	if len(out) != 1 {
		t.Fatalf("deletion confirmation: %d replies", len(out))
	}
	raw, err := os.ReadFile(h.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), "combien pour le retour") {
		t.Fatal("deleted message text still in the database file")
	}
}

func TestBadInputAlwaysGetsAnAnswer(t *testing.T) {
	h := newHarness(t)
	cases := map[string]string{
		"empty":      "",
		"whitespace": "   \n\t  ",
		"long":       strings.Repeat("aide au retour ", 700),
		"invalid":    "\xff\xfe\xfd",
		"emoji":      "🙏🙏😢",
		"controls":   "\x00\x01\x02\x1b[31m",
		"rtl marks":  "\u200f\u200e",
	}
	for name, text := range cases {
		t.Run(name, func(t *testing.T) {
			out := h.text("s-bad-"+strings.ReplaceAll(name, " ", "-")+"-x", text)
			if len(out) == 0 {
				t.Fatalf("no reply to %q", text)
			}
			for _, o := range out {
				if !utf8.ValidString(o.Text) || strings.TrimSpace(o.Text) == "" {
					t.Fatalf("bad reply %q", o.Text)
				}
			}
		})
	}
}

func TestOutOfScopeAbstainsAndOffersAPerson(t *testing.T) {
	h := newHarness(t)
	h.text("s-oos-00001", "hello")
	out := h.text("s-oos-00001", "what is the cheapest phone plan for calling Ghana")
	if !has(payloads(out), "person") {
		t.Fatalf("abstention offers no person: %s", joined(out))
	}
	for _, o := range out {
		if o.Options != nil && has(payloads([]bot.Outbound{o}), "more") {
			t.Fatalf("answered an out-of-scope question:\n%s", joined(out))
		}
	}
}

func TestLogsHoldNoTextOrAddress(t *testing.T) {
	h := newHarness(t)
	secretText := "mon patron garde mon passeport zorglub"
	addr := "+33698765432"
	h.send(bot.ChannelSMS, addr, bot.Inbound{Text: secretText})
	h.send(bot.ChannelSMS, addr, bot.Inbound{Text: "zorglub qwertyuiop"})
	logs := h.logs.String()
	if strings.Contains(logs, "zorglub") || strings.Contains(logs, addr) || strings.Contains(logs, "33698765432") {
		t.Fatalf("logs hold message text or the address:\n%s", logs)
	}
}

func TestAddressUnreadableInDatabaseFile(t *testing.T) {
	h := newHarness(t)
	addr := "+33611223344"
	h.send(bot.ChannelSMS, addr, bot.Inbound{Text: "bonjour"})
	h.send(bot.ChannelTelegram, "987654321", bot.Inbound{Text: "hello"})
	for _, suffix := range []string{"", "-wal"} {
		raw, err := os.ReadFile(h.dbPath + suffix)
		if err != nil {
			continue
		}
		for _, a := range []string{addr, "33611223344", "987654321"} {
			if strings.Contains(string(raw), a) {
				t.Fatalf("%s readable in %s", a, h.dbPath+suffix)
			}
		}
	}
}

// Understand, which the evaluation runs, must report the topic an urgent
// message is really answered with: the triage's, whose short answer follows
// the emergency numbers, not whatever the search ranked first.
func TestUnderstandUrgentAnswersWithTheTriageTopic(t *testing.T) {
	h := newHarness(t)
	text := "my husband is beating me right now and he locked the door, please help"
	u, err := h.e.Understand(context.Background(), text)
	if err != nil {
		t.Fatal(err)
	}
	if !u.Urgent || u.Answer != "safety.violence-women" || len(u.Hits) == 0 || u.Hits[0].Topic != u.Answer {
		t.Fatalf("urgent %v answer %q hits %+v", u.Urgent, u.Answer, u.Hits)
	}
	out := h.text("s-urg-00002", text)
	a, _ := content.kb.Article("safety.violence-women", "en")
	if a == nil || !strings.Contains(joined(out), a.Summary) {
		t.Fatalf("the turn did not send the triage topic's summary:\n%s", joined(out))
	}
}

// TestFirstContactOutOfScopeQuestionSaysSo: a new person whose very first
// message is a question the knowledge base does not cover is told there is
// no answer to it, then shown the menu (which offers a person); a first
// "hello" just gets the welcome.
func TestFirstContactOutOfScopeQuestionSaysSo(t *testing.T) {
	h := newHarness(t)
	out := h.text("s-oos-00001", "Bonjour, comment renouveler mon titre de séjour à la préfecture de Lyon ?")
	all := joined(out)
	if !strings.Contains(all, "je n'ai pas de réponse fiable à cette question") {
		t.Fatalf("no word that the question has no answer here:\n%s", all)
	}
	if p := payloads(out); !has(p, "menu:person") {
		t.Fatalf("no way to a person after the unanswered first question: %v", p)
	}
	if i, j := strings.Index(all, "Passerelle"), strings.Index(all, "pas de réponse fiable"); i < 0 || j < i {
		t.Fatalf("the no-answer note is not after the welcome:\n%s", all)
	}
	out = h.text("s-oos-00002", "bonjour")
	if strings.Contains(joined(out), "pas de réponse fiable") {
		t.Fatalf("a greeting is not an unanswered question:\n%s", joined(out))
	}
}
