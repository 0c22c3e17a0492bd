package telegram

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-org/passerelle/channels/telegram/telegramtest"
)

// Chats of the fixtures in testdata/updates.
const (
	chatArabic   = "700000101"
	chatTigrinya = "700000102"
	chatDari     = "700000103"
)

// TestWebhookUpdates posts real Update payloads, in order, through the
// real webhook handler, Engine and SQLite, and checks what was recorded
// and what the person received from the fake Bot API. Later rows reuse
// the chats of earlier ones, as a conversation goes on.
func TestWebhookUpdates(t *testing.T) {
	e := newEnv(t, nil)
	type want struct {
		recorded bool   // an inbound message was recorded
		callback bool   // the response answers the callback query
		reply    string // a substring of the first reply ("" = no reply)
		lang     string // the reply's buttons are in this language's words
		check    func(t *testing.T, sent []telegramtest.Call)
	}
	hasButton := func(payload string) func(*testing.T, []telegramtest.Call) {
		return func(t *testing.T, sent []telegramtest.Call) {
			if !slices.Contains(buttons(sent), payload) {
				t.Errorf("no button %q:\n%s", payload, texts(sent))
			}
		}
	}
	tests := []struct {
		fixture string
		want    want
	}{
		// Text in three scripts; the client's language is not the message's.
		{"01-text-arabic", want{recorded: true, reply: T("ar", "welcome.hello"), lang: "ar"}},
		{"02-text-tigrinya-en-client", want{recorded: true, reply: T("ti", "welcome.hello"), lang: "ti"}},
		{"03-text-dari-no-language-code", want{recorded: true, reply: T("fa", "welcome.hello"), lang: "fa"}},
		{"04-emoji-only", want{recorded: true, reply: T("en", "input.emoji_only")}},
		// /start: bare (the client's language for the welcome), with a
		// campaign deep link, with an invalid payload, with @botname.
		{"05-start-plain", want{recorded: true, reply: T("fa", "welcome.hello"), check: hasButton("lang:ti")}},
		{"06-start-campaign-tigrinya", want{recorded: true, reply: T("ti", "welcome.hello"), check: func(t *testing.T, _ []telegramtest.Call) {
			if _, conv := e.conversation("700000106"); conv.Campaign != "calais3" || conv.Lang != "ti" {
				t.Errorf("conversation campaign %q lang %q, want calais3 ti", conv.Campaign, conv.Lang)
			}
		}}},
		{"07-start-invalid-payload", want{recorded: true, reply: T("ar", "welcome.hello"), check: func(t *testing.T, _ []telegramtest.Call) {
			if _, conv := e.conversation("700000107"); conv.Campaign != "" {
				t.Errorf("invalid payload recorded campaign %q", conv.Campaign)
			}
			if got := e.lastInbound("700000107"); got != "/start" {
				t.Errorf("recorded text %q, want /start (the payload is not kept)", got)
			}
		}}},
		{"08-start-botname-suffix", want{recorded: true, reply: T("ar", "welcome.hello"), check: func(t *testing.T, _ []telegramtest.Call) {
			if _, conv := e.conversation("700000108"); conv.Campaign != "gdn2026" {
				t.Errorf("campaign %q, want gdn2026", conv.Campaign)
			}
		}}},
		// Buttons: a real payload, and forged callback_data.
		{"09-callback-language", want{recorded: true, callback: true, reply: T("ti", "language.set"), lang: "ti"}},
		{"10-callback-forged-data", want{callback: true}},
		// An edit is not a new question.
		{"11-edited-message", want{}},
		// Media: the caption is the text; without one, the person is told
		// in their language what the bot can read.
		{"12-photo-with-caption-ukrainian", want{recorded: true, reply: T("uk", "welcome.hello"), lang: "uk"}},
		{"13-photo-without-caption", want{recorded: true, reply: T("ar", "input.media")}},
		{"14-voice", want{recorded: true, reply: T("ar", "input.media")}},
		{"15-sticker", want{recorded: true, reply: T("ti", "input.media")}},
		{"16-location", want{recorded: true, reply: T("fa", "input.media")}},
		{"17-contact-shared", want{recorded: true, reply: T("ar", "input.media")}},
		{"18-document", want{recorded: true, reply: T("en", "input.media")}},
		{"27-story", want{recorded: true, reply: T("en", "input.media")}},
		// Groups are declined (in the background; checked below).
		{"19-group-command", want{}},
		{"22-added-to-group", want{}},
		// Blocked and unblocked: flags, no message.
		{"20-my-chat-member-blocked", want{check: func(t *testing.T, _ []telegramtest.Call) {
			if c, _ := e.conversation(chatArabic); !c.Blocked {
				t.Error("contact not marked blocked")
			}
		}}},
		{"21-my-chat-member-unblocked", want{check: func(t *testing.T, _ []telegramtest.Call) {
			if c, _ := e.conversation(chatArabic); c.Blocked {
				t.Error("contact still blocked")
			}
		}}},
		// Not handled: 200, nothing done.
		{"23-channel-post", want{}},
		{"24-message-reaction", want{}},
		{"25-service-pinned", want{}},
		// A mention of the bot after an emoji ZWJ sequence: UTF-16 offsets.
		{"26-mention-after-emoji", want{recorded: true, reply: T("ar", "welcome.hello"), check: func(t *testing.T, _ []telegramtest.Call) {
			if got, want := e.lastInbound("700000126"), "👨‍👩‍👧 السلام عليكم، أريد العودة إلى بلدي"; got != want {
				t.Errorf("recorded %q, want %q", got, want)
			}
		}}},
	}
	for _, tc := range tests {
		t.Run(tc.fixture, func(t *testing.T) {
			before := e.counts()
			code, body := e.post(fixture(t, tc.fixture), testSecret)
			if code != http.StatusOK {
				t.Fatalf("status %d (%s), want 200", code, body)
			}
			var answer struct {
				Method          string `json:"method"`
				CallbackQueryID string `json:"callback_query_id"`
			}
			if tc.want.callback {
				if err := json.Unmarshal([]byte(body), &answer); err != nil || answer.Method != "answerCallbackQuery" || answer.CallbackQueryID == "" {
					t.Errorf("response %q, want answerCallbackQuery", body)
				}
			} else if body != "" {
				t.Errorf("response body %q, want none", body)
			}
			after := e.counts()
			if got := after["inbound_dedupe"] - before["inbound_dedupe"]; got != map[bool]int{true: 1}[tc.want.recorded] {
				t.Errorf("%d inbound messages recorded, want recorded=%v", got, tc.want.recorded)
			}
			sent := e.deliver()
			if tc.want.reply == "" {
				if len(sent) > 0 {
					t.Errorf("sent replies, want none:\n%s", texts(sent))
				}
			} else if len(sent) == 0 || !strings.Contains(sent[0].Params["text"], tc.want.reply) {
				t.Errorf("first reply does not contain %q:\n%s", tc.want.reply, texts(sent))
			}
			for _, c := range sent {
				if c.Params["parse_mode"] != "" {
					t.Errorf("parse_mode %q, want plain text", c.Params["parse_mode"])
				}
				for _, row := range c.Keyboard() {
					for _, b := range row {
						if b.CallbackData == "" || len(b.CallbackData) > 64 || !ValidPayload(b.CallbackData) {
							t.Errorf("button %q has callback_data %q", b.Text, b.CallbackData)
						}
					}
				}
			}
			if tc.want.lang != "" && !slices.ContainsFunc([]string{"answer.menu", "menu.return", "handoff.yes"}, func(key string) bool {
				return slices.Contains(labels(sent), T(tc.want.lang, key))
			}) {
				t.Errorf("no %s button among %q", tc.want.lang, labels(sent))
			}
			if tc.want.check != nil {
				tc.want.check(t, sent)
			}
		})
	}

	t.Run("groups declined and left", func(t *testing.T) {
		e.ch.Close() // waits for the notices
		for _, group := range []string{"-1001234567890", "-1009876543210"} {
			var notice, left bool
			for _, c := range e.api.Calls() {
				if c.Params["chat_id"] != group {
					continue
				}
				switch c.Method {
				case "sendMessage":
					notice = true
					kb := c.Keyboard()
					if len(kb) != 1 || kb[0][0].URL != "https://t.me/"+telegramtest.Username {
						t.Errorf("group notice button %+v, want a link to the private chat", kb)
					}
				case "leaveChat":
					left = true
				}
			}
			if !notice || !left {
				t.Errorf("group %s: notice %v, left %v; want both", group, notice, left)
			}
		}
		if got := e.api.CallsOf("sendMessage"); !slices.ContainsFunc(got, func(c telegramtest.Call) bool {
			return c.Params["chat_id"] == "-1001234567890" && c.Params["text"] == T("ar", "telegram.group_private")
		}) {
			t.Errorf("the Arabic-speaking member's group got no Arabic notice:\n%s", texts(got))
		}
		for _, chat := range []string{"-1001234567890", "-1009876543210"} {
			if bytes.Contains(e.dbBytes(), []byte(chat)) {
				t.Errorf("group %s recorded", chat)
			}
		}
	})

	t.Run("personal data", func(t *testing.T) {
		db, logs := e.dbBytes(), e.logs.String()
		for _, secret := range []string{"+33639980001", "33639980001", "VCARD", "50.951241", "1.858686",
			chatArabic, chatTigrinya, testToken, testSecret} {
			if bytes.Contains(db, []byte(secret)) {
				t.Errorf("the database holds %q", secret)
			}
			if strings.Contains(logs, secret) {
				t.Errorf("the logs hold %q", secret)
			}
		}
		for _, text := range []string{"السلام عليكم", "ሰላም", "OQTF"} {
			if strings.Contains(logs, text) {
				t.Errorf("the logs hold message text %q", text)
			}
		}
	})
}

