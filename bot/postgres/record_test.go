package postgres

import (
	"context"
	"errors"
	"testing"

	"github.com/passerelle-org/passerelle/bot"
)

// TestRecordInboundReadsOpenHandoff: the open handoff RecordInbound reads
// with the conversation is what OpenHandoff returns, until a write to
// handoffs in the same transaction makes it stale.
func TestRecordInboundReadsOpenHandoff(t *testing.T) {
	s := openAt(t, freshSchema(t), testKeys(t, "k"))
	ctx := context.Background()
	in := bot.Inbound{Channel: bot.ChannelSMS, Address: "+33600000001", Text: "hi"}
	var want bot.Handoff
	err := s.InTx(ctx, func(tx bot.Tx) error {
		_, conv, err := tx.RecordInbound(ctx, in)
		if err != nil {
			return err
		}
		if _, err := tx.OpenHandoff(ctx, conv.ID); !errors.Is(err, bot.ErrNotFound) {
			t.Errorf("OpenHandoff of a new conversation: %v, want ErrNotFound", err)
		}
		want, err = tx.CreateHandoff(ctx, bot.Handoff{ConversationID: conv.ID, Urgent: true, Reason: "person", Summary: "s"})
		if err != nil {
			return err
		}
		if got, err := tx.OpenHandoff(ctx, conv.ID); err != nil || got != want {
			t.Errorf("OpenHandoff after CreateHandoff = %+v, %v; want %+v", got, err, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.InTx(ctx, func(btx bot.Tx) error {
		_, conv, err := btx.RecordInbound(ctx, in)
		if err != nil {
			return err
		}
		if got, err := btx.OpenHandoff(ctx, conv.ID); err != nil || got != want {
			t.Errorf("OpenHandoff after RecordInbound = %+v, %v; want %+v", got, err, want)
		}
		if err := btx.(*tx).CloseHandoff(ctx, want.ID, s.now()); err != nil {
			return err
		}
		if _, err := btx.OpenHandoff(ctx, conv.ID); !errors.Is(err, bot.ErrNotFound) {
			t.Errorf("OpenHandoff after CloseHandoff: %v, want ErrNotFound", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
