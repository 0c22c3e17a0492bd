package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/passerelle-org/passerelle/bot"
)

// testAnyBytes: whatever bytes a provider passes on (a NUL, invalid UTF-8),
// the message is recorded and answered, never refused: refusing it would
// lose it, as the provider's redeliveries would be refused too. A store
// may keep the bytes or replace what its database cannot hold (PostgreSQL
// stores U+FFFD); the readable text around them stays.
func testAnyBytes(t *testing.T, f *fixture) {
	odd := "avant\x00apr\xe8s"
	in := f.in(bot.ChannelSMS, PhoneA, odd)
	in.ProviderID += "\x00\xff"
	in.Campaign = "qr\xff"
	var conv bot.Conversation
	f.tx(func(tx bot.Tx) error {
		c, cv, err := tx.RecordInbound(f.ctx, in)
		if err != nil {
			return err
		}
		conv = cv
		cv.State = bot.State{Flow: "intake", Vars: map[string]string{"said": odd}, Pending: odd,
			Options: []bot.Option{{Label: odd, Payload: "p\x00"}}}
		if err := tx.SaveConversation(f.ctx, cv); err != nil {
			return err
		}
		if _, err := tx.AddMessage(f.ctx, bot.Message{ConversationID: cv.ID, Direction: bot.FromBot, Text: odd, Topic: "t\x00"}); err != nil {
			return err
		}
		_, err = tx.Enqueue(f.ctx, bot.Outbound{ContactID: c.ID, ConversationID: cv.ID, Text: odd, Options: cv.State.Options})
		return err
	})
	got := f.transcript(conv.ID)
	if len(got) != 2 {
		t.Fatalf("transcript = %q, want the message and the reply", got)
	}
	for _, s := range got {
		if !strings.HasPrefix(s, "avant") || !strings.Contains(s, "apr") {
			t.Errorf("stored text %q lost its readable part", s)
		}
	}
	if _, _, err := f.record(in); err == nil {
		t.Error("redelivery of the odd message: want ErrDuplicate")
	}
	claimed := f.claim(f.base.Add(time.Second), 10)
	if len(claimed) != 1 || !strings.HasPrefix(claimed[0].Text, "avant") || len(claimed[0].Options) != 1 {
		t.Errorf("claimed %+v, want the reply with its option", claimed)
	}
	_, cv := f.mustRecord(f.in(bot.ChannelSMS, PhoneA, "encore"))
	if cv.State.Flow != "intake" || !strings.HasPrefix(cv.State.Vars["said"], "avant") {
		t.Errorf("state after odd bytes: %+v", cv.State)
	}
}
