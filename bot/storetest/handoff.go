package storetest

import (
	"testing"

	"github.com/passerelle-org/passerelle/bot"
)

func testHandoffs(t *testing.T, f *fixture) {
	_, c1 := f.mustRecord(f.in(bot.ChannelSMS, PhoneA, "je veux parler à quelqu'un"))
	_, c2 := f.mustRecord(f.in(bot.ChannelSMS, PhoneB, "mon patron garde mon passeport"))
	_, c3 := f.mustRecord(f.in(bot.ChannelTelegram, ChatIDA, "question"))
	create := func(h bot.Handoff) bot.Handoff {
		t.Helper()
		var out bot.Handoff
		f.tx(func(tx bot.Tx) error {
			var err error
			out, err = tx.CreateHandoff(f.ctx, h)
			return err
		})
		return out
	}
	h1 := create(bot.Handoff{ConversationID: c1.ID, Reason: "person", Summary: "wants a caseworker"})
	if h1.ID == 0 || h1.Status != bot.HandoffWaiting || h1.Urgent || h1.Reason != "person" ||
		h1.Summary != "wants a caseworker" || h1.CreatedAt.IsZero() || !h1.ClosedAt.IsZero() {
		t.Errorf("new handoff %+v", h1)
	}
	h2 := create(bot.Handoff{ConversationID: c2.ID, Urgent: true, Reason: "triage", Summary: scripts["ti"]})
	h3 := create(bot.Handoff{ConversationID: c3.ID, Reason: "unanswered"})

	// A second request returns the open one.
	again := create(bot.Handoff{ConversationID: c3.ID, Reason: "person", Summary: "other"})
	if again.ID != h3.ID || again.Urgent || again.Reason != "unanswered" {
		t.Errorf("second CreateHandoff = %+v, want handoff %d unchanged", again, h3.ID)
	}
	if !openIDs(t, f, h2.ID, h1.ID, h3.ID) {
		t.Error("want urgent first, then oldest")
	}
	// An urgent request raises the open one.
	up := create(bot.Handoff{ConversationID: c1.ID, Urgent: true, Reason: "triage"})
	if up.ID != h1.ID || !up.Urgent {
		t.Errorf("urgent CreateHandoff = %+v, want handoff %d made urgent", up, h1.ID)
	}
	if !openIDs(t, f, h1.ID, h2.ID, h3.ID) {
		t.Error("after the upgrade: want both urgent ones first, oldest first")
	}
	// A later non-urgent request does not lower it.
	if down := create(bot.Handoff{ConversationID: c1.ID, Reason: "person"}); !down.Urgent {
		t.Errorf("non-urgent CreateHandoff lowered urgency: %+v", down)
	}
	f.tx(func(tx bot.Tx) error {
		h, err := tx.OpenHandoff(f.ctx, c2.ID)
		if err == nil && (h.ID != h2.ID || h.Summary != scripts["ti"] || !h.Urgent) {
			t.Errorf("OpenHandoff = %+v, want %+v", h, h2)
		}
		return err
	})

	closer, ok := f.closer()
	if !ok {
		t.Log("Tx has no CloseHandoff: closed handoffs not tested")
		return
	}
	f.tx(func(tx bot.Tx) error { return closer(tx).CloseHandoff(f.ctx, h3.ID, f.base) })
	if !openIDs(t, f, h1.ID, h2.ID) {
		t.Error("closed handoff still listed")
	}
	f.tx(func(tx bot.Tx) error {
		_, err := tx.OpenHandoff(f.ctx, c3.ID)
		wantNotFound(t, "OpenHandoff after close", err)
		return nil
	})
	// After a close, a new request opens a new handoff.
	if h4 := create(bot.Handoff{ConversationID: c3.ID, Reason: "person"}); h4.ID == h3.ID || h4.Status != bot.HandoffWaiting {
		t.Errorf("CreateHandoff after close = %+v, want a new one", h4)
	}
}

// openIDs reports whether OpenHandoffs lists exactly ids, in order.
func openIDs(t *testing.T, f *fixture, ids ...int64) bool {
	t.Helper()
	hs, err := f.s.OpenHandoffs(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, h := range hs {
		got = append(got, h.ID)
	}
	if len(got) != len(ids) {
		t.Errorf("OpenHandoffs = %v, want %v", got, ids)
		return false
	}
	for i := range ids {
		if got[i] != ids[i] {
			t.Errorf("OpenHandoffs = %v, want %v", got, ids)
			return false
		}
	}
	return true
}

// closer tells whether the store's Tx can close handoffs, and returns the
// conversion when it can.
func (f *fixture) closer() (func(bot.Tx) HandoffCloser, bool) {
	ok := false
	_ = f.s.InTx(f.ctx, func(tx bot.Tx) error {
		_, ok = tx.(HandoffCloser)
		return nil
	})
	return func(tx bot.Tx) HandoffCloser { return tx.(HandoffCloser) }, ok
}