// labels lists the text of every button sent.
func labels(calls []telegramtest.Call) []string {
	var out []string
	for _, c := range calls {
		for _, row := range c.Keyboard() {
			for _, b := range row {
				out = append(out, b.Text)
			}
		}
	}
	return out
}

// TestWebhookDuplicate: Telegram redelivers an update it got no 2xx for;
// the second delivery is recorded once and answered once. An update whose
// id comes back after ids restarted (a quiet week) is a new message.
func TestWebhookDuplicate(t *testing.T) {
	e := newEnv(t, nil)
	body := fixture(t, "01-text-arabic")
	for i := range 3 {
		if code, _ := e.post(body, testSecret); code != 200 {
			t.Fatalf("delivery %d: status %d", i+1, code)
		}
	}
	if n := e.counts()["inbound_dedupe"]; n != 1 {
		t.Errorf("%d inbound records, want 1", n)
	}
	first := e.deliver()
	if len(first) == 0 {
		t.Fatal("no reply")
	}
	if again := e.deliver(); len(again) != 0 {
		t.Errorf("a redelivery was answered again:\n%s", texts(again))
	}
	// Same update_id, later date: ids restarted at random.
	later := bytes.Replace(body, []byte(`"date": 1781000001`), []byte(`"date": 1781900001`), 1)
	if bytes.Equal(later, body) {
		t.Fatal("fixture date not found")
	}
	e.post(later, testSecret)
	if n := e.counts()["inbound_dedupe"]; n != 2 {
		t.Errorf("a new message reusing an old update_id was dropped (%d records, want 2)", n)
	}
}

