package storetest

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-org/passerelle/bot"
)

func testDedupe(t *testing.T, f *fixture) {
	in := f.in(bot.ChannelTelegram, ChatIDA, "bonjour")
	_, conv := f.mustRecord(in)
	_, _, err := f.record(in)
	if !errors.Is(err, bot.ErrDuplicate) {
		t.Fatalf("second RecordInbound: got %v, want ErrDuplicate", err)
	}
	in.Text = "a different text, same provider id"
	if _, _, err := f.record(in); !errors.Is(err, bot.ErrDuplicate) {
		t.Fatalf("third RecordInbound: got %v, want ErrDuplicate", err)
	}
	if got := f.transcript(conv.ID); !slices.Equal(got, []string{"bonjour"}) {
		t.Errorf("transcript after duplicates = %q, want one message", got)
	}
	// The same provider id on another channel is another message.
	other := in
	other.Channel, other.Address = bot.ChannelSMS, PhoneA
	if _, _, err := f.record(other); err != nil {
		t.Errorf("same provider id on sms: %v", err)
	}
}

func testDedupeEmptyID(t *testing.T, f *fixture) {
	in := bot.Inbound{Channel: bot.ChannelWeb, Address: "sim-1", Text: "salut"}
	f.mustRecord(in)
	_, conv := f.mustRecord(in)
	if got := f.transcript(conv.ID); len(got) != 2 {
		t.Errorf("messages without provider id: transcript has %d, want 2 (never deduplicated)", len(got))
	}
}

func testContactIdentity(t *testing.T, f *fixture) {
	c1, conv1 := f.mustRecord(f.in(bot.ChannelSMS, PhoneA, "un"))
	c2, conv2 := f.mustRecord(f.in(bot.ChannelSMS, PhoneA, "deux"))
	if c1.ID == 0 || c1.ID != c2.ID || conv1.ID != conv2.ID {
		t.Errorf("same address: contacts %d/%d conversations %d/%d, want one each", c1.ID, c2.ID, conv1.ID, conv2.ID)
	}
	if c1.Address != PhoneA || c2.Address != PhoneA {
		t.Errorf("Contact.Address = %q, want the inbound address", c2.Address)
	}
	if c1.Key == "" || strings.Contains(c1.Key, strings.TrimPrefix(PhoneA, "+")) || c1.Key != c2.Key {
		t.Errorf("Contact.Key = %q, %q: want a stable key that does not show the address", c1.Key, c2.Key)
	}
	if c1.Channel != bot.ChannelSMS || conv1.ContactID != c1.ID || conv1.Surface != bot.SurfaceSMS {
		t.Errorf("contact %+v conversation %+v: want channel sms, surface sms", c1, conv1)
	}
	if c1.CreatedAt.IsZero() || c2.LastSeen.Before(c1.CreatedAt) {
		t.Errorf("CreatedAt %v LastSeen %v", c1.CreatedAt, c2.LastSeen)
	}
	wa, _ := f.mustRecord(f.in(bot.ChannelWhatsApp, PhoneA, "trois"))
	if wa.ID == c1.ID || wa.Key == c1.Key {
		t.Errorf("same number on whatsapp is contact %d, want a new one", wa.ID)
	}
	b, _ := f.mustRecord(f.in(bot.ChannelSMS, PhoneB, "quatre"))
	if b.ID == c1.ID {
		t.Errorf("another number is contact %d, want a new one", b.ID)
	}
}

func testContactFlags(t *testing.T, f *fixture) {
	c, _ := f.mustRecord(f.in(bot.ChannelSMS, PhoneA, "STOP"))
	f.tx(func(tx bot.Tx) error { return tx.SetContactFlags(f.ctx, c.ID, true, false) })
	c, _ = f.mustRecord(f.in(bot.ChannelSMS, PhoneA, "hello"))
	if !c.OptedOut || c.Blocked {
		t.Errorf("after SetContactFlags(true, false): %+v", c)
	}
	f.tx(func(tx bot.Tx) error { return tx.SetContactFlags(f.ctx, c.ID, false, true) })
	c, _ = f.mustRecord(f.in(bot.ChannelSMS, PhoneA, "hello"))
	if c.OptedOut || !c.Blocked {
		t.Errorf("after SetContactFlags(false, true): %+v", c)
	}
}

