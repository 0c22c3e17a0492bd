package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/passerelle-org/passerelle/channels/telegram"
	"github.com/passerelle-org/passerelle/channels/telegram/telegramtest"
	"github.com/passerelle-org/passerelle/locales"
)

const (
	tgToken  = "123456789:AAHk7n3tESTtokenFORpasserelle_0123456"
	tgSecret = "e2e-secret_0123456789"
)

// tgServer runs the real program, configured for Telegram, on loopback
// against a fake Bot API.
type tgServer struct {
	t    *testing.T
	m    *Main
	api  *telegramtest.Server
	base string
	db   *sql.DB
	logs *bytes.Buffer
	cat  *locales.Catalog
}

func startTelegram(t *testing.T, vars map[string]string) *tgServer {
	s := &tgServer{t: t, api: telegramtest.NewServer(t, tgToken), logs: &bytes.Buffer{}}
	dir := t.TempDir()
	all := map[string]string{
		"PASSERELLE_DATA_DIR": dir, "PASSERELLE_ADDR": "127.0.0.1:0",
		"PASSERELLE_TELEGRAM_TOKEN": tgToken, "PASSERELLE_TELEGRAM_API_URL": s.api.URL,
	}
	for k, v := range vars {
		all[k] = v
	}
	cfg, err := loadConfig("", env(all))
	if err != nil {
		t.Fatal(err)
	}
	s.m = &Main{Config: cfg, Log: newLogger(s.logs, "info")}
	ctx, cancel := context.WithCancel(context.Background())
	if err := s.m.Open(ctx); err != nil {
		t.Fatal(err)
	}
	s.cat = s.m.Locales
	done := make(chan error, 1)
	go func() { done <- s.m.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		s.m.Close()
		s.db.Close()
		for _, secret := range []string{tgToken, tgSecret, "700000701", "700000702"} {
			if strings.Contains(s.logs.String(), secret) {
				t.Errorf("the logs hold %q", secret)
			}
		}
	})
	for i := 0; i < 500 && !s.m.ready.Load(); i++ {
		time.Sleep(10 * time.Millisecond)
	}
	s.base = "http://" + s.m.Addr.Load().(string)
	s.db, err = sql.Open("sqlite", "file:"+filepath.Join(dir, "passerelle.db")+"?_pragma=query_only(1)")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// settle waits until every update was taken and every reply sent, and
// returns the messages sent to chat since before.
func (s *tgServer) settle(chat int64, before int) []telegramtest.Call {
	s.t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		var queued int
		if err := s.db.QueryRow(`SELECT COUNT(*) FROM outbox WHERE status = 'queued'`).Scan(&queued); err != nil {
			s.t.Fatal(err)
		}
		if s.api.Pending() == 0 && queued == 0 && len(s.sentTo(chat)) > before {
			break
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("no reply to %d (pending %d, queued %d)", chat, s.api.Pending(), queued)
		}
	}
	return s.sentTo(chat)[before:]
}

func (s *tgServer) sentTo(chat int64) []telegramtest.Call {
	var out []telegramtest.Call
	for _, c := range s.api.CallsOf("sendMessage") {
		if c.Params["chat_id"] == fmt.Sprint(chat) && c.MessageID != 0 {
			out = append(out, c)
		}
	}
	return out
}

// say sends text from chat, as the Telegram app would, and returns the
// replies.
func (s *tgServer) say(chat int64, appLang, text string) []telegramtest.Call {
	s.t.Helper()
	before := len(s.sentTo(chat))
	s.api.PushUpdate(telegramtest.TextUpdate(chat, appLang, text))
	out := s.settle(chat, before)
	s.t.Logf("%d: %q\n%s", chat, text, tgTexts(out))
	return out
}

// press taps the button with callback_data data on the last message that
// offered it, and returns the replies.
func (s *tgServer) press(chat int64, data string) []telegramtest.Call {
	s.t.Helper()
	sent := s.sentTo(chat)
	for i := len(sent) - 1; i >= 0; i-- {
		for _, row := range sent[i].Keyboard() {
			for _, b := range row {
				if b.CallbackData == data {
					before := len(sent)
					answered := len(s.api.CallsOf("answerCallbackQuery"))
					s.api.PushUpdate(telegramtest.CallbackUpdate(chat, sent[i].MessageID, data))
					out := s.settle(chat, before)
					s.t.Logf("%d: [%s]\n%s", chat, data, tgTexts(out))
					if len(s.api.CallsOf("answerCallbackQuery")) <= answered {
						s.t.Errorf("button %q: no answerCallbackQuery", data)
					}
					return out
				}
			}
		}
	}
	s.t.Fatalf("chat %d was never offered a button %q:\n%s", chat, data, tgTexts(sent))
	return nil
}

func (s *tgServer) T(lang, key string) string {
	return s.cat.Printer(lang).T(key, map[string]any{"Days": s.m.Config.RetentionDays})
}

