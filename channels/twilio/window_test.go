package twilio_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-org/passerelle/bot"
	"github.com/passerelle-org/passerelle/channels/twilio/twiliotest"
)

// handOver takes a WhatsApp person through the handoff intake (PERSON,
// consent, what they need, not urgent) and returns the open handoff.
func (e *env) handOver(person string) bot.Handoff {
	e.t.Helper()
	e.wa(person, "Hello, how do I get help to go home?")
	for _, text := range []string{"PERSON", "1", "I need help with my papers for the return", "2"} {
		e.wa(person, text)
	}
	hs, err := e.store.OpenHandoffs(context.Background())
	if err != nil || len(hs) != 1 {
		e.t.Fatalf("open handoffs: %+v, %v", hs, err)
	}
	return hs[0]
}

// reply writes a caseworker's reply into the conversation's outbox, as the
// console does.
func (e *env) reply(h bot.Handoff, text string) {
	e.t.Helper()
	box, err := e.store.Outbox(context.Background(), h.ConversationID)
	if err != nil || len(box) == 0 {
		e.t.Fatalf("outbox: %v", err)
	}
	err = e.store.InTx(context.Background(), func(tx bot.Tx) error {
		if _, err := tx.AddMessage(context.Background(), bot.Message{ConversationID: h.ConversationID,
			Direction: bot.FromCaseworker, Text: text}); err != nil {
			return err
		}
		_, err := tx.Enqueue(context.Background(), bot.Outbound{ContactID: box[0].ContactID,
			ConversationID: h.ConversationID, Lang: box[len(box)-1].Lang, Text: text})
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
}

// TestWhatsAppWindow: a caseworker who answers 25 hours after the person's
// last message reaches them through the approved template; the reply (and
// the one after it) wait, and go in order as soon as the person writes.
// Without a template the replies wait all the same, and the outbox says
// why.
func TestWhatsAppWindow(t *testing.T) {
	for _, tc := range []struct {
		name      string
		templates map[string]string
		template  string // ContentSid expected; "" = none sent
		reason    string
	}{
		{"template", nil, templateEN, "template"},
		{"no template", map[string]string{}, "", "no template configured"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(o *options) {
				if tc.templates != nil {
					o.templates = tc.templates
				}
			})
			const person = "+33639980010"
			to := "whatsapp:" + person
			h := e.handOver(person)

			e.clock.Advance(25 * time.Hour)
			before := len(e.api.To(to))
			e.reply(h, "Hello, this is Claire from the association. Your appointment is on Monday at 10.")
			e.drain()
			e.reply(h, "Bring your passport if you have one.")
			e.drain()
			sent := e.api.To(to)[before:]
			if tc.template == "" && len(sent) != 0 || tc.template != "" && (len(sent) != 1 || sent[0].ContentSid != tc.template || sent[0].Body != "") {
				t.Fatalf("after 25 hours: sent %+v; want only template %q", sent, tc.template)
			}
			box, _ := e.store.Outbox(context.Background(), h.ConversationID)
			held := box[len(box)-2]
			if held.Status != bot.OutboxHeld || !strings.Contains(held.LastError, tc.reason) ||
				!strings.Contains(held.LastError, "24-hour window") {
				t.Fatalf("caseworker reply: %s %q; want held, saying %q", held.Status, held.LastError, tc.reason)
			}
			if tc.template != "" {
				// The template's own status lands on the held reply.
				if rec := e.post("/webhooks/twilio/status", e.api.StatusForm(sent[0], "read", "")); rec.Code != 200 {
					t.Fatalf("template status: %d", rec.Code)
				}
				box, _ = e.store.Outbox(context.Background(), h.ConversationID)
				if box[len(box)-2].Delivery != "read" {
					t.Errorf("template read receipt not recorded: %+v", box[len(box)-2])
				}
			}

			e.clock.Advance(3 * time.Hour)
			sent = e.wa(person, "Hello?")
			if len(sent) != 2 || !strings.Contains(sent[0].Body, "Claire") || !strings.Contains(sent[1].Body, "passport") {
				t.Fatalf("when the person wrote: sent\n%s\nwant the two caseworker replies in order, and nothing from the bot", bodies(sent))
			}
			for _, o := range mustOutbox(t, e, h.ConversationID)[len(box)-2:] {
				if o.Status != bot.OutboxSent {
					t.Errorf("%q: %s", o.Text, o.Status)
				}
			}
		})
	}
}

func mustOutbox(t *testing.T, e *env, conv int64) []bot.Outbound {
	t.Helper()
	box, err := e.store.Outbox(context.Background(), conv)
	if err != nil {
		t.Fatal(err)
	}
	return box
}

// TestOptedOutBySend: Twilio refusing a send with 21610 marks the person
// opted out; nothing more is sent until they opt back in.
func TestOptedOutBySend(t *testing.T) {
	e := newEnv(t)
	const person = "+33639980011"
	e.api.Respond(always(twiliotest.ErrUnsubscribed))
	e.sms(person, "How much money do I get if I go back home?")
	calls := e.api.Calls()
	if calls != 1 {
		t.Fatalf("%d API calls; want 1: the first refusal fails the rest of the queue", calls)
	}
	e.api.Respond(nil)
	if sent := e.sms(person, "How much money do I get if I go back home?"); len(sent) != 0 {
		t.Fatalf("opted out by 21610, still got:\n%s", bodies(sent))
	}
	if sent := e.sms(person, "START"); len(sent) == 0 {
		t.Fatal("START after 21610: no welcome back")
	}
}
