package twilio_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/passerelle-org/passerelle/channels"
	"github.com/passerelle-org/passerelle/channels/twilio"
	"github.com/passerelle-org/passerelle/channels/twilio/twiliotest"
)

const arabicLetters = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"

// step is one message a person sends and what must come back.
type step struct {
	path  string     // webhook path (default SMS)
	form  url.Values // nil: built from text
	text  string
	check func(t *testing.T, sent []twiliotest.Message)
}

// TestInboundWebhooks posts real form-encoded, correctly signed webhooks
// through the real handler, Engine and SQLite store, and checks what the
// fake Twilio API was asked to send.
func TestInboundWebhooks(t *testing.T) {
	e0 := newEnv(t) // only to build forms; each case has its own env
	const person = "+33639980001"
	sms := func(text string, check func(*testing.T, []twiliotest.Message)) step {
		return step{path: twilio.SMSPath, text: text, check: check}
	}
	wa := func(form url.Values, check func(*testing.T, []twiliotest.Message)) step {
		return step{path: twilio.WhatsAppPath, form: form, check: check}
	}
	waText := func(text string) url.Values { return e0.waForm(person, "Amal", text) }
	waWith := func(text string, extra map[string]string) url.Values {
		f := waText(text)
		for k, v := range extra {
			f.Set(k, v)
		}
		return f
	}
	none := func(t *testing.T, sent []twiliotest.Message) {
		t.Helper()
		if len(sent) != 0 {
			t.Fatalf("want no reply, got:\n%s", bodies(sent))
		}
	}
	contains := func(subs ...string) func(*testing.T, []twiliotest.Message) {
		return func(t *testing.T, sent []twiliotest.Message) {
			t.Helper()
			all := bodies(sent)
			for _, s := range subs {
				if !strings.Contains(all, s) {
					t.Fatalf("replies lack %q:\n%s", s, all)
				}
			}
		}
	}
	smsBudget := func(arabic bool) func(*testing.T, []twiliotest.Message) {
		return func(t *testing.T, sent []twiliotest.Message) {
			t.Helper()
			if len(sent) == 0 {
				t.Fatal("no reply")
			}
			for _, m := range sent {
				if m.From != smsFrom || m.To != person || m.StatusCallback != publicURL+twilio.StatusPath {
					t.Fatalf("message %+v: wrong from/to or no status callback", m)
				}
				if m.Segments > 3 && !wholeMessage(m.Body) {
					t.Errorf("reply costs %d segments (%s):\n%s", m.Segments, channels.SMSEncoding(m.Body), m.Body)
				}
			}
			all := bodies(sent)
			if arabic != strings.ContainsAny(all, arabicLetters) {
				t.Fatalf("Arabic=%v expected in replies:\n%s", arabic, all)
			}
			if !strings.Contains(all, "\n1. ") {
				t.Fatalf("no numbered options in the SMS replies:\n%s", all)
			}
		}
	}
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"sms english question", []step{
			sms("How much money do I get if I go back home?", smsBudget(false)),
		}},
		{"sms arabic question", []step{
			sms("كم مبلغ المساعدة المالية للعودة إلى بلدي؟", func(t *testing.T, sent []twiliotest.Message) {
				smsBudget(true)(t, sent)
				if !strings.Contains(bodies(sent), "€") {
					t.Fatalf("no amount in the Arabic answer:\n%s", bodies(sent))
				}
			}),
		}},
		{"sms stop start help", []step{
			sms("How much money do I get if I go back home?", smsBudget(false)),
			sms("HELP", contains("MENU")),
			sms("STOP", func(t *testing.T, sent []twiliotest.Message) {
				if len(sent) != 1 || !strings.Contains(sent[0].Body, "START") {
					t.Fatalf("STOP: want one confirmation naming START, got:\n%s", bodies(sent))
				}
			}),
			sms("1", none),
			sms("HELP", none),
			sms("How much money do I get if I go back home?", none),
			sms("START", contains("MENU")),
			sms("How much money do I get if I go back home?", smsBudget(false)),
		}},
		{"sms stop words", []step{
			sms("hello", nil),
			sms("unsubscribe", func(t *testing.T, sent []twiliotest.Message) {
				if len(sent) != 1 {
					t.Fatalf("UNSUBSCRIBE: %d replies", len(sent))
				}
			}),
			sms("hello", none),
			sms("unstop", contains("MENU")),
			sms("quit", nil),
			sms("hello", none),
			sms("yes", contains("MENU")),
		}},
		{"whatsapp text", []step{
			wa(waText("Bonjour, combien d'argent pour l'aide au retour ?"), func(t *testing.T, sent []twiliotest.Message) {
				if len(sent) == 0 {
					t.Fatal("no reply")
				}
				for _, m := range sent {
					if m.From != whatsappFrom || m.To != "whatsapp:"+person || m.StatusCallback == "" {
						t.Fatalf("message %+v", m)
					}
				}
				last := sent[len(sent)-1].Body
				if !strings.Contains(last, "\n1. ") || !strings.Contains(last, "\n2. ") {
					t.Fatalf("options not listed as numbers on WhatsApp:\n%s", last)
				}
			}),
		}},
		{"whatsapp button", []step{
			wa(waText("Bonjour, combien d'argent pour l'aide au retour ?"), nil),
			wa(waWith("Menu", map[string]string{"MessageType": "button", "ButtonText": "Menu", "ButtonPayload": "menu"}),
				contains("\n1. ")),
		}},
		{"whatsapp image", []step{
			wa(waText("Bonjour, combien d'argent pour l'aide au retour ?"), nil),
			wa(waWith("", map[string]string{"MessageType": "image", "NumMedia": "1", "MediaContentType0": "image/jpeg",
				"MediaUrl0": "https://api.twilio.com/2010-04-01/Accounts/" + accountSID + "/Messages/MM0/Media/ME0"}),
				contains("texte")),
		}},
		{"whatsapp location", []step{
			wa(waText("Hello, how do I get help to go home?"), nil),
			wa(waWith("", map[string]string{"MessageType": "location", "Latitude": "48.8566", "Longitude": "2.3522",
				"Address": "Paris", "Label": "Home"}), contains("only read text")),
		}},
		{"advanced opt-out keyword", []step{
			sms("hello", nil),
			{path: twilio.SMSPath, form: func() url.Values {
				f := e0.smsForm(person, "BASTA")
				f.Set("OptOutType", "STOP")
				return f
			}(), check: func(t *testing.T, sent []twiliotest.Message) {
				// Twilio has sent its own confirmation already; a second
				// one from us is what its documentation warns against.
				if len(sent) != 0 {
					t.Fatalf("Twilio answered STOP itself: want no reply of ours, got:\n%s", bodies(sent))
				}
			}},
			sms("hello", none), // opted out: recorded all the same
		}},
		{"whatsapp campaign link", []step{
			wa(waText("START #calais3-ti"), func(t *testing.T, sent []twiliotest.Message) {
				if !strings.Contains(bodies(sent), "ሰላም") {
					t.Fatalf("the link asked for Tigrinya; got:\n%s", bodies(sent))
				}
			}),
		}},
		{"duplicate message sid", func() []step {
			f := e0.smsForm(person, "How much money do I get if I go back home?")
			return []step{
				{path: twilio.SMSPath, form: f, check: smsBudget(false)},
				{path: twilio.SMSPath, form: f, check: none},
			}
		}()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			for i, s := range tc.steps {
				form := s.form
				if form == nil {
					form = e.smsForm(person, s.text)
				}
				to := person
				if s.path == twilio.WhatsAppPath {
					to = "whatsapp:" + person
				}
				sent := e.accept(s.path, form, to)
				if s.check != nil {
					t.Run(fmt.Sprintf("%d %s", i+1, form.Get("Body")), func(t *testing.T) { s.check(t, sent) })
				}
			}
			if strings.Contains(e.logs.String(), person) || strings.Contains(e.logs.String(), strings.TrimPrefix(person, "+")) ||
				strings.Contains(e.logs.String(), "Amal") {
				t.Error("a phone number or profile name reached the logs")
			}
		})
	}
}

// wholeMessage reports whether an SMS is one the engine never cuts for
// the budget (the privacy notice, what a caseworker sees, emergency
// numbers): these may cost more than three segments.
func wholeMessage(body string) bool {
	for _, lang := range content.cat.Codes() {
		p := content.cat.Printer(lang)
		for _, key := range []string{"welcome.privacy", "handoff.explain", "triage.urgent", "triage.violence_women",
			"triage.child", "triage.urgent_handoff"} {
			if channels.SMSPrepare(p.T(key, map[string]any{"Days": 30})) == body {
				return true
			}
		}
	}
	return false
}

// TestInboundEmptyTwiML: the inbound answer is an empty TwiML document, so
// Twilio sends nothing itself.
func TestInboundEmptyTwiML(t *testing.T) {
	e := newEnv(t)
	rec := e.post(twilio.SMSPath, e.smsForm("+33639980002", "hello"))
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/xml") ||
		!strings.Contains(rec.Body.String(), "<Response></Response>") {
		t.Fatalf("answer: %d %q %q", rec.Code, rec.Header().Get("Content-Type"), rec.Body.String())
	}
}
