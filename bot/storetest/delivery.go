package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/passerelle-org/passerelle/bot"
)

// outboxOf returns the conversation's replies as Store.Outbox reports them.
func (f *fixture) outboxOf(convID int64) []bot.Outbound {
	f.t.Helper()
	out, err := f.s.Outbox(f.ctx, convID)
	if err != nil {
		f.t.Fatalf("Outbox(%d): %v", convID, err)
	}
	return out
}

// testHeld: a reply held for a closed window is not due, holds back the
// replies after it, shows why, and goes first once the person writes.
// ClaimOutbox tells when the contact last wrote.
func testHeld(t *testing.T, f *fixture) {
	wrote := f.base.Add(-25 * time.Hour)
	in := f.in(bot.ChannelWhatsApp, PhoneA, "salam")
	in.ReceivedAt = wrote
	_, conv := f.mustRecord(in)
	f.enqueue(conv, "late reply", f.base)
	f.enqueue(conv, "second", f.base)

	got := f.claim(f.base, 10)
	if len(got) != 1 || got[0].Text != "late reply" {
		t.Fatalf("claimed %q, want the first reply only", texts(got))
	}
	if !got[0].LastInbound.Equal(wrote) || got[0].WindowClosed {
		t.Errorf("LastInbound %v WindowClosed %v; want %v, false", got[0].LastInbound, got[0].WindowClosed, wrote)
	}
	if err := f.s.MarkHeld(f.ctx, got[0].ID, "SMtemplate1", "outside the 24-hour window: template sent", f.base); err != nil {
		t.Fatal(err)
	}
	if again := f.claim(f.base.Add(48*time.Hour), 10); len(again) != 0 {
		t.Fatalf("held reply or the one behind it claimed: %q", texts(again))
	}
	box := f.outboxOf(conv.ID)
	if len(box) != 2 || box[0].Status != bot.OutboxHeld || box[1].Status != bot.OutboxQueued {
		t.Fatalf("Outbox = %+v; want held then queued", box)
	}
	if box[0].LastError != "outside the 24-hour window: template sent" || box[0].ProviderID != "SMtemplate1" {
		t.Errorf("held reply shows %q (provider id %q)", box[0].LastError, box[0].ProviderID)
	}
	// The template's own status lands on the held row.
	o, err := f.s.RecordDelivery(f.ctx, bot.Delivery{Channel: bot.ChannelWhatsApp, ProviderID: "SMtemplate1", Status: "read"})
	if err != nil || o.ID != box[0].ID || o.Status != bot.OutboxHeld || o.Delivery != "read" {
		t.Errorf("RecordDelivery on the template: %+v, %v", o, err)
	}

	now := time.Now()
	_, conv = f.mustRecord(f.in(bot.ChannelWhatsApp, PhoneA, "hello again"))
	got = f.claim(now.Add(time.Second), 10)
	if len(got) != 1 || got[0].Text != "late reply" || got[0].Attempts != 1 {
		t.Fatalf("after the person wrote: claimed %+v; want the held reply, first attempt", got)
	}
	if got[0].LastInbound.Before(now.Add(-time.Minute)) {
		t.Errorf("LastInbound %v not moved by the new message", got[0].LastInbound)
	}
	if err := f.s.MarkSent(f.ctx, got[0].ID, "SMreal1", now); err != nil {
		t.Fatal(err)
	}
	if got := texts(f.claim(now.Add(time.Second), 10)); !slices.Equal(got, []string{"second"}) {
		t.Errorf("then claimed %q, want [second]", got)
	}
	if box := f.outboxOf(conv.ID); box[0].Status != bot.OutboxSent || box[0].ProviderID != "SMreal1" || box[0].Delivery != "" {
		t.Errorf("sent reply: %+v", box[0])
	}
}

