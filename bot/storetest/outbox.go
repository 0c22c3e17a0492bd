package storetest

import (
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/passerelle-org/passerelle/bot"
)

func testOutboxRoundTrip(t *testing.T, f *fixture) {
	c, conv := f.mustRecord(f.in(bot.ChannelWhatsApp, PhoneA, "salam"))
	opts := []bot.Option{{Label: scripts["ar"], Payload: "menu"}, {Label: "Parler à une personne", Payload: "human"}}
	var queued bot.Outbound
	f.tx(func(tx bot.Tx) error {
		var err error
		queued, err = tx.Enqueue(f.ctx, bot.Outbound{ContactID: c.ID, ConversationID: conv.ID, Channel: bot.ChannelWhatsApp,
			Surface: bot.SurfaceWhatsApp, Lang: "ar", Text: scripts["ar"], Options: opts, NotBefore: f.base})
		return err
	})
	if queued.ID == 0 || queued.Address != "" {
		t.Errorf("Enqueue returned %+v: want an ID and no address", queued)
	}
	got := f.claim(f.base, 10)
	if len(got) != 1 {
		t.Fatalf("claimed %d, want 1", len(got))
	}
	o := got[0]
	if o.ID != queued.ID || o.ContactID != c.ID || o.ConversationID != conv.ID || o.Channel != bot.ChannelWhatsApp ||
		o.Surface != bot.SurfaceWhatsApp || o.Lang != "ar" || o.Text != scripts["ar"] || o.Attempts != 1 {
		t.Errorf("claimed %+v", o)
	}
	if o.Address != PhoneA {
		t.Errorf("claimed Address = %q, want the decrypted number", o.Address)
	}
	if !reflect.DeepEqual(o.Options, opts) {
		t.Errorf("Options = %#v, want %#v", o.Options, opts)
	}
	if !o.NotBefore.Equal(f.base) || o.CreatedAt.IsZero() {
		t.Errorf("NotBefore %v CreatedAt %v", o.NotBefore, o.CreatedAt)
	}
	if err := f.s.MarkSent(f.ctx, o.ID, "wamid.1", f.base); err != nil {
		t.Fatal(err)
	}
	if again := f.claim(f.base.Add(time.Hour), 10); len(again) != 0 {
		t.Errorf("sent message claimed again: %q", texts(again))
	}
	// Defaults: channel and surface come from the contact and conversation.
	f.tx(func(tx bot.Tx) error {
		o, err := tx.Enqueue(f.ctx, bot.Outbound{ContactID: c.ID, ConversationID: conv.ID, Text: "x"})
		if err == nil && (o.Channel != bot.ChannelWhatsApp || o.Surface != conv.Surface || o.NotBefore.IsZero()) {
			t.Errorf("Enqueue defaults: %+v", o)
		}
		return err
	})
	// A channel that is not the contact's is refused.
	err := f.s.InTx(f.ctx, func(tx bot.Tx) error {
		_, err := tx.Enqueue(f.ctx, bot.Outbound{ContactID: c.ID, ConversationID: conv.ID, Channel: bot.ChannelSMS, Text: "x"})
		return err
	})
	if err == nil {
		t.Error("Enqueue on another channel: want an error")
	}
}

func testOutboxOrder(t *testing.T, f *fixture) {
	_, a := f.mustRecord(f.in(bot.ChannelTelegram, ChatIDA, "a"))
	_, b := f.mustRecord(f.in(bot.ChannelTelegram, ChatIDB, "b"))
	for _, x := range []struct {
		conv bot.Conversation
		text string
	}{{a, "A1"}, {b, "B1"}, {a, "A2"}, {b, "B2"}, {a, "A3"}} {
		f.enqueue(x.conv, x.text, f.base)
	}
	f.enqueue(b, "B-later", f.base.Add(time.Hour))

	a1 := f.claim(f.base, 1)
	if !slices.Equal(texts(a1), []string{"A1"}) {
		t.Fatalf("claim limit 1 = %q, want [A1]", texts(a1))
	}
	// A1 is in flight: nothing more for A; B's head goes.
	got := f.claim(f.base, 10)
	if !slices.Equal(texts(got), []string{"B1"}) {
		t.Fatalf("second claim = %q, want [B1]", texts(got))
	}
	if got := f.claim(f.base, 10); len(got) != 0 {
		t.Fatalf("claim with both contacts in flight = %q, want none", texts(got))
	}
	sent := func(o bot.Outbound) {
		t.Helper()
		if err := f.s.MarkSent(f.ctx, o.ID, "p"+o.Text, f.base); err != nil {
			t.Fatal(err)
		}
	}
	sent(a1[0])
	sent(got[0])
	var order []string
	for i := 0; i < 10; i++ {
		batch := f.claim(f.base, 10)
		if len(batch) == 0 {
			break
		}
		for _, o := range batch {
			order = append(order, o.Text)
			sent(o)
		}
	}
	if want := []string{"A2", "B2", "A3"}; !slices.Equal(order, want) {
		t.Errorf("claim order = %q, want %q", order, want)
	}
	if got := texts(f.claim(f.base.Add(time.Hour), 10)); !slices.Equal(got, []string{"B-later"}) {
		t.Errorf("at NotBefore: %q, want [B-later]", got)
	}
}

