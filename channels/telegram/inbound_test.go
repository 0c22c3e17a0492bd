package telegram

import (
	"context"
	"strings"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/passerelle-org/passerelle/bot"
)

// TestMapping checks the Inbound each fixture becomes, through the real
// decoder, with a handler that only records.
func TestMapping(t *testing.T) {
	s := &spy{}
	ch, err := New(Config{Token: testToken, APIURL: "http://127.0.0.1:1", Username: "passerelle_test_bot"}, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		fixture string
		want    bot.Inbound // Channel, Surface and ReceivedAt are checked apart
		none    bool        // nothing is handed to the engine
	}{
		{"01-text-arabic", bot.Inbound{Address: "700000101", ProviderID: "812345601:1781000001",
			Text: "السلام عليكم، كم مبلغ المساعدة للعودة الطوعية إلى المغرب؟"}, false},
		{"05-start-plain", bot.Inbound{Address: "700000105", ProviderID: "812345605:1781000005", Text: "/start", LangHint: "fa"}, false},
		{"06-start-campaign-tigrinya", bot.Inbound{Address: "700000106", ProviderID: "812345606:1781000006",
			Text: "/start", Campaign: "calais3", LangHint: "ti"}, false},
		{"07-start-invalid-payload", bot.Inbound{Address: "700000107", ProviderID: "812345607:1781000007", Text: "/start", LangHint: "ar"}, false},
		{"08-start-botname-suffix", bot.Inbound{Address: "700000108", ProviderID: "812345608:1781000008",
			Text: "/start", Campaign: "gdn2026", LangHint: "ar", TopicHint: "return.allowance"}, false},
		{"09-callback-language", bot.Inbound{Address: "700000109", ProviderID: "812345609:" + shortHash("3047215638201834561"), Payload: "lang:ti"}, false},
		{"10-callback-forged-data", bot.Inbound{}, true},
		{"11-edited-message", bot.Inbound{}, true},
		{"12-photo-with-caption-ukrainian", bot.Inbound{Address: "700000112", ProviderID: "812345612:1781000012",
			Text: "Що це за документ? Мені дали OQTF, що мені робити?", Media: []string{"photo"}}, false},
		{"13-photo-without-caption", bot.Inbound{Address: "700000101", ProviderID: "812345613:1781000013", Media: []string{"photo"}}, false},
		{"15-sticker", bot.Inbound{Address: "700000102", ProviderID: "812345615:1781000015", Media: []string{"sticker"}}, false},
		{"16-location", bot.Inbound{Address: "700000103", ProviderID: "812345616:1781000016", Media: []string{"location"}}, false},
		{"17-contact-shared", bot.Inbound{Address: "700000101", ProviderID: "812345617:1781000017", Media: []string{"contact"}}, false},
		{"19-group-command", bot.Inbound{}, true},
		{"23-channel-post", bot.Inbound{}, true},
		{"24-message-reaction", bot.Inbound{}, true},
		{"25-service-pinned", bot.Inbound{}, true},
		{"26-mention-after-emoji", bot.Inbound{Address: "700000126", ProviderID: "812345626:1781000026",
			Text: "👨‍👩‍👧 السلام عليكم، أريد العودة إلى بلدي"}, false},
		{"27-story", bot.Inbound{Address: "700000127", ProviderID: "812345627:1781000027", Media: []string{"story"}}, false},
	}
	for _, tc := range tests {
		t.Run(tc.fixture, func(t *testing.T) {
			n := len(s.all())
			u, err := decodeUpdate(fixture(t, tc.fixture))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := ch.process(context.Background(), u); err != nil {
				t.Fatal(err)
			}
			got := s.all()[n:]
			if tc.none {
				if len(got) != 0 {
					t.Errorf("handed to the engine: %+v", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("%d inbound, want 1", len(got))
			}
			in := got[0]
			if in.Channel != bot.ChannelTelegram || in.Surface != bot.SurfaceTelegram || in.ReceivedAt.IsZero() {
				t.Errorf("channel %q surface %q received %v", in.Channel, in.Surface, in.ReceivedAt)
			}
			in.Channel, in.Surface, in.ReceivedAt = "", "", tc.want.ReceivedAt
			if !equalInbound(in, tc.want) {
				t.Errorf("got  %+v\nwant %+v", in, tc.want)
			}
		})
	}
	ch.Close()
}

func equalInbound(a, b bot.Inbound) bool {
	return a.Address == b.Address && a.ProviderID == b.ProviderID && a.Text == b.Text && a.Payload == b.Payload &&
		a.Campaign == b.Campaign && a.LangHint == b.LangHint && a.TopicHint == b.TopicHint &&
		strings.Join(a.Media, ",") == strings.Join(b.Media, ",")
}

// TestEntitiesUTF16: commands and mentions are found by UTF-16 offsets
// whatever comes before them (emoji take two units, Arabic one).
func TestEntitiesUTF16(t *testing.T) {
	ch, _ := New(Config{Token: testToken, Username: "passerelle_test_bot"}, &spy{}, nil)
	ent := func(typ, text, sub string) tgbotapi.MessageEntity {
		i := strings.Index(text, sub)
		return tgbotapi.MessageEntity{Type: typ, Offset: utf16Units(text[:i]), Length: utf16Units(sub)}
	}
	tests := []struct {
		text string
		ents func(text string) []tgbotapi.MessageEntity
		want string
	}{
		{"/menu@passerelle_test_bot", func(s string) []tgbotapi.MessageEntity {
			return []tgbotapi.MessageEntity{ent("bot_command", s, "/menu@passerelle_test_bot")}
		}, "/menu"},
		{"/help now", func(s string) []tgbotapi.MessageEntity {
			return []tgbotapi.MessageEntity{ent("bot_command", s, "/help")}
		}, "/help now"},
		{"🇪🇷🇪🇷 @passerelle_test_bot ሰላም", func(s string) []tgbotapi.MessageEntity {
			return []tgbotapi.MessageEntity{ent("mention", s, "@passerelle_test_bot")}
		}, "🇪🇷🇪🇷 ሰላም"},
		{"مرحبا @passerelle_test_bot و @someone_else", func(s string) []tgbotapi.MessageEntity {
			return []tgbotapi.MessageEntity{ent("mention", s, "@passerelle_test_bot"), ent("mention", s, "@someone_else")}
		}, "مرحبا و @someone_else"},
		{"😀 @Passerelle_Test_Bot", func(s string) []tgbotapi.MessageEntity {
			return []tgbotapi.MessageEntity{ent("mention", s, "@Passerelle_Test_Bot")}
		}, "😀"},
		// Offsets that cut a surrogate pair, or run past the end: ignored.
		{"😀@passerelle_test_bot", func(string) []tgbotapi.MessageEntity {
			return []tgbotapi.MessageEntity{{Type: "mention", Offset: 1, Length: 20}}
		}, "😀@passerelle_test_bot"},
		{"hi @passerelle_test_bot", func(string) []tgbotapi.MessageEntity {
			return []tgbotapi.MessageEntity{{Type: "mention", Offset: 3, Length: 99}}
		}, "hi @passerelle_test_bot"},
		{"line one\nline two", func(string) []tgbotapi.MessageEntity { return nil }, "line one\nline two"},
	}
	for _, tc := range tests {
		var in bot.Inbound
		if got := ch.readText(&in, tc.text, tc.ents(tc.text), nil); got != tc.want {
			t.Errorf("readText(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

func utf16Units(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

func TestUTF16Range(t *testing.T) {
	s := "a😀بc"
	for _, tc := range []struct {
		off, n     int
		start, end int
		ok         bool
	}{
		{0, 1, 0, 1, true}, {1, 2, 1, 5, true}, {3, 1, 5, 7, true}, {4, 1, 7, 8, true}, {5, 0, 8, 8, true},
		{2, 1, 0, 0, false}, {1, 1, 0, 0, false}, {4, 2, 0, 0, false}, {-1, 1, 0, 0, false}, {6, 0, 0, 0, false},
	} {
		start, end, ok := utf16Range(s, tc.off, tc.n)
		if ok != tc.ok || (ok && (start != tc.start || end != tc.end)) {
			t.Errorf("utf16Range(%d, %d) = %d %d %v, want %d %d %v", tc.off, tc.n, start, end, ok, tc.start, tc.end, tc.ok)
		}
	}
}

// TestCallbackData: callback_data is user-controlled; only what has the
// shape of an offered payload reaches the engine.
func TestCallbackData(t *testing.T) {
	for _, ok := range []string{"menu", "more", "person", "lang:ti", "lang:ckb", "topic:return.eligibility.asylum-pending", "consent:yes", "menu:health_shelter", "delete:yes"} {
		if !ValidPayload(ok) {
			t.Errorf("ValidPayload(%q) = false", ok)
		}
	}
	for _, bad := range []string{"", " ", "menu ", "lang:ti\n", "<script>", "topic:a b", "ሰላም", "lang:ti;DROP", strings.Repeat("a", 65), "\xff\xfe", "a\x00b", "../../etc"} {
		if ValidPayload(bad) {
			t.Errorf("ValidPayload(%q) = true", bad)
		}
	}
}

// TestDeepLinks: the payload grammar round-trips, stays within Telegram's
// 64 characters of [A-Za-z0-9_-], and refuses what it cannot encode.
func TestDeepLinks(t *testing.T) {
	for _, tc := range []struct {
		start Start
		link  string
	}{
		{Start{Campaign: "calais3"}, "https://t.me/passerelle_test_bot?start=calais3"},
		{Start{Campaign: "calais3", Lang: "ti"}, "https://t.me/passerelle_test_bot?start=calais3-ti"},
		{Start{Campaign: "gdn2026", Lang: "ckb", Topic: "return.eligibility.asylum-pending"}, "https://t.me/passerelle_test_bot?start=gdn2026-ckb--return_eligibility_asylum-pending"},
		{Start{Campaign: "poster_12", Topic: "housing.115"}, "https://t.me/passerelle_test_bot?start=poster_12--housing_115"},
	} {
		link, err := DeepLink("@passerelle_test_bot", tc.start)
		if err != nil || link != tc.link {
			t.Errorf("DeepLink(%+v) = %q, %v; want %q", tc.start, link, err, tc.link)
			continue
		}
		payload := strings.TrimPrefix(link, "https://t.me/passerelle_test_bot?start=")
		if !startRE.MatchString(payload) {
			t.Errorf("%q is not a valid start parameter", payload)
		}
		if got, ok := ParseStart(payload); !ok || got != tc.start {
			t.Errorf("ParseStart(%q) = %+v %v", payload, got, ok)
		}
	}
	for _, bad := range []Start{
		{}, {Campaign: "calais-3"}, {Campaign: "x", Lang: "Tigrinya"}, {Campaign: "x", Topic: "Return.Allowance"},
		{Campaign: "x", Topic: "a_b"}, {Campaign: strings.Repeat("c", 32), Lang: "ti", Topic: "return.eligibility.asylum-pending"},
		{Campaign: "ሰላም"},
	} {
		if p, err := bad.Payload(); err == nil {
			t.Errorf("Payload(%+v) = %q, want an error", bad, p)
		}
	}
	if _, err := DeepLink("not a bot", Start{Campaign: "x"}); err == nil {
		t.Error("DeepLink with a bad username: want an error")
	}
	for _, bad := range []string{"", "-ti", "calais3-", "calais3-TI", "calais3--", "calais3--Return", "a b", "calais3-ti-fr", strings.Repeat("a", 65), "calais3--return__x"} {
		if s, ok := ParseStart(bad); ok {
			t.Errorf("ParseStart(%q) = %+v, want invalid", bad, s)
		}
	}
}