// testMarkBlocked: a provider's "blocked" report finds the contact by
// channel and address, fails what was queued for it (nothing is sent while
// blocked) and leaves other contacts alone; an unknown address is
// ErrNotFound and creates nothing.
func testMarkBlocked(t *testing.T, f *fixture) {
	mark := func(ch bot.Channel, addr string, blocked bool) error {
		return f.s.InTx(f.ctx, func(tx bot.Tx) error { return tx.MarkBlocked(f.ctx, ch, addr, blocked) })
	}
	wantNotFound(t, "MarkBlocked of an unknown chat", mark(bot.ChannelTelegram, ChatIDA, true))
	_, a := f.mustRecord(f.in(bot.ChannelTelegram, ChatIDA, "salam"))
	_, b := f.mustRecord(f.in(bot.ChannelTelegram, ChatIDB, "selam"))
	f.enqueue(a, "A1", f.base)
	f.enqueue(a, "A2", f.base)
	f.enqueue(b, "B1", f.base)
	wantNotFound(t, "MarkBlocked on another channel", mark(bot.ChannelSMS, ChatIDA, true))
	if err := mark(bot.ChannelTelegram, ChatIDA, true); err != nil {
		t.Fatalf("MarkBlocked: %v", err)
	}
	claimed := f.claim(f.base.Add(time.Minute), 10)
	if got := texts(claimed); !slices.Equal(got, []string{"B1"}) {
		t.Fatalf("after blocking A: claimed %q, want [B1]", got)
	}
	if err := f.s.MarkSent(f.ctx, claimed[0].ID, "p", f.base); err != nil {
		t.Fatal(err)
	}
	c, _ := f.mustRecord(f.in(bot.ChannelTelegram, ChatIDA, "again"))
	if !c.Blocked {
		t.Errorf("contact after MarkBlocked(true): %+v", c)
	}
	if err := mark(bot.ChannelTelegram, ChatIDA, false); err != nil {
		t.Fatalf("MarkBlocked(false): %v", err)
	}
	c, _ = f.mustRecord(f.in(bot.ChannelTelegram, ChatIDA, "back"))
	if c.Blocked {
		t.Errorf("contact after MarkBlocked(false): %+v", c)
	}
	f.enqueue(a, "A3", f.base)
	if got := texts(f.claim(f.base.Add(2*time.Minute), 10)); !slices.Equal(got, []string{"A3"}) {
		t.Errorf("after unblocking: claimed %q, want [A3]", got)
	}
}

func testEnsureContact(t *testing.T, f *fixture) {
	var c bot.Contact
	var conv bot.Conversation
	f.tx(func(tx bot.Tx) error {
		var err error
		c, conv, err = tx.EnsureContact(f.ctx, bot.ChannelTelegram, ChatIDA)
		return err
	})
	if c.ID == 0 || conv.ID == 0 || conv.ContactID != c.ID || c.Address != ChatIDA {
		t.Fatalf("EnsureContact: %+v %+v", c, conv)
	}
	if got := f.transcript(conv.ID); len(got) != 0 {
		t.Errorf("EnsureContact recorded messages: %q", got)
	}
	c2, conv2 := f.mustRecord(f.in(bot.ChannelTelegram, ChatIDA, "hi"))
	if c2.ID != c.ID || conv2.ID != conv.ID {
		t.Errorf("RecordInbound after EnsureContact: contact %d conv %d, want %d %d", c2.ID, conv2.ID, c.ID, conv.ID)
	}
}