// got0 returns the first of os.
func got0(t *testing.T, os []bot.Outbound) bot.Outbound {
	t.Helper()
	if len(os) == 0 {
		t.Fatal("nothing claimed")
	}
	return os[0]
}

func testOutboxLease(t *testing.T, f *fixture) {
	_, a := f.mustRecord(f.in(bot.ChannelSMS, PhoneA, "a"))
	f.enqueue(a, "A1", f.base)
	f.enqueue(a, "A2", f.base)
	first := got0(t, f.claim(f.base, 10))
	if first.Text != "A1" || first.Attempts != 1 {
		t.Fatalf("first claim %+v", first)
	}
	if got := f.claim(f.base.Add(30*time.Second), 10); len(got) != 0 {
		t.Fatalf("within the lease: %q, want none (A2 waits for A1)", texts(got))
	}
	// The worker died: after the lease A1 is claimed again, A2 still waits.
	again := f.claim(f.base.Add(61*time.Second), 10)
	if len(again) != 1 || again[0].ID != first.ID || again[0].Attempts != 2 {
		t.Fatalf("after the lease: %+v, want A1 with Attempts 2", again)
	}
}

func testOutboxRetryFail(t *testing.T, f *fixture) {
	_, a := f.mustRecord(f.in(bot.ChannelSMS, PhoneA, "a"))
	_, b := f.mustRecord(f.in(bot.ChannelSMS, PhoneB, "b"))
	f.enqueue(a, "A1", f.base)
	f.enqueue(a, "A2", f.base)
	a1 := got0(t, f.claim(f.base, 1))
	if err := f.s.MarkRetry(f.ctx, a1.ID, f.base.Add(5*time.Minute), "429 too many requests"); err != nil {
		t.Fatal(err)
	}
	f.enqueue(b, "B1", f.base)
	// A1 waits for its retry time and holds A2 back; B goes.
	b1 := f.claim(f.base.Add(time.Minute), 10)
	if !slices.Equal(texts(b1), []string{"B1"}) {
		t.Fatalf("before the retry time: %q, want [B1]", texts(b1))
	}
	if err := f.s.MarkSent(f.ctx, b1[0].ID, "p", f.base); err != nil {
		t.Fatal(err)
	}
	retried := f.claim(f.base.Add(6*time.Minute), 10)
	if len(retried) != 1 || retried[0].ID != a1.ID || retried[0].Attempts != 2 {
		t.Fatalf("at the retry time: %+v, want A1 with Attempts 2", retried)
	}
	if err := f.s.MarkFailed(f.ctx, a1.ID, "21211 invalid number", f.base.Add(6*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got := texts(f.claim(f.base.Add(10*time.Minute), 10)); !slices.Equal(got, []string{"A2"}) {
		t.Fatalf("after A1 failed: %q, want [A2]", got)
	}
	if got := f.claim(f.base.Add(time.Hour), 10); len(got) != 0 && got[0].ID == a1.ID {
		t.Error("a failed message was claimed again")
	}
	if err := f.s.MarkRetry(f.ctx, a1.ID, f.base, "again"); err == nil {
		t.Error("MarkRetry of a failed message: want an error")
	}
}

func testOutboxConcurrentClaim(t *testing.T, f *fixture) {
	const contacts, perContact = 6, 5
	for i := range contacts {
		_, conv := f.mustRecord(f.in(bot.ChannelTelegram, fmt.Sprintf("80000000%d", i), "hi"))
		for j := range perContact {
			f.enqueue(conv, fmt.Sprintf("%d-%d", i, j), f.base)
		}
	}
	var (
		mu   sync.Mutex
		seen = map[int64]int{}
		sent = map[int64][]string{}
		wg   sync.WaitGroup
	)
	for range 4 {
		wg.Go(func() {
			for idle := 0; idle < 50; {
				batch, err := f.s.ClaimOutbox(f.ctx, f.base, 3, time.Hour)
				if err != nil {
					t.Error(err)
					return
				}
				if len(batch) == 0 {
					idle++
					time.Sleep(time.Millisecond)
					continue
				}
				for _, o := range batch {
					mu.Lock()
					seen[o.ID]++
					sent[o.ContactID] = append(sent[o.ContactID], o.Text)
					mu.Unlock()
					if err := f.s.MarkSent(f.ctx, o.ID, "p", f.base); err != nil {
						t.Error(err)
					}
				}
			}
		})
	}
	wg.Wait()
	if len(seen) != contacts*perContact {
		t.Errorf("claimed %d distinct messages, want %d", len(seen), contacts*perContact)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("message %d claimed %d times", id, n)
		}
	}
	for id, got := range sent {
		if !slices.IsSorted(got) {
			t.Errorf("contact %d: sent out of order: %q", id, got)
		}
	}
}