func tgTexts(calls []telegramtest.Call) string {
	var b strings.Builder
	for _, c := range calls {
		text := []rune(c.Params["text"])
		if len(text) > 200 {
			text = append(text[:200], '…')
		}
		fmt.Fprintf(&b, "→ %q", string(text))
		for _, row := range c.Keyboard() {
			for _, btn := range row {
				fmt.Fprintf(&b, " [%s|%s]", btn.Text, btn.CallbackData)
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

func tgButtons(calls []telegramtest.Call) (labels, data []string) {
	for _, c := range calls {
		for _, row := range c.Keyboard() {
			for _, b := range row {
				labels, data = append(labels, b.Text), append(data, b.CallbackData)
			}
		}
	}
	return labels, data
}

// inScript reports whether most letters of the replies are in the script
// (an answer quotes OQTF, OFII and web addresses).
func inScript(calls []telegramtest.Call, script *unicode.RangeTable) bool {
	in, all := 0, 0
	for _, c := range calls {
		for _, r := range c.Params["text"] {
			if unicode.IsLetter(r) {
				all++
				if unicode.Is(script, r) {
					in++
				}
			}
		}
	}
	return all > 0 && in*2 > all
}

// TestTelegramNewUserOnLoopback tries the service as new people would,
// through the real program in long-polling mode against a Bot API double:
// a Tigrinya speaker opens a campaign link, picks a button, asks for a
// person; an Arabic speaker asks a question, asks for more, and asks for a
// person. Every reply is in the person's language, and every button works.
func TestTelegramNewUserOnLoopback(t *testing.T) {
	s := startTelegram(t, nil)
	const yonas, amal = 700000701, 700000702

	// The poster's QR code: /start with the campaign, Tigrinya.
	got := s.say(yonas, "en", "/start calais3-ti")
	if !strings.Contains(got[0].Params["text"], s.T("ti", "welcome.hello")) || !inScript(got, unicode.Ethiopic) {
		t.Fatalf("/start calais3-ti:\n%s", tgTexts(got))
	}
	if _, data := tgButtons(got); !slices.Contains(data, "lang:ti") || !slices.Contains(data, "lang:ar") {
		t.Fatalf("no language buttons:\n%s", tgTexts(got))
	}
	var campaign string
	s.db.QueryRow(`SELECT campaign FROM conversations ORDER BY id LIMIT 1`).Scan(&campaign)
	if campaign != "calais3" {
		t.Errorf("campaign %q, want calais3", campaign)
	}
	// A button: Tigrinya; the menu comes, in Tigrinya.
	got = s.press(yonas, "lang:ti")
	labels, _ := tgButtons(got)
	if !strings.Contains(tgTexts(got), s.T("ti", "menu.prompt")) || !slices.Contains(labels, s.T("ti", "menu.person")) {
		t.Fatalf("lang:ti:\n%s", tgTexts(got))
	}
	// A person, please: the consent question, in Tigrinya, with buttons.
	got = s.press(yonas, "menu:person")
	if !strings.Contains(tgTexts(got), s.T("ti", "handoff.consent")) {
		t.Fatalf("menu:person:\n%s", tgTexts(got))
	}
	got = s.press(yonas, "consent:yes")
	if !inScript(got, unicode.Ethiopic) {
		t.Errorf("after consent:\n%s", tgTexts(got))
	}

	// An Arabic speaker asks a question straight away.
	got = s.say(amal, "ar", "كم مبلغ المساعدة المالية للعودة الطوعية إلى بلدي؟")
	if !inScript(got, unicode.Arabic) || !strings.Contains(got[0].Params["text"], s.T("ar", "welcome.hello")) {
		t.Fatalf("Arabic question:\n%s", tgTexts(got))
	}
	labels, data := tgButtons(got)
	if !slices.Contains(labels, s.T("ar", "answer.more")) && !slices.Contains(labels, s.T("ar", "menu.return")) {
		t.Errorf("buttons not in Arabic: %q", labels)
	}
	next := "more"
	if !slices.Contains(data, "more") {
		next = "menu:return"
	}
	got = s.press(amal, next)
	if !inScript(got, unicode.Arabic) {
		t.Errorf("%s:\n%s", next, tgTexts(got))
	}
	// In words: "I want to talk to a person".
	got = s.say(amal, "ar", "أريد التحدث مع شخص")
	if !strings.Contains(tgTexts(got), s.T("ar", "handoff.consent")) {
		t.Fatalf("asking for a person:\n%s", tgTexts(got))
	}
	got = s.press(amal, "consent:yes")
	if !inScript(got, unicode.Arabic) {
		t.Errorf("after consent:\n%s", tgTexts(got))
	}
	for _, c := range s.api.CallsOf("sendMessage") {
		if c.Params["parse_mode"] != "" {
			t.Errorf("parse_mode %q", c.Params["parse_mode"])
		}
	}
	if n := len(s.api.CallsOf("answerCallbackQuery")); n != 5 {
		t.Errorf("%d answerCallbackQuery, want one per press (5)", n)
	}
}

// TestTelegramWebhookMode: with a public URL the program registers the
// webhook with its secret, and serves it; without the secret it refuses to
// start, naming the variable.
func TestTelegramWebhookMode(t *testing.T) {
	s := startTelegram(t, map[string]string{
		"PASSERELLE_PUBLIC_URL": "https://passerelle.example.org/", "PASSERELLE_TELEGRAM_WEBHOOK_SECRET": tgSecret,
	})
	for deadline := time.Now().Add(10 * time.Second); s.api.Webhook() == nil; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("setWebhook was not called")
		}
	}
	if w := s.api.Webhook(); w["url"] != "https://passerelle.example.org/webhooks/telegram" || w["secret_token"] != tgSecret {
		t.Errorf("setWebhook %v", w)
	}
	if n := len(s.api.CallsOf("getUpdates")); n != 0 {
		t.Errorf("getUpdates called %d times in webhook mode", n)
	}
	post := func(secret string) int {
		req, _ := http.NewRequest("POST", s.base+telegram.WebhookPath,
			strings.NewReader(`{"update_id":1,`+telegramtest.TextUpdate(700000703, "so", "Salaan")[1:]))
		if secret != "" {
			req.Header.Set(telegram.SecretHeader, secret)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode
	}
	if code := post("wrong"); code != 401 {
		t.Errorf("wrong secret: %d", code)
	}
	if code := post(tgSecret); code != 200 {
		t.Errorf("with the secret: %d", code)
	}
	if got := s.settle(700000703, 0); len(got) == 0 {
		t.Error("no reply")
	}

	e, _, _ := testEnv(t, "", map[string]string{"PASSERELLE_TELEGRAM_TOKEN": tgToken, "PASSERELLE_PUBLIC_URL": "https://x.example.org"})
	if err := run(context.Background(), []string{"serve"}, e); err == nil || !strings.Contains(err.Error(), "PASSERELLE_TELEGRAM_WEBHOOK_SECRET") {
		t.Errorf("webhook mode without a secret: %v", err)
	}
}

// TestTelegramLinks: `passerelle links` prints the deep link, asking
// Telegram for the bot's name or taking --bot, and refuses what a link
// cannot carry.
func TestTelegramLinks(t *testing.T) {
	api := telegramtest.NewServer(t, tgToken)
	tests := []struct {
		args []string
		vars map[string]string
		want string // output, or the start of the error
	}{
		{[]string{"--campaign", "calais3", "--bot", "@passerelle_bot"}, nil, "https://t.me/passerelle_bot?start=calais3\n"},
		{[]string{"--campaign", "calais3", "--lang", "ti", "--topic", "return.allowance", "--bot", "passerelle_bot"}, nil,
			"https://t.me/passerelle_bot?start=calais3-ti--return_allowance\n"},
		{[]string{"--campaign", "gdn2026", "--lang", "ar"}, map[string]string{"PASSERELLE_TELEGRAM_TOKEN": tgToken, "PASSERELLE_TELEGRAM_API_URL": api.URL},
			"https://t.me/" + telegramtest.Username + "?start=gdn2026-ar\n"},
		{[]string{"--campaign", "calais3"}, nil, "links: no channel"},
		{[]string{"--campaign", "calais3", "--lang", "ti", "--bot", "passerelle_bot"}, map[string]string{"PASSERELLE_TWILIO_WHATSAPP_FROM": "whatsapp:+33639980901",
			"PASSERELLE_TWILIO_ACCOUNT_SID": "AC0123456789abcdef0123456789abcdef", "PASSERELLE_TWILIO_AUTH_TOKEN": "f0e1d2c3b4a5968778695a4b3c2d1e0f",
			"PASSERELLE_PUBLIC_URL": "https://passerelle.example.org"},
			"https://t.me/passerelle_bot?start=calais3-ti\nhttps://wa.me/33639980901?text=START+%23calais3-ti\n"},
		{[]string{"--lang", "ti", "--bot", "b_bot1"}, nil, "links: --campaign is required"},
		{[]string{"--campaign", "calais 3", "--bot", "b_bot1"}, nil, "links: campaign"},
		{[]string{"--campaign", "c", "--lang", "xx", "--bot", "b_bot1"}, nil, "--lang: \"xx\" is not one of"},
		{[]string{"--campaign", "c", "--topic", "return.nowhere", "--bot", "b_bot1"}, nil, "--topic: no topic"},
		{[]string{"--campaign", "c", "--bot", "b_bot1"}, map[string]string{"PASSERELLE_TELEGRAM_TOKEN": "999999999:AAHk7n3tESTtokenFORpasserelle_9999999", "PASSERELLE_TELEGRAM_API_URL": api.URL},
			"https://t.me/b_bot1?start=c\n"},
	}
	for _, tc := range tests {
		e, out, _ := testEnv(t, "", tc.vars)
		err := run(context.Background(), append([]string{"links"}, tc.args...), e)
		if strings.HasPrefix(tc.want, "https://") {
			if err != nil || out.String() != tc.want {
				t.Errorf("links %q: %v\n%s", tc.args, err, out)
			}
			continue
		}
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("links %q: error %v, want %q...", tc.args, err, tc.want)
		}
	}
}
