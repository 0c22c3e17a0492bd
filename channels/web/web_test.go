package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/passerelle-org/passerelle/bot"
	"github.com/passerelle-org/passerelle/channels"
)

func TestSendMapsToInbound(t *testing.T) {
	_, f, srv := newSim(t, nil)
	before := time.Now().UTC()
	code, body := post(t, srv, sendRequest{Session: session, ID: "m1abc-1", Text: "Bonjour", Payload: "menu:fr", Surface: "whatsapp", Lang: "fr"})
	if code != http.StatusAccepted {
		t.Fatalf("status = %d (%s), want 202", code, body)
	}
	got := f.received()
	if len(got) != 1 {
		t.Fatalf("handler got %d messages, want 1", len(got))
	}
	in := got[0]
	want := bot.Inbound{
		Channel: bot.ChannelWeb, Surface: bot.SurfaceWhatsApp, Address: session,
		ProviderID: session + ":m1abc-1", Text: "Bonjour", Payload: "menu:fr", LangHint: "fr",
	}
	if in.ReceivedAt.Before(before) || in.ReceivedAt.Location() != time.UTC {
		t.Errorf("ReceivedAt = %v, want UTC, not before %v", in.ReceivedAt, before)
	}
	in.ReceivedAt = time.Time{}
	if in.Channel != want.Channel || in.Surface != want.Surface || in.Address != want.Address ||
		in.ProviderID != want.ProviderID || in.Text != want.Text || in.Payload != want.Payload ||
		in.LangHint != want.LangHint || in.Campaign != "" || in.Media != nil {
		t.Errorf("inbound = %+v\nwant      %+v", in, want)
	}
}

func TestSendRejects(t *testing.T) {
	valid := `{"session":"` + session + `","id":"a1","text":"hi","payload":"","surface":"telegram","lang":""}`
	tests := []struct {
		name string
		body string
		want int
	}{
		{"valid", valid, http.StatusAccepted},
		{"each surface: sms", strings.Replace(valid, "telegram", "sms", 1), http.StatusAccepted},
		{"malformed JSON", `{"session":"` + session + `","id":`, http.StatusBadRequest},
		{"not an object", `"hello"`, http.StatusBadRequest},
		{"empty body", ``, http.StatusBadRequest},
		{"unknown field", strings.Replace(valid, `"lang":""`, `"lang":"","admin":true`, 1), http.StatusBadRequest},
		{"wrong type", strings.Replace(valid, `"text":"hi"`, `"text":42`, 1), http.StatusBadRequest},
		{"session too short", strings.Replace(valid, session, "abc", 1), http.StatusBadRequest},
		{"session with a slash", strings.Replace(valid, session, "../../etc/passwd", 1), http.StatusBadRequest},
		{"session with a space", strings.Replace(valid, session, "abcd efgh", 1), http.StatusBadRequest},
		{"session too long", strings.Replace(valid, session, strings.Repeat("a", 65), 1), http.StatusBadRequest},
		{"missing session", strings.Replace(valid, `"session":"`+session+`",`, "", 1), http.StatusBadRequest},
		{"missing id", strings.Replace(valid, `"id":"a1",`, "", 1), http.StatusBadRequest},
		{"id with a colon", strings.Replace(valid, `"id":"a1"`, `"id":"a:1"`, 1), http.StatusBadRequest},
		{"unknown surface", strings.Replace(valid, "telegram", "signal", 1), http.StatusBadRequest},
		{"missing surface", strings.Replace(valid, `"surface":"telegram",`, "", 1), http.StatusBadRequest},
		{"surface in capitals", strings.Replace(valid, "telegram", "SMS", 1), http.StatusBadRequest},
		{"payload too long", strings.Replace(valid, `"payload":""`, `"payload":"`+strings.Repeat("p", 65)+`"`, 1), http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, f, srv := newSim(t, nil)
			code, body := postRaw(t, srv, []byte(tt.body))
			if code != tt.want {
				t.Fatalf("status = %d (%s), want %d", code, strings.TrimSpace(body), tt.want)
			}
			n := len(f.received())
			if tt.want == http.StatusAccepted && n != 1 || tt.want != http.StatusAccepted && n != 0 {
				t.Errorf("handler got %d messages", n)
			}
			if strings.Contains(body, "json:") || strings.Contains(body, "Go struct") {
				t.Errorf("body shows an internal error to the person: %q", body)
			}
		})
	}
}

func TestSendOversizedBody(t *testing.T) {
	_, f, srv := newSim(t, nil)
	text := strings.Repeat("ሰ", maxBody/3+10) // Ethiopic: 3 bytes each, just over 64 KiB
	code, body := post(t, srv, sendRequest{Session: session, ID: "big", Text: text, Surface: "sms"})
	if code != http.StatusRequestEntityTooLarge || !strings.Contains(body, "too long") {
		t.Fatalf("status = %d (%s), want 413 saying the message is too long", code, body)
	}
	if n := len(f.received()); n != 0 {
		t.Errorf("handler got %d messages, want none", n)
	}
	// A long message that fits is accepted whole.
	text = strings.Repeat("ሰ", maxBody/3-100)
	if code, body := post(t, srv, sendRequest{Session: session, ID: "fits", Text: text, Surface: "sms"}); code != http.StatusAccepted {
		t.Fatalf("status = %d (%s), want 202", code, body)
	}
	if got := f.received(); len(got) != 1 || got[0].Text != text {
		t.Errorf("the message that fits was not handled whole")
	}
}

