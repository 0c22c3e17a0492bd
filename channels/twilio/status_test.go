package twilio_test

import (
	"net/http"
	"testing"

	"github.com/passerelle-org/passerelle/bot"
	"github.com/passerelle-org/passerelle/channels/twilio"
	"github.com/passerelle-org/passerelle/channels/twilio/twiliotest"
)

// TestStatusCallbacks posts Twilio's status callbacks for a reply and
// checks what the outbox records, and what follows for the person.
func TestStatusCallbacks(t *testing.T) {
	const person = "+33639980003"
	type report struct{ status, code string }
	for _, tc := range []struct {
		name     string
		whatsapp bool
		reports  []report
		delivery string // outbox delivery status of the reply afterwards
		code     string
		after    func(t *testing.T, e *env)
	}{
		{name: "sms delivered", reports: []report{{"sent", ""}, {"delivered", ""}}, delivery: "delivered"},
		{name: "sms failed", reports: []report{{"sent", ""}, {"failed", "30003"}}, delivery: "failed", code: "30003",
			after: func(t *testing.T, e *env) {
				if len(e.sms(person, "How much money do I get if I go back home?")) == 0 {
					t.Error("a delivery failure stopped the conversation")
				}
			}},
		{name: "whatsapp read, late delivered", whatsapp: true,
			reports:  []report{{"sent", ""}, {"delivered", ""}, {"read", ""}, {"delivered", ""}, {"sent", ""}},
			delivery: "read"},
		{name: "sms undelivered unsubscribed", reports: []report{{"undelivered", "21610"}}, delivery: "undelivered", code: "21610",
			after: func(t *testing.T, e *env) {
				if sent := e.sms(person, "How much money do I get if I go back home?"); len(sent) != 0 {
					t.Errorf("opted out by 21610, still got:\n%s", bodies(sent))
				}
			}},
		{name: "whatsapp failed outside window", whatsapp: true, reports: []report{{"failed", "63016"}},
			after: func(t *testing.T, e *env) {
				before := len(e.api.To("whatsapp:" + person))
				e.drain()
				sent := e.api.To("whatsapp:" + person)[before:]
				if len(sent) != 1 || sent[0].ContentSid != templateEN || sent[0].Body != "" {
					t.Fatalf("after 63016: want the English template only, got %+v", sent)
				}
				box := e.outbox(bot.ChannelWhatsApp, person)
				if last := box[len(box)-1]; last.Status != bot.OutboxHeld || last.LastError == "" {
					t.Fatalf("refused reply: %+v; want held with a reason", last)
				}
				sent = e.wa(person, "ok")
				if len(sent) == 0 || sent[0].ContentSid != "" || sent[0].Body == "" {
					t.Fatalf("the held reply did not go first when the person wrote: %+v", sent)
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			var sent []twiliotest.Message
			ch := bot.ChannelSMS
			if tc.whatsapp {
				ch = bot.ChannelWhatsApp
				sent = e.wa(person, "Hello, how do I get help to go home?")
			} else {
				sent = e.sms(person, "How much money do I get if I go back home?")
			}
			if len(sent) == 0 {
				t.Fatal("no reply to report on")
			}
			m := sent[len(sent)-1]
			for _, r := range tc.reports {
				if rec := e.post(twilio.StatusPath, e.api.StatusForm(m, r.status, r.code)); rec.Code != http.StatusOK {
					t.Fatalf("status %s: %d", r.status, rec.Code)
				}
			}
			if tc.delivery != "" {
				box := e.outbox(ch, person)
				var got bot.Outbound
				for _, o := range box {
					if o.ProviderID == m.SID {
						got = o
					}
				}
				if got.Delivery != tc.delivery || got.ErrorCode != tc.code || got.Status != bot.OutboxSent {
					t.Errorf("reply after reports: status %s delivery %q code %q; want sent, %q, %q",
						got.Status, got.Delivery, got.ErrorCode, tc.delivery, tc.code)
				}
			}
			if tc.after != nil {
				tc.after(t, e)
			}
		})
	}
}

// TestStatusUnknownIgnored: a callback for a message Passerelle does not
// know (sent before the send was recorded, or by another application)
// gets 200 and changes nothing; a malformed or unsigned one is refused.
func TestStatusUnknownIgnored(t *testing.T) {
	e := newEnv(t)
	m := twiliotest.Message{SID: twiliotest.SID("SM"), From: smsFrom, To: "+33639980004"}
	if rec := e.post(twilio.StatusPath, e.api.StatusForm(m, "delivered", "")); rec.Code != http.StatusOK {
		t.Fatalf("unknown MessageSid: %d, want 200", rec.Code)
	}
	f := e.api.StatusForm(m, "delivered", "")
	f.Del("MessageStatus")
	f.Del("SmsStatus")
	if rec := e.post(twilio.StatusPath, f); rec.Code != http.StatusBadRequest {
		t.Fatalf("no status: %d, want 400", rec.Code)
	}
	req := twiliotest.NewRequest(twilio.StatusPath, publicURL+twilio.StatusPath, "wrong-token", e.api.StatusForm(m, "delivered", ""))
	if rec := e.do(req); rec.Code != http.StatusForbidden {
		t.Fatalf("forged status callback: %d, want 403", rec.Code)
	}
}