// TestWebhookRejects: forged and malformed requests change nothing and
// reach neither the engine nor the Bot API.
func TestWebhookRejects(t *testing.T) {
	e := newEnv(t, nil)
	valid := fixture(t, "01-text-arabic")
	tests := []struct {
		name   string
		body   []byte
		secret string
		want   int
	}{
		{"no secret header", valid, "", 401},
		{"wrong secret", valid, "test-secret_0123456788", 401},
		{"secret prefix", valid, testSecret[:10], 401},
		{"secret with suffix", valid, testSecret + "x", 401},
		{"secret in another case", valid, strings.ToUpper(testSecret), 401},
		{"not JSON", []byte("update_id=1&message=hi"), testSecret, 400},
		{"truncated JSON", valid[:len(valid)/2], testSecret, 400},
		{"trailing garbage", append(append([]byte{}, valid...), []byte("}{")...), testSecret, 400},
		{"array", []byte(`[{"update_id":1}]`), testSecret, 400},
		{"no update_id", []byte(`{"message":{"message_id":1,"date":1,"chat":{"id":1,"type":"private"},"text":"hi"}}`), testSecret, 400},
		{"update_id is a string", []byte(`{"update_id":"1","message":{"message_id":1,"date":1,"chat":{"id":1,"type":"private"},"text":"hi"}}`), testSecret, 400},
		{"message without chat", []byte(`{"update_id":5,"message":{"message_id":1,"date":1,"text":"hi"}}`), testSecret, 400},
		{"text is a number", []byte(`{"update_id":5,"message":{"message_id":1,"date":1,"chat":{"id":1,"type":"private"},"text":42}}`), testSecret, 400},
		{"callback without id", []byte(`{"update_id":6,"callback_query":{"from":{"id":1,"is_bot":false,"first_name":"a"},"chat_instance":"1","data":"menu"}}`), testSecret, 400},
		{"too large", bytes.Repeat([]byte(" "), maxBody+1), testSecret, 413},
		{"empty", nil, testSecret, 400},
	}
	before := e.counts()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if code, body := e.post(tc.body, tc.secret); code != tc.want {
				t.Errorf("status %d (%s), want %d", code, body, tc.want)
			}
		})
	}
	if after := e.counts(); !mapsEqual(before, after) {
		t.Errorf("rows changed: %v -> %v", before, after)
	}
	if calls := e.api.Calls(); len(calls) != 0 {
		t.Errorf("the Bot API was called: %+v", calls)
	}
	res, err := http.Get(e.hook.URL + WebhookPath)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d, want 405", res.StatusCode)
	}

	t.Run("no secret configured", func(t *testing.T) {
		e := newEnv(t, func(c *Config) { c.WebhookSecret = "" })
		for _, s := range []string{"", "anything", testSecret} {
			if code, _ := e.post(valid, s); code != 401 {
				t.Errorf("secret %q: status %d, want 401", s, code)
			}
		}
	})
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestWebhookEngineFailure: when the update cannot be recorded the
// webhook answers 500, so Telegram delivers it again, and the second
// delivery is handled.
func TestWebhookEngineFailure(t *testing.T) {
	s := &spy{err: errTest}
	ch, err := New(Config{Token: testToken, APIURL: "http://127.0.0.1:1", WebhookSecret: testSecret}, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	body := fixture(t, "01-text-arabic")
	post := func() int {
		rec := httptest.NewRecorder()
		req, _ := http.NewRequest("POST", WebhookPath, bytes.NewReader(body))
		req.Header.Set(SecretHeader, testSecret)
		ch.ServeHTTP(rec, req)
		return rec.Code
	}
	if code := post(); code != 500 {
		t.Errorf("status %d, want 500", code)
	}
	s.mu.Lock()
	s.err = nil
	s.mu.Unlock()
	if code := post(); code != 200 || len(s.all()) != 1 {
		t.Errorf("redelivery: status %d, %d handled", code, len(s.all()))
	}
}

var errTest = errorString("database is locked")

type errorString string

func (e errorString) Error() string { return string(e) }

// TestSetWebhook: in webhook mode Run registers the URL with the secret
// token and the update types handled.
func TestSetWebhook(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.WebhookURL = "https://passerelle.example.org/webhooks/telegram" })
	e.api.FailNext("setWebhook", telegramtest.InternalError)
	done := make(chan error, 1)
	go func() { done <- e.ch.Run(t.Context()) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after setting the webhook")
	}
	w := e.api.Webhook()
	if w["url"] != "https://passerelle.example.org/webhooks/telegram" || w["secret_token"] != testSecret {
		t.Errorf("setWebhook %v", w)
	}
	var allowed []string
	if err := json.Unmarshal([]byte(w["allowed_updates"]), &allowed); err != nil || !slices.Equal(allowed, AllowedUpdates) {
		t.Errorf("allowed_updates %q, want %q", w["allowed_updates"], AllowedUpdates)
	}
	if n := len(e.api.CallsOf("setWebhook")); n != 2 {
		t.Errorf("%d setWebhook calls, want 2 (one failure, one retry)", n)
	}
}