func TestSendHandlerError(t *testing.T) {
	_, f, srv := newSim(t, nil)
	f.setErr(errors.New("database is locked: /var/lib/passerelle/db.sqlite"))
	code, body := post(t, srv, sendRequest{Session: session, ID: "a1", Text: "hi", Surface: "telegram"})
	if code != http.StatusServiceUnavailable {
		t.Fatalf("status = %d, want 503", code)
	}
	if !strings.Contains(body, "send it again") {
		t.Errorf("body %q does not tell the person to resend", body)
	}
	if strings.Contains(body, "database") || strings.Contains(body, "sqlite") {
		t.Errorf("body %q shows an internal error to the person", body)
	}
}

func TestSendRejectsOtherAddresses(t *testing.T) {
	ch, _, _ := newSim(t, nil)
	for _, addr := range []string{"", "+33612345678", "telegram:12345", "abc"} {
		_, err := ch.Send(context.Background(), bot.Outbound{Address: addr, Text: "hi"})
		if kind, _ := bot.SendErrorKindOf(err); err == nil || kind != bot.SendPermanent {
			t.Errorf("Send to %q = %v, want a permanent SendError", addr, err)
		}
	}
}

func TestEventDirection(t *testing.T) {
	tests := []struct {
		lang, text, dir string
	}{
		{"ar", "مرحبا، كيف يمكنني مساعدتك؟", "rtl"},
		{"fa", "سلام، چطور می‌توانم کمک کنم؟", "rtl"},
		{"ps", "سلام", "rtl"},
		{"ur", "سلام", "rtl"},
		{"ckb", "سڵاو", "rtl"},
		{"ti", "ሰላም፡ ከመይ ክሕግዘኩም እኽእል።", "ltr"},
		{"am", "ሰላም።", "ltr"},
		{"en", "Hello", "ltr"},
		{"AR", "مرحبا", "rtl"},     // codes are case-insensitive
		{"xx", "unknown", "ltr"},   // not a language the service speaks
		{"", "no language", "ltr"}, // the language menu, before a choice
	}
	ch, _, srv := newSim(t, nil)
	s := openStream(t, srv, session)
	for _, tt := range tests {
		if _, err := ch.Send(context.Background(), bot.Outbound{Address: session, Surface: bot.SurfaceTelegram, Lang: tt.lang, Text: tt.text}); err != nil {
			t.Fatal(err)
		}
		var ev map[string]any
		if err := json.Unmarshal(s.nextRaw(t), &ev); err != nil {
			t.Fatal(err)
		}
		// The page reads these names: dir, lang, text, surface.
		if ev["dir"] != tt.dir || ev["lang"] != tt.lang || ev["text"] != tt.text || ev["surface"] != "telegram" {
			t.Errorf("%s: event = %v, want dir %s", tt.lang, ev, tt.dir)
		}
	}
}

func TestEventDirectionWithoutCatalog(t *testing.T) {
	ch := New(&fakeEngine{}, nil, nil)
	defer ch.Close()
	ch.Send(context.Background(), bot.Outbound{Address: session, Lang: "ar", Text: "مرحبا"})
	if evs, _ := ch.take(ch.mailbox(session), 0); len(evs) != 1 || evs[0].Dir != "ltr" {
		t.Errorf("events = %+v, want one with dir ltr", evs)
	}
}

func TestEventSMS(t *testing.T) {
	tests := []struct {
		name, lang, text string
		segments         int
		encoding         string
	}{
		{"French in GSM-7", "fr", "Bonjour ! Répondez 1 pour le logement, 2 pour la santé.", 1, "GSM-7"},
		{"long French", "fr", strings.Repeat("a", 161), 2, "GSM-7"},
		{"Arabic", "ar", strings.Repeat("ب", 71), 2, "UCS-2"},
		{"Tigrinya", "ti", "ሰላም።", 1, "UCS-2"},
	}
	ch, _, srv := newSim(t, nil)
	s := openStream(t, srv, session)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := []bot.Option{{Label: "1 Logement", Payload: "topic:housing"}}
			ch.Send(context.Background(), bot.Outbound{Address: session, Surface: bot.SurfaceSMS, Lang: tt.lang, Text: tt.text, Options: opts})
			ev := s.next(t)
			if ev.Surface != bot.SurfaceSMS || ev.Segments != tt.segments || ev.Encoding != tt.encoding {
				t.Errorf("event = %s %d %s, want sms %d %s", ev.Surface, ev.Segments, ev.Encoding, tt.segments, tt.encoding)
			}
			if ev.Segments != channels.SMSSegments(tt.text) || ev.Encoding != channels.SMSEncoding(tt.text) {
				t.Errorf("event disagrees with the SMS channel's own count")
			}
		})
	}
	// Other surfaces carry no SMS cost, and keep their options.
	ch.Send(context.Background(), bot.Outbound{Address: session, Surface: bot.SurfaceWhatsApp, Text: "hi", Options: []bot.Option{{Label: "Oui", Payload: "yes"}}})
	raw := s.nextRaw(t)
	var ev map[string]any
	json.Unmarshal(raw, &ev)
	if _, ok := ev["segments"]; ok {
		t.Errorf("whatsapp event has segments: %s", raw)
	}
	if !strings.Contains(string(raw), `"options":[{"label":"Oui","payload":"yes"}]`) {
		t.Errorf("options not as the page reads them: %s", raw)
	}
}

