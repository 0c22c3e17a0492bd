package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/passerelle-org/passerelle/bot"
)

// testReply: Tx.Reply writes the transcript line and the outbox row as
// AddMessage then Enqueue do, with the channel and surface of the contact
// and conversation; several replies of one turn keep their order; a
// channel that is not the contact's, or an unknown conversation, is an
// error and the transaction writes nothing.
func testReply(t *testing.T, f *fixture) {
	c, conv := f.mustRecord(f.in(bot.ChannelSMS, PhoneA, "salam"))
	opts := []bot.Option{{Label: scripts["ti"], Payload: "more"}}
	f.tx(func(tx bot.Tx) error {
		for _, text := range []string{scripts["ar"], scripts["ti"], "third"} {
			err := tx.Reply(f.ctx, bot.Message{ConversationID: conv.ID, Direction: bot.FromBot, Text: text, Topic: "return.allowance"},
				bot.Outbound{ContactID: c.ID, ConversationID: conv.ID, Lang: "ar", Text: text, Options: opts})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if got, want := f.transcript(conv.ID), []string{"salam", scripts["ar"], scripts["ti"], "third"}; !slices.Equal(got, want) {
		t.Errorf("transcript %q, want %q", got, want)
	}
	out := f.outboxOf(conv.ID)
	if len(out) != 3 {
		t.Fatalf("outbox has %d rows, want 3", len(out))
	}
	for i, want := range []string{scripts["ar"], scripts["ti"], "third"} {
		o := out[i]
		if o.Text != want || o.Channel != bot.ChannelSMS || o.Surface != conv.Surface || o.Lang != "ar" ||
			o.Status != bot.OutboxQueued || len(o.Options) != 1 || o.Options[0] != opts[0] {
			t.Errorf("outbox row %d: %+v", i, o)
		}
	}
	if got := f.claim(f.base.Add(time.Minute), 10); len(got) != 1 || got[0].Text != scripts["ar"] || got[0].Address != PhoneA {
		t.Errorf("claim after Reply: %q, want the first reply with its address", texts(got))
	}
	// Refused: another channel, and a conversation that does not exist.
	for name, o := range map[string]bot.Outbound{
		"other channel":        {ContactID: c.ID, ConversationID: conv.ID, Channel: bot.ChannelTelegram, Text: "x"},
		"unknown conversation": {ContactID: c.ID, ConversationID: conv.ID + 1000, Text: "x"},
	} {
		err := f.s.InTx(f.ctx, func(tx bot.Tx) error {
			return tx.Reply(f.ctx, bot.Message{ConversationID: conv.ID, Direction: bot.FromBot, Text: "must not stay"}, o)
		})
		if err == nil {
			t.Errorf("Reply with %s: want an error", name)
		}
		if name == "unknown conversation" {
			wantNotFound(t, "Reply to an unknown conversation", err)
		}
	}
	if got := f.transcript(conv.ID); slices.Contains(got, "must not stay") {
		t.Errorf("a refused Reply left its transcript line: %q", got)
	}
}

// testMarkSentBatch: every send of a batch is recorded with its provider
// id, none is claimed again, and an unknown id is reported after the
// others are recorded.
func testMarkSentBatch(t *testing.T, f *fixture) {
	var convs []bot.Conversation
	for _, addr := range []string{ChatIDA, ChatIDB} {
		_, conv := f.mustRecord(f.in(bot.ChannelTelegram, addr, "hi"))
		convs = append(convs, conv)
		f.enqueue(conv, "reply to "+addr, f.base)
	}
	got := f.claim(f.base, 10)
	if len(got) != 2 {
		t.Fatalf("claimed %d, want 2", len(got))
	}
	if err := f.s.MarkSentBatch(f.ctx, nil); err != nil {
		t.Errorf("empty batch: %v", err)
	}
	batch := []bot.Sent{{ID: got[0].ID, ProviderID: "tg-1", At: f.base}, {ID: 1 << 40, ProviderID: "tg-x", At: f.base},
		{ID: got[1].ID, ProviderID: "tg-2", At: f.base.Add(time.Second)}}
	err := f.s.MarkSentBatch(f.ctx, batch)
	if !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("batch with an unknown id: %v, want an error wrapping ErrNotFound", err)
	}
	for i, conv := range convs {
		out := f.outboxOf(conv.ID)
		if len(out) != 1 || out[0].Status != bot.OutboxSent || out[0].ProviderID != []string{"tg-1", "tg-2"}[i] {
			t.Errorf("conversation %d after the batch: %+v", i, out)
		}
	}
	if again := f.claim(f.base.Add(time.Hour), 10); len(again) != 0 {
		t.Errorf("sent replies claimed again: %q", texts(again))
	}
}
