package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/passerelle-org/passerelle/bot"
)

func testDeleteContactData(t *testing.T, f *fixture) {
	first := f.in(bot.ChannelSMS, PhoneA, "je veux rentrer")
	x, xc := f.mustRecord(first)
	f.mustRecord(f.in(bot.ChannelSMS, PhoneA, "supprimer mes données"))
	y, yc := f.mustRecord(f.in(bot.ChannelSMS, PhoneB, "bonjour"))
	for _, c := range []bot.Conversation{xc, yc} {
		f.tx(func(tx bot.Tx) error {
			if _, err := tx.AddMessage(f.ctx, bot.Message{ConversationID: c.ID, Direction: bot.FromBot, Text: "réponse"}); err != nil {
				return err
			}
			if _, err := tx.CreateHandoff(f.ctx, bot.Handoff{ConversationID: c.ID, Reason: "person"}); err != nil {
				return err
			}
			_, err := tx.Enqueue(f.ctx, bot.Outbound{ContactID: c.ContactID, ConversationID: c.ID, Text: "queued", NotBefore: f.base})
			return err
		})
	}
	f.enqueue(xc, "second reply", f.base)

	// The engine deletes and confirms in one transaction.
	var fresh bot.Contact
	f.tx(func(tx bot.Tx) error {
		if err := tx.DeleteContactData(f.ctx, x.ID); err != nil {
			return err
		}
		c, conv, err := tx.EnsureContact(f.ctx, bot.ChannelSMS, PhoneA)
		if err != nil {
			return err
		}
		fresh = c
		_, err = tx.Enqueue(f.ctx, bot.Outbound{ContactID: c.ID, ConversationID: conv.ID, Text: "deleted", NotBefore: f.base})
		return err
	})
	if fresh.ID == x.ID {
		t.Errorf("contact after deletion kept id %d", x.ID)
	}
	_, err := f.s.Transcript(f.ctx, xc.ID)
	wantNotFound(t, "Transcript of the deleted conversation", err)
	hs, err := f.s.OpenHandoffs(f.ctx)
	if err != nil || len(hs) != 1 || hs[0].ConversationID != yc.ID {
		t.Errorf("OpenHandoffs after deletion = %+v, %v: want only the other contact's", hs, err)
	}
	var got []string
	for _, o := range f.claim(f.base, 10) {
		got = append(got, o.Text)
		if o.ContactID == x.ID {
			t.Errorf("claimed a message of the deleted contact: %+v", o)
		}
		if o.ContactID == fresh.ID && o.Address != PhoneA {
			t.Errorf("confirmation address = %q", o.Address)
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, []string{"deleted", "queued"}) {
		t.Errorf("outbox after deletion = %q, want the confirmation and the other contact's reply", got)
	}
	// Dedupe rows stay: a redelivery is still ignored.
	if _, _, err := f.record(first); !errors.Is(err, bot.ErrDuplicate) {
		t.Errorf("redelivery after deletion: %v, want ErrDuplicate", err)
	}
	if got := f.transcript(yc.ID); len(got) != 2 {
		t.Errorf("other contact's transcript = %q", got)
	}
	if c, _ := f.mustRecord(f.in(bot.ChannelSMS, PhoneB, "encore")); c.ID != y.ID {
		t.Errorf("other contact changed id: %d, want %d", c.ID, y.ID)
	}
	wantNotFound(t, "DeleteContactData twice", f.s.InTx(f.ctx, func(tx bot.Tx) error {
		return tx.DeleteContactData(f.ctx, x.ID)
	}))
}

func testPurge(t *testing.T, f *fixture) {
	old := f.base.Add(-40 * 24 * time.Hour)
	before := f.base.Add(-30 * 24 * time.Hour)
	recent := f.base.Add(-time.Hour)
	at := func(in bot.Inbound, when time.Time) bot.Inbound { in.ReceivedAt = when; return in }

	// X: only old messages and finished replies: erased.
	oldX := at(f.in(bot.ChannelSMS, PhoneA, "old"), old)
	x, xc := f.mustRecord(oldX)
	f.tx(func(tx bot.Tx) error {
		_, err := tx.AddMessage(f.ctx, bot.Message{ConversationID: xc.ID, Direction: bot.FromBot, Text: "old reply", CreatedAt: old})
		return err
	})
	f.enqueue(xc, "sent", f.base)
	if err := f.s.MarkSent(f.ctx, got0(t, f.claim(f.base, 10)).ID, "p1", old); err != nil {
		t.Fatal(err)
	}
	f.enqueue(xc, "failed", f.base)
	if err := f.s.MarkFailed(f.ctx, got0(t, f.claim(f.base, 10)).ID, "permanent", old); err != nil {
		t.Fatal(err)
	}
	// Y: an old and a recent message: only the old one goes.
	_, yc := f.mustRecord(at(f.in(bot.ChannelSMS, PhoneB, "old"), old))
	recentY := at(f.in(bot.ChannelSMS, PhoneB, "recent"), recent)
	f.mustRecord(recentY)
	// Z: old messages and an open handoff: kept, without the messages.
	_, zc := f.mustRecord(at(f.in(bot.ChannelTelegram, ChatIDA, "old"), old))
	f.tx(func(tx bot.Tx) error {
		_, err := tx.CreateHandoff(f.ctx, bot.Handoff{ConversationID: zc.ID, Reason: "person"})
		return err
	})
	// V: old messages and a reply still queued: kept.
	_, vc := f.mustRecord(at(f.in(bot.ChannelWhatsApp, PhoneA, "old"), old))
	f.enqueue(vc, "still queued", f.base.Add(time.Hour))
	// W: old messages and a handoff closed long ago: erased.
	closer, canClose := f.closer()
	var wc bot.Conversation
	if canClose {
		_, wc = f.mustRecord(at(f.in(bot.ChannelTelegram, ChatIDB, "old"), old))
		f.tx(func(tx bot.Tx) error {
			h, err := tx.CreateHandoff(f.ctx, bot.Handoff{ConversationID: wc.ID, Reason: "person"})
			if err != nil {
				return err
			}
			return closer(tx).CloseHandoff(f.ctx, h.ID, old)
		})
	}

	n, err := f.s.Purge(f.ctx, before)
	if err != nil {
		t.Fatal(err)
	}
	if n < 7 {
		t.Errorf("Purge deleted %d rows, want at least 7", n)
	}
	if n, err := f.s.Purge(f.ctx, before); err != nil || n != 0 {
		t.Errorf("second Purge = %d, %v; want 0", n, err)
	}

	_, err = f.s.Transcript(f.ctx, xc.ID)
	wantNotFound(t, "X's transcript", err)
	if canClose {
		_, err = f.s.Transcript(f.ctx, wc.ID)
		wantNotFound(t, "W's transcript", err)
	}
	if got := f.transcript(yc.ID); !slices.Equal(got, []string{"recent"}) {
		t.Errorf("Y's transcript = %q, want [recent]", got)
	}
	if got := f.transcript(zc.ID); len(got) != 0 {
		t.Errorf("Z's transcript = %q, want empty", got)
	}
	if hs, err := f.s.OpenHandoffs(f.ctx); err != nil || len(hs) != 1 || hs[0].ConversationID != zc.ID {
		t.Errorf("OpenHandoffs = %+v, %v; want Z's", hs, err)
	}
	if got := f.claim(f.base.Add(2*time.Hour), 10); len(got) != 1 || got[0].Text != "still queued" || got[0].Address != PhoneA {
		t.Errorf("V's queued reply after Purge: %+v", got)
	}
	// Old dedupe rows are gone, recent ones stay.
	if _, _, err := f.record(recentY); !errors.Is(err, bot.ErrDuplicate) {
		t.Errorf("recent redelivery after Purge: %v, want ErrDuplicate", err)
	}
	c, _, err := f.record(oldX)
	if err != nil {
		t.Errorf("old provider id after Purge: %v, want it accepted", err)
	}
	if c.ID == x.ID {
		t.Errorf("X came back as contact %d: want a new contact", c.ID)
	}
}