// Text in the scripts Passerelle serves: Arabic and Persian (right to left,
// Persian with ZERO WIDTH NON-JOINER), Tigrinya and Amharic (Ethiopic),
// Pashto, with marks and emoji that normalisation would break.
var scripts = map[string]string{
	"ar":    "أريد العودة إلى بلدي",
	"fa":    "می‌خواهم به کشورم برگردم", // U+200C inside
	"ti":    "ናብ ዓደይ ክምለስ ደልየ",
	"am":    "ወደ ሀገሬ መመለስ እፈልጋለሁ",
	"ps":    "زه غواړم بېرته خپل هېواد ته لاړ شم",
	"marks": "\u200f\u200e\u200d\u202b<b>&amp;</b>\u202c e\u0301 👋🏽",
}

func testConversationRoundTrip(t *testing.T, f *fixture) {
	_, conv := f.mustRecord(bot.Inbound{Channel: bot.ChannelWeb, Surface: bot.SurfaceWhatsApp,
		Address: "sim-rtl", ProviderID: f.pid(), Text: scripts["fa"], Campaign: "qr-lyon"})
	if conv.Surface != bot.SurfaceWhatsApp || conv.Campaign != "qr-lyon" {
		t.Errorf("new conversation: surface %q campaign %q, want the inbound's", conv.Surface, conv.Campaign)
	}
	conv.Lang, conv.LangSet, conv.Surface, conv.Campaign, conv.Unanswered = "fa", true, bot.SurfaceSMS, "flyer", 2
	conv.State = bot.State{
		Flow: "intake", Step: "country", Vars: scripts, LastTopic: "aide-retour",
		Pending: scripts["ti"] + "\n" + scripts["am"],
		Options: []bot.Option{{Label: scripts["ar"], Payload: "yes"}, {Label: scripts["fa"], Payload: "no"}},
	}
	f.tx(func(tx bot.Tx) error { return tx.SaveConversation(f.ctx, conv) })
	_, got := f.mustRecord(f.in(bot.ChannelWeb, "sim-rtl", scripts["marks"]))
	if got.ID != conv.ID || got.Lang != "fa" || !got.LangSet || got.Surface != bot.SurfaceSMS ||
		got.Campaign != "flyer" || got.Unanswered != 2 {
		t.Errorf("conversation fields: got %+v", got)
	}
	if !reflect.DeepEqual(got.State, conv.State) {
		t.Errorf("state round trip:\n got %#v\nwant %#v", got.State, conv.State)
	}
	for k, v := range scripts {
		if got.State.Vars[k] != v {
			t.Errorf("state var %s: got % x, want % x", k, got.State.Vars[k], v)
		}
	}
	if got.UpdatedAt.IsZero() {
		t.Error("UpdatedAt is zero")
	}
	// Messages keep their bytes too.
	var want []string
	f.tx(func(tx bot.Tx) error {
		for _, k := range []string{"ar", "ti", "am", "ps"} {
			m, err := tx.AddMessage(f.ctx, bot.Message{ConversationID: conv.ID, Direction: bot.FromBot,
				Text: scripts[k], Topic: "t-" + k})
			if err != nil {
				return err
			}
			want = append(want, m.Text)
		}
		return nil
	})
	msgs := f.transcript(conv.ID)
	want = append([]string{scripts["fa"], scripts["marks"]}, want...)
	if !slices.Equal(msgs, want) {
		t.Errorf("transcript:\n got %q\nwant %q", msgs, want)
	}
}

