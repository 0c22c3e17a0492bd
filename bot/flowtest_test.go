package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/passerelle-org/passerelle/bot"
	"github.com/passerelle-org/passerelle/channels"
)

func TestMenuToTopicAnswer(t *testing.T) {
	h := newHarness(t)
	addr := "s-menu-0001"
	h.text(addr, "hello")
	h.press(addr, "lang:en")
	out := h.text(addr, "menu")
	if !has(payloads(out), "menu:return") {
		t.Fatalf("main menu lacks return: %v", payloads(out))
	}
	out = h.press(addr, "menu:return")
	if !has(payloads(out), "topic:return.allowance") {
		t.Fatalf("return submenu lacks the allowance topic: %v", payloads(out))
	}
	out = h.press(addr, "topic:return.allowance")
	if !strings.Contains(joined(out), "1,200") && !strings.Contains(joined(out), "1200") {
		t.Fatalf("allowance answer without the amount:\n%s", joined(out))
	}
}

func TestHandoffIntakeAsksConsentFirst(t *testing.T) {
	h := newHarness(t)
	addr := "s-hand-0001"
	h.text(addr, "hello")
	h.press(addr, "lang:en")
	out := h.text(addr, "talk to a person")
	if !strings.Contains(joined(out), "will see") {
		t.Fatalf("intake does not say what the caseworker will see:\n%s", joined(out))
	}
	if hs, _ := h.store.OpenHandoffs(context.Background()); len(hs) != 0 {
		t.Fatal("handoff opened before consent")
	}
	var yes string
	for _, p := range payloads(out) {
		if strings.HasSuffix(p, ":yes") {
			yes = p
		}
	}
	if yes == "" {
		t.Fatalf("no consent option: %v", payloads(out))
	}
	h.press(addr, yes)
	out = h.text(addr, "I need help to prepare my OFII appointment")
	var notUrgent string
	for _, p := range payloads(out) {
		if strings.HasSuffix(p, ":no") {
			notUrgent = p
		}
	}
	h.press(addr, notUrgent)
	hs, err := h.store.OpenHandoffs(context.Background())
	if err != nil || len(hs) != 1 || hs[0].Urgent {
		t.Fatalf("want one normal handoff, got %+v %v", hs, err)
	}
	if !strings.Contains(hs[0].Summary, "OFII appointment") || !strings.Contains(hs[0].Summary, "lang=en") {
		t.Fatalf("summary lacks the need or the language: %q", hs[0].Summary)
	}
}

func TestSMSNumberedReplyAndMore(t *testing.T) {
	h := newHarness(t)
	addr := "+33600000001"
	sms := func(s string) []bot.Outbound { return h.send(bot.ChannelSMS, addr, bot.Inbound{Text: s}) }
	sms("bonjour")
	out := sms("menu")
	if len(out) == 0 || !strings.Contains(out[len(out)-1].Text, "\n1. ") {
		t.Fatalf("SMS menu not numbered:\n%s", joined(out))
	}
	out = sms("5") // emergency
	if !strings.Contains(joined(out), "112") {
		t.Fatalf("option 5 (emergency) did not give the numbers:\n%s", joined(out))
	}
	for _, o := range out {
		if o.Surface != bot.SurfaceSMS {
			t.Fatalf("surface %s on SMS", o.Surface)
		}
	}
}

func TestConversationKeepsLanguageOnAdminWords(t *testing.T) {
	h := newHarness(t)
	addr := "s-keep-0001"
	h.text(addr, "مرحبا")
	out := h.text(addr, "OQTF")
	for _, o := range out {
		if o.Lang != "ar" {
			t.Fatalf("an admin word switched the language to %q", o.Lang)
		}
	}
}

func TestSMSNeverCutsPrivacyNotice(t *testing.T) {
	h := newHarness(t)
	out := h.send(bot.ChannelSMS, "+33600000002", bot.Inbound{Text: "سلام، چطور میتانم به افغانستان برگردم؟"})
	want := content.cat.Printer("fa").T("welcome.privacy", map[string]any{"Days": 30})
	for _, o := range out {
		if o.Text == want {
			return
		}
	}
	t.Fatalf("the Dari privacy notice was not sent whole:\n%s", joined(out))
}

func TestYesAtAFreeTextStepStaysInTheIntake(t *testing.T) {
	h := newHarness(t)
	addr := "s-hand-0002"
	h.text(addr, "bonjour")
	out := h.text(addr, "conseiller")
	var yes string
	for _, p := range payloads(out) {
		if strings.HasSuffix(p, ":yes") {
			yes = p
		}
	}
	h.press(addr, yes)
	h.text(addr, "oui") // the answer to "what do you need help with?"
	out = h.text(addr, "non")
	if hs, _ := h.store.OpenHandoffs(context.Background()); len(hs) != 1 {
		t.Fatalf("intake abandoned: %d handoffs; last reply:\n%s", len(hs), joined(out))
	}
}

func TestDeepLinkWithLanguageAndTopicAnswersAtOnce(t *testing.T) {
	h := newHarness(t)
	out := h.send(bot.ChannelTelegram, "55501", bot.Inbound{Text: "/start", Campaign: "calais3", LangHint: "ti", TopicHint: "housing.115"})
	a, _ := content.kb.Article("housing.115", "ti")
	if len(out) == 0 || out[0].Lang != "ti" || !strings.Contains(joined(out), a.Title) {
		t.Fatalf("deep link did not answer the topic in Tigrinya:\n%s", joined(out))
	}
}

func TestSMSLongOptionListIsPagedWithinBudget(t *testing.T) {
	h := newHarness(t)
	addr := "+33600000003"
	sms := func(s string) []bot.Outbound { return h.send(bot.ChannelSMS, addr, bot.Inbound{Text: s}) }
	sms("مرحبا")
	out := sms("1") // "going back home": a submenu of topics in Arabic script
	seen := joined(out)
	for _, o := range out {
		if channels.SMSSegments(o.Text) > 3 {
			t.Fatalf("an SMS of %d segments:\n%s", channels.SMSSegments(o.Text), o.Text)
		}
	}
	var opts []bot.Option
	for _, o := range out {
		if len(o.Options) > len(opts) {
			opts = o.Options
		}
	}
	n := len(opts) - 1 // the last topic (the very last option is "back to menu")
	last := fmt.Sprintf("%d. ", len(opts))
	if !strings.Contains(seen, last) {
		more := joined(sms("المزيد"))
		if !strings.Contains(more, last) {
			t.Fatalf("MORE did not give the rest of the list:\n%s", more)
		}
	}
	topic := strings.TrimPrefix(opts[n-1].Payload, "topic:")
	a, ok := content.kb.Article(topic, "ar")
	if !ok {
		t.Fatalf("option %d is %q, not a topic", n, opts[n-1].Payload)
	}
	out = sms(fmt.Sprint(n)) // still works after paging
	if len(out) == 0 || out[0].Lang != "ar" || !strings.Contains(joined(out), a.Title) {
		t.Fatalf("option %d after paging did not answer %s:\n%s", n, topic, joined(out))
	}
}

func TestEngineTellsTheConsoleOfEachNewMessage(t *testing.T) {
	h := newHarness(t)
	var got []int64
	h.e.OnInbound = func(id int64) { got = append(got, id) }
	in := bot.Inbound{Text: "bonjour", ProviderID: "oi-1"}
	h.send(bot.ChannelTelegram, "7007", in)
	h.send(bot.ChannelTelegram, "7007", in) // a duplicate: nothing new
	if len(got) != 1 || got[0] == 0 {
		t.Fatalf("OnInbound calls: %v, want one with the conversation id", got)
	}
}
