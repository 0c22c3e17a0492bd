package telegram

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/passerelle-org/passerelle/bot"
	"github.com/passerelle-org/passerelle/channels"
	"github.com/passerelle-org/passerelle/channels/telegram/telegramtest"
)

// TestSendErrors: each Bot API answer maps to what the outbox worker must
// do, and no error text holds the token.
func TestSendErrors(t *testing.T) {
	tests := []struct {
		name  string
		fail  telegramtest.Failure
		kind  bot.SendErrorKind
		after time.Duration
	}{
		{"429 retry_after", telegramtest.TooManyRequests, bot.SendRetry, 34 * time.Second},
		{"403 blocked", telegramtest.Blocked, bot.SendBlocked, 0},
		{"400 message is too long", telegramtest.TooLong, bot.SendPermanent, 0},
		{"400 chat not found", telegramtest.ChatNotFound, bot.SendPermanent, 0},
		{"500", telegramtest.InternalError, bot.SendRetry, 0},
		{"502 HTML from a proxy", telegramtest.ServerError, bot.SendRetry, 0},
		{"dropped connection", telegramtest.Dropped, bot.SendRetry, 0},
		{"401 token revoked", telegramtest.Failure{Status: 401, Body: `{"ok":false,"error_code":401,"description":"Unauthorized"}`}, bot.SendRetry, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, nil)
			e.api.FailNext("sendMessage", tc.fail)
			_, err := e.ch.Send(context.Background(), bot.Outbound{ID: 1, Address: "700000301", Text: "Bonjour", Surface: bot.SurfaceTelegram})
			var se *bot.SendError
			if !errors.As(err, &se) {
				t.Fatalf("error %v (%T), want a *bot.SendError", err, err)
			}
			if se.Kind != tc.kind || se.RetryAfter != tc.after {
				t.Errorf("kind %v after %v, want %v after %v (%v)", se.Kind, se.RetryAfter, tc.kind, tc.after, err)
			}
			if strings.Contains(err.Error(), testToken) || strings.Contains(err.Error(), "AAHk7n3") {
				t.Errorf("error text holds the token: %v", err)
			}
		})
	}
	t.Run("wrong token", func(t *testing.T) {
		e := newEnv(t, func(c *Config) { c.Token = "987654321:AAHk7n3tESTtokenFORpasserelle_9999999" })
		_, err := e.ch.Send(context.Background(), bot.Outbound{Address: "700000301", Text: "Bonjour"})
		if kind, _ := bot.SendErrorKindOf(err); kind != bot.SendRetry || strings.Contains(err.Error(), "AAHk7n3") {
			t.Errorf("%v: kind %v, want SendRetry without the token", err, kind)
		}
	})
	t.Run("not a chat id", func(t *testing.T) {
		e := newEnv(t, nil)
		_, err := e.ch.Send(context.Background(), bot.Outbound{Address: "+33639980001", Text: "x"})
		if kind, _ := bot.SendErrorKindOf(err); kind != bot.SendPermanent {
			t.Errorf("%v: want SendPermanent", err)
		}
	})
}

// TestWorkerOnTelegramErrors runs the real outbox worker against the fake:
// a 429 is retried after retry_after, a dropped connection is retried, a
// 403 marks the contact blocked, and the logs never hold the token, the
// chat id or the text.
func TestWorkerOnTelegramErrors(t *testing.T) {
	e := newEnv(t, nil)
	if code, _ := e.post(fixture(t, "01-text-arabic"), testSecret); code != 200 {
		t.Fatal(code)
	}
	e.api.FailNext("sendMessage", telegramtest.TooManyRequests)
	start := time.Now()
	if n, _ := e.worker.Drain(context.Background()); n != 1 {
		t.Fatalf("claimed %d, want 1", n)
	}
	if sent := e.api.CallsOf("sendMessage"); len(sent) != 1 {
		t.Fatalf("%d sendMessage calls, want 1", len(sent))
	}
	// The reply waits at least retry_after: nothing is due now.
	if n, _ := e.worker.Drain(context.Background()); n != 0 {
		t.Errorf("claimed %d right after a 429, want 0", n)
	}
	var notBefore int64
	if err := e.db.QueryRow(`SELECT not_before FROM outbox WHERE status = 'queued' ORDER BY id LIMIT 1`).Scan(&notBefore); err != nil {
		t.Fatal(err)
	}
	if wait := time.UnixMilli(notBefore).Sub(start); wait < 33*time.Second {
		t.Errorf("retried after %v, want retry_after (34s)", wait)
	}

	// 403: the person blocked the bot.
	e2 := newEnv(t, nil)
	e2.post(fixture(t, "01-text-arabic"), testSecret)
	e2.api.FailNext("sendMessage", telegramtest.Dropped, telegramtest.Blocked)
	e2.worker.Drain(context.Background())
	if c, _ := e2.conversation(chatArabic); c.Blocked {
		t.Fatal("blocked after a dropped connection")
	}
	e2.worker.Clock = func() time.Time { return time.Now().Add(time.Hour) }
	e2.worker.Drain(context.Background())
	if c, _ := e2.conversation(chatArabic); !c.Blocked {
		t.Error("403 blocked: contact not marked")
	}
	var failed int
	e2.db.QueryRow(`SELECT COUNT(*) FROM outbox WHERE status = 'failed'`).Scan(&failed)
	if failed == 0 {
		t.Error("403: the message was not failed")
	}
	for _, logs := range []string{e.logs.String(), e2.logs.String()} {
		for _, s := range []string{testToken, "AAHk7n3", chatArabic, "السلام"} {
			if strings.Contains(logs, s) {
				t.Errorf("logs hold %q", s)
			}
		}
	}
}