func testTranscript(t *testing.T, f *fixture) {
	_, conv := f.mustRecord(f.in(bot.ChannelTelegram, ChatIDA, "q1"))
	when := f.base.Add(-time.Hour)
	var added bot.Message
	f.tx(func(tx bot.Tx) error {
		var err error
		added, err = tx.AddMessage(f.ctx, bot.Message{ConversationID: conv.ID, Direction: bot.FromBot,
			Text: "a1", Topic: "return-aid", CreatedAt: when})
		if err != nil {
			return err
		}
		_, err = tx.AddMessage(f.ctx, bot.Message{ConversationID: conv.ID, Direction: bot.FromCaseworker, Text: "a2"})
		return err
	})
	f.mustRecord(f.in(bot.ChannelTelegram, ChatIDA, "q2"))
	ms, err := f.s.Transcript(f.ctx, conv.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range ms {
		got = append(got, string(m.Direction)+":"+m.Text+":"+m.Topic)
		if m.ConversationID != conv.ID || m.ID == 0 || m.CreatedAt.IsZero() {
			t.Errorf("message %+v", m)
		}
	}
	want := []string{"in:q1:", "bot:a1:return-aid", "caseworker:a2:", "in:q2:"}
	if !slices.Equal(got, want) {
		t.Errorf("transcript = %q, want %q (recording order)", got, want)
	}
	if added.ID == 0 || !ms[1].CreatedAt.Equal(when) || ms[1].CreatedAt.Location() != time.UTC {
		t.Errorf("AddMessage CreatedAt: returned %+v, stored %v, want %v UTC", added, ms[1].CreatedAt, when)
	}
}

func testRollback(t *testing.T, f *fixture) {
	boom := errors.New("boom")
	in := f.in(bot.ChannelSMS, PhoneA, "rolled back")
	err := f.s.InTx(f.ctx, func(tx bot.Tx) error {
		_, conv, err := tx.RecordInbound(f.ctx, in)
		if err != nil {
			return err
		}
		if _, err := tx.Enqueue(f.ctx, bot.Outbound{ContactID: conv.ContactID, ConversationID: conv.ID, Text: "reply"}); err != nil {
			return err
		}
		if _, err := tx.CreateHandoff(f.ctx, bot.Handoff{ConversationID: conv.ID, Reason: "person"}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx returned %v, want fn's error", err)
	}
	// The dedupe row went with the rest: the redelivery is new.
	in.Text = "second delivery"
	_, conv, err := f.record(in)
	if err != nil {
		t.Fatalf("redelivery after rollback: %v", err)
	}
	if got := f.transcript(conv.ID); !slices.Equal(got, []string{"second delivery"}) {
		t.Errorf("transcript = %q, want only the second delivery", got)
	}
	if got := f.claim(f.base.Add(time.Hour), 10); len(got) != 0 {
		t.Errorf("outbox after rollback: %q", texts(got))
	}
	if hs, err := f.s.OpenHandoffs(f.ctx); err != nil || len(hs) != 0 {
		t.Errorf("handoffs after rollback: %v, %v", hs, err)
	}
}

func testNotFound(t *testing.T, f *fixture) {
	const missing = 987654321
	_, err := f.s.Transcript(f.ctx, missing)
	wantNotFound(t, "Transcript", err)
	wantNotFound(t, "MarkSent", f.s.MarkSent(f.ctx, missing, "p", f.base))
	wantNotFound(t, "MarkRetry", f.s.MarkRetry(f.ctx, missing, f.base, "x"))
	wantNotFound(t, "MarkFailed", f.s.MarkFailed(f.ctx, missing, "x", f.base))
	c, conv := f.mustRecord(f.in(bot.ChannelSMS, PhoneA, "hi"))
	check := func(what string, fn func(tx bot.Tx) error) {
		t.Helper()
		wantNotFound(t, what, f.s.InTx(f.ctx, fn))
	}
	check("SaveConversation", func(tx bot.Tx) error { return tx.SaveConversation(f.ctx, bot.Conversation{ID: missing}) })
	check("SetContactFlags", func(tx bot.Tx) error { return tx.SetContactFlags(f.ctx, missing, true, true) })
	check("AddMessage", func(tx bot.Tx) error {
		_, err := tx.AddMessage(f.ctx, bot.Message{ConversationID: missing, Direction: bot.FromBot, Text: "x"})
		return err
	})
	check("Enqueue", func(tx bot.Tx) error {
		_, err := tx.Enqueue(f.ctx, bot.Outbound{ContactID: c.ID, ConversationID: missing, Text: "x"})
		return err
	})
	check("OpenHandoff", func(tx bot.Tx) error { _, err := tx.OpenHandoff(f.ctx, conv.ID); return err })
	check("CreateHandoff", func(tx bot.Tx) error {
		_, err := tx.CreateHandoff(f.ctx, bot.Handoff{ConversationID: missing})
		return err
	})
	check("DeleteContactData", func(tx bot.Tx) error { return tx.DeleteContactData(f.ctx, missing) })
}