// TestTextRoundTrip checks that what a person writes reaches the engine,
// and what the engine answers reaches the page, byte for byte: no
// normalisation, no stripped joiners or marks.
func TestTextRoundTrip(t *testing.T) {
	tests := []struct{ name, text string }{
		{"Persian with ZWNJ", "می\u200cخواهم"},
		{"RLM", "\u200fالسلام عليكم\u200f 123"},
		{"Ethiopic punctuation", "ሰላም፡ ከመይ ኣለኹም። ሓገዝ ይደሊ፧"},
		{"emoji ZWJ sequences", "👩\u200d👩\u200d👧\u200d👦 🏳\ufe0f\u200d🌈 👋🏽"},
		{"decomposed accent", "e\u0301cole"},
		{"newlines and spaces", "line 1\n\n  line 2\t "},
		{"HTML characters", `<script>alert("x")</script> & 'q'`},
		{"line separator", "a\u2028b\u2029c"},
	}
	_, f, srv := newSim(t, echo)
	s := openStream(t, srv, session)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if code, body := post(t, srv, sendRequest{Session: session, ID: "t" + itoa(int64(i)), Text: tt.text, Surface: "telegram", Lang: "fa"}); code != http.StatusAccepted {
				t.Fatalf("status = %d (%s)", code, body)
			}
			in := <-f.inbox
			if in.Text != tt.text {
				t.Errorf("inbound text = %+q, want %+q", in.Text, tt.text)
			}
			ev := s.next(t)
			if ev.Text != tt.text || !utf8.ValidString(ev.Text) {
				t.Errorf("reply text = %+q, want %+q", ev.Text, tt.text)
			}
		})
	}
}

func TestPageSecurityHeaders(t *testing.T) {
	_, _, srv := newSim(t, nil)
	for _, tt := range []struct{ path, ctype string }{
		{"/", "text/html"},
		{"/static/app.js", "text/javascript"},
		{"/static/app.css", "text/css"},
	} {
		t.Run(tt.path, func(t *testing.T) {
			resp, err := srv.Client().Get(srv.URL + tt.path)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status = %d", resp.StatusCode)
			}
			// nosniff blocks a script or style served with another type.
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, tt.ctype) {
				t.Errorf("Content-Type = %q, want %s", ct, tt.ctype)
			}
			if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options = %q, want nosniff", got)
			}
			csp := resp.Header.Get("Content-Security-Policy")
			if !strings.Contains(csp, "default-src 'self'") {
				t.Errorf("CSP %q does not limit sources to 'self'", csp)
			}
			for _, bad := range []string{"unsafe-inline", "unsafe-eval", "*"} {
				if strings.Contains(csp, bad) {
					t.Errorf("CSP %q allows %s", csp, bad)
				}
			}
			if tt.path == "/" {
				// The CSP would silently block inline code: there must be none.
				inline := regexp.MustCompile(`(?i)<script(?:\s[^>]*)?>\s*[^<\s]|<style|\sstyle=|\son[a-z]+=|javascript:`)
				if m := inline.Find(body); m != nil {
					t.Errorf("index.html has inline code or style: %q", m)
				}
			}
		})
	}
}

func TestUnknownPaths(t *testing.T) {
	_, _, srv := newSim(t, nil)
	for _, tt := range []struct {
		method, path string
		want         int
	}{
		{"GET", "/nope", http.StatusNotFound},
		{"GET", "/static/nope.js", http.StatusNotFound},
		{"GET", "/sim/send", http.StatusMethodNotAllowed},
		{"POST", "/sim/events?session=" + session, http.StatusMethodNotAllowed},
	} {
		req, _ := http.NewRequest(tt.method, srv.URL+tt.path, nil)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("%s %s = %d, want %d", tt.method, tt.path, resp.StatusCode, tt.want)
		}
	}
}

// TestReconnectResends: a page whose connection dropped reconnects with the
// id of the last reply it got; replies written to the dead connection come
// again, and nothing twice.
// TestTwoStreamsOneSession: two tabs of one session (a duplicated tab keeps
// its sessionStorage) both show the replies.
// TestSweepKeepsOpenStreams: forgetting idle sessions never takes the
// mailbox from under a page that is still connected.