// testDelivery: reports land on the message by provider id, never move it
// back, keep failure codes; an unknown id is ErrNotFound; a message
// refused for a closed window goes back to the head of the queue.
func testDelivery(t *testing.T, f *fixture) {
	_, conv := f.mustRecord(f.in(bot.ChannelSMS, PhoneA, "hello"))
	f.enqueue(conv, "one", f.base)
	one := got0(t, f.claim(f.base, 10))
	if err := f.s.MarkSent(f.ctx, one.ID, "SM0001", f.base); err != nil {
		t.Fatal(err)
	}
	_, err := f.s.RecordDelivery(f.ctx, bot.Delivery{Channel: bot.ChannelSMS, ProviderID: "SMunknown", Status: "delivered"})
	wantNotFound(t, "RecordDelivery of an unknown id", err)
	_, err = f.s.RecordDelivery(f.ctx, bot.Delivery{Channel: bot.ChannelWhatsApp, ProviderID: "SM0001", Status: "delivered"})
	wantNotFound(t, "RecordDelivery on another channel", err)

	for _, step := range []struct{ status, want string }{
		{"sent", "sent"}, {"delivered", "delivered"}, {"sent", "delivered"}, {"queued", "delivered"}, {"read", "read"},
	} {
		o, err := f.s.RecordDelivery(f.ctx, bot.Delivery{Channel: bot.ChannelSMS, ProviderID: "SM0001", Status: step.status})
		if err != nil || o.ID != one.ID || o.ContactID != conv.ContactID || o.Delivery != step.want || o.Status != bot.OutboxSent {
			t.Errorf("report %q: %+v, %v; want delivery %q", step.status, o, err, step.want)
		}
	}

	f.enqueue(conv, "two", f.base)
	two := got0(t, f.claim(f.base, 10))
	if err := f.s.MarkSent(f.ctx, two.ID, "SM0002", f.base); err != nil {
		t.Fatal(err)
	}
	o, err := f.s.RecordDelivery(f.ctx, bot.Delivery{ProviderID: "SM0002", Status: "undelivered", ErrorCode: "30003", Failed: true})
	if err != nil || o.Delivery != "undelivered" || o.ErrorCode != "30003" {
		t.Errorf("failure report: %+v, %v", o, err)
	}
	box := f.outboxOf(conv.ID)
	if len(box) != 2 || box[0].Delivery != "read" || box[1].Delivery != "undelivered" || box[1].ErrorCode != "30003" {
		t.Errorf("Outbox = %+v", box)
	}

	// Refused as outside the window: back at the head, marked.
	f.enqueue(conv, "three", f.base)
	if err := f.s.MarkWindowClosed(f.ctx, two.ID, f.base); err != nil {
		t.Fatal(err)
	}
	got := f.claim(f.base, 10)
	if len(got) != 1 || got[0].ID != two.ID || !got[0].WindowClosed {
		t.Fatalf("after MarkWindowClosed: claimed %+v; want message two, WindowClosed", got)
	}
	wantNotFound(t, "MarkWindowClosed of an unknown id", f.s.MarkWindowClosed(f.ctx, 1<<40, f.base))
	// A new message from the person clears the mark.
	if err := f.s.MarkRetry(f.ctx, two.ID, f.base, "later"); err != nil {
		t.Fatal(err)
	}
	f.mustRecord(f.in(bot.ChannelSMS, PhoneA, "hi"))
	if got := f.claim(time.Now().Add(time.Second), 10); len(got) != 1 || got[0].ID != two.ID || got[0].WindowClosed {
		t.Errorf("after the person wrote: %+v; want message two without WindowClosed", got)
	}
	_, err = f.s.Outbox(f.ctx, 1<<40)
	wantNotFound(t, "Outbox of an unknown conversation", err)
}

// testOptOutDropsQueued: opting out fails what was queued or held for the
// contact, and only for that contact; opting back in sends new replies.
func testOptOutDropsQueued(t *testing.T, f *fixture) {
	c, conv := f.mustRecord(f.in(bot.ChannelSMS, PhoneA, "hello"))
	_, other := f.mustRecord(f.in(bot.ChannelSMS, PhoneB, "hello"))
	f.enqueue(conv, "held", f.base)
	if err := f.s.MarkHeld(f.ctx, got0(t, f.claim(f.base, 10)).ID, "", "window", f.base); err != nil {
		t.Fatal(err)
	}
	f.enqueue(conv, "queued", f.base)
	f.enqueue(other, "other", f.base)
	f.tx(func(tx bot.Tx) error { return tx.SetContactFlags(f.ctx, c.ID, true, false) })
	f.tx(func(tx bot.Tx) error {
		_, err := tx.Enqueue(f.ctx, bot.Outbound{ContactID: c.ID, ConversationID: conv.ID, Text: "stop confirmation"})
		return err
	})
	got := f.claim(f.base.Add(time.Minute), 10)
	if !slices.Equal(texts(got), []string{"other", "stop confirmation"}) {
		t.Fatalf("after STOP: claimed %q; want [other stop confirmation]", texts(got))
	}
	box := f.outboxOf(conv.ID)
	for _, o := range box[:2] {
		if o.Status != bot.OutboxFailed || o.LastError != "contact opted out" {
			t.Errorf("%q after STOP: %s %q", o.Text, o.Status, o.LastError)
		}
	}
	f.tx(func(tx bot.Tx) error { return tx.SetContactFlags(f.ctx, c.ID, false, false) })
	if box := f.outboxOf(conv.ID); box[2].Status != bot.OutboxQueued {
		t.Errorf("opting back in touched the outbox: %+v", box[2])
	}
}

// testPurgeHeld: a reply held since before the retention limit is erased
// with its contact; one held recently stays.
func testPurgeHeld(t *testing.T, f *fixture) {
	old := f.base.Add(-40 * 24 * time.Hour)
	inA := f.in(bot.ChannelWhatsApp, PhoneA, "old")
	inA.ReceivedAt = old
	_, a := f.mustRecord(inA)
	_, b := f.mustRecord(f.in(bot.ChannelWhatsApp, PhoneB, "recent"))
	f.enqueue(a, "held long ago", f.base)
	f.enqueue(b, "held now", f.base)
	for _, o := range f.claim(f.base, 10) {
		at := f.base
		if o.ConversationID == a.ID {
			at = old
		}
		if err := f.s.MarkHeld(f.ctx, o.ID, "", "window", at); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.s.Purge(f.ctx, f.base.Add(-30*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	_, err := f.s.Outbox(f.ctx, a.ID)
	wantNotFound(t, "outbox of a contact whose only reply was held past retention", err)
	if box := f.outboxOf(b.ID); len(box) != 1 || box[0].Status != bot.OutboxHeld {
		t.Errorf("recently held reply: %+v", box)
	}
}