// TestBlockedSendsNothing: my_chat_member "kicked" drops what was queued
// for the person; nothing reaches Telegram until they unblock and write.
func TestBlockedSendsNothing(t *testing.T) {
	e := newEnv(t, nil)
	e.post(fixture(t, "01-text-arabic"), testSecret) // replies queued, not sent
	e.post(fixture(t, "20-my-chat-member-blocked"), testSecret)
	if sent := e.deliver(); len(sent) != 0 {
		t.Errorf("sent to a chat that blocked the bot:\n%s", texts(sent))
	}
	e.post(fixture(t, "21-my-chat-member-unblocked"), testSecret)
	e.post(fixture(t, "14-voice"), testSecret)
	if sent := e.deliver(); len(sent) != 1 || sent[0].Params["text"] != T("ar", "input.media") {
		t.Errorf("after unblocking:\n%s", texts(sent))
	}
	// A block from a chat that never wrote creates nothing.
	before := e.counts()
	e.post([]byte(strings.ReplaceAll(string(fixture(t, "20-my-chat-member-blocked")), chatArabic, "700000999")), testSecret)
	if after := e.counts(); !mapsEqual(before, after) {
		t.Errorf("rows changed: %v -> %v", before, after)
	}
}

// TestSendSplit: a long answer is split at 4096 UTF-16 units, at word or
// grapheme boundaries, the buttons under the last part; when a later part
// fails, the retry sends only what is left.
func TestSendSplit(t *testing.T) {
	e := newEnv(t, nil)
	// Arabic words, and emoji (two UTF-16 units each, ZWJ sequences, flags).
	var b strings.Builder
	for i := range 160 {
		fmt.Fprintf(&b, "%d. المساعدة على العودة الطوعية 👨‍👩‍👧‍👦 تشمل تذكرة السفر 🇫🇷 والمرافقة. ", i)
	}
	text := b.String()
	if channels.UTF16Len(text) < 2*MaxText {
		t.Fatalf("text is %d units, want over %d", channels.UTF16Len(text), 2*MaxText)
	}
	opts := []bot.Option{{Label: "المزيد", Payload: "more"}, {Label: "القائمة", Payload: "menu"}}
	o := bot.Outbound{ID: 42, Address: "700000302", Text: text, Options: opts, Surface: bot.SurfaceTelegram}
	// Part 1 goes, part 2's connection drops; the retry resumes at part 2.
	e.api.FailNext("sendMessage", okFailure(), telegramtest.Dropped)
	if _, err := e.ch.Send(context.Background(), o); err == nil {
		t.Fatal("want the dropped connection's error")
	}
	ids, err := e.ch.Send(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	sent := e.api.CallsOf("sendMessage")
	if len(sent) < 4 || sent[2].Params["text"] != sent[1].Params["text"] || sent[2].Params["text"] == sent[0].Params["text"] {
		t.Fatalf("the retry did not resume at part 2:\n%s", texts(sent))
	}
	// Drop the attempt that was cut; ids names every part, the first too.
	sent = append(sent[:1], sent[2:]...)
	if strings.Count(ids, ",") != len(sent)-1 || !strings.HasPrefix(ids, "7,") {
		t.Errorf("ids %q for %d parts", ids, len(sent))
	}
	var parts []string
	for i, c := range sent {
		p := c.Params["text"]
		parts = append(parts, p)
		if n := channels.UTF16Len(p); n > MaxText || n == 0 {
			t.Errorf("part %d is %d UTF-16 units", i, n)
		}
		first, _ := utf8.DecodeRuneInString(p)
		last, _ := utf8.DecodeLastRuneInString(p)
		if first == '\u200D' || last == '\u200D' || (first >= 0xFE00 && first <= 0xFE0F) || (first >= 0x1F3FB && first <= 0x1F3FF) {
			t.Errorf("part %d cuts a grapheme: starts %U ends %U", i, first, last)
		}
		if isRegionalIndicator(first) && !strings.HasPrefix(p, "🇫🇷") {
			t.Errorf("part %d cuts a flag", i)
		}
		if has := len(c.Keyboard()) > 0; has != (i == len(sent)-1) {
			t.Errorf("part %d of %d has keyboard %v", i+1, len(sent), has)
		}
	}
	if got := strings.Join(strings.Fields(strings.Join(parts, " ")), " "); got != strings.Join(strings.Fields(text), " ") {
		t.Error("the parts do not add up to the text")
	}
}

// okFailure is a scripted answer that is a normal success.
func okFailure() telegramtest.Failure {
	return telegramtest.Failure{Status: 200, Body: `{"ok":true,"result":{"message_id":7,"date":1781000000,"chat":{"id":700000302,"type":"private"},"text":"…"}}`}
}

func isRegionalIndicator(r rune) bool { return r >= 0x1F1E6 && r <= 0x1F1FF }

// TestKeyboard: options become buttons whose callback_data is the payload
// (at most 64 bytes); a payload too long for Telegram goes by number and
// comes back as that number.
func TestKeyboard(t *testing.T) {
	long := "topic:" + strings.Repeat("return.eligibility.", 4)
	kb := keyboard([]bot.Option{{Label: "Plus", Payload: "more"}, {Label: "Trop long", Payload: long}, {Label: " ", Payload: "menu"}})
	if len(kb.InlineKeyboard) != 3 {
		t.Fatalf("rows %d, want one option a row", len(kb.InlineKeyboard))
	}
	got := []string{*kb.InlineKeyboard[0][0].CallbackData, *kb.InlineKeyboard[1][0].CallbackData, *kb.InlineKeyboard[2][0].CallbackData}
	if got[0] != "more" || got[1] != "#2" || got[2] != "menu" || kb.InlineKeyboard[2][0].Text != "3" {
		t.Errorf("callback data %q, labels %q", got, kb.InlineKeyboard[2][0].Text)
	}
	var langs []bot.Option
	for _, l := range content.cat.Languages() {
		langs = append(langs, bot.Option{Label: l.Native, Payload: "lang:" + l.Code})
	}
	loadContent(t)
	if kb := keyboard(langs); len(kb.InlineKeyboard) != (len(langs)+1)/2 {
		t.Errorf("the language list takes %d rows, want two buttons a row", len(kb.InlineKeyboard))
	}
	for _, tc := range []struct {
		data string
		n    int
		ok   bool
	}{{"#2", 2, true}, {"#10", 10, true}, {"#0", 0, false}, {"#02", 0, false}, {"#", 0, false}, {"#1000", 0, false}, {"2", 0, false}, {"#-1", 0, false}} {
		if n, ok := optionIndex(tc.data); n != tc.n || ok != tc.ok {
			t.Errorf("optionIndex(%q) = %d %v", tc.data, n, ok)
		}
	}
}

// TestSendPlainText: text that would be markup in HTML or MarkdownV2 is
// sent as is, with no parse_mode.
func TestSendPlainText(t *testing.T) {
	e := newEnv(t, nil)
	text := "Ligne <b>115</b> & 3919 — *gratuit* _24h/24_ [lien](x) #aide. (OQTF) !"
	if _, err := e.ch.Send(context.Background(), bot.Outbound{Address: "700000303", Text: text}); err != nil {
		t.Fatal(err)
	}
	c := e.api.CallsOf("sendMessage")[0]
	if c.Params["text"] != text || c.Params["parse_mode"] != "" {
		t.Errorf("sent %q with parse_mode %q", c.Params["text"], c.Params["parse_mode"])
	}
}
