package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/passerelle-org/passerelle/bot"
)

// HandoffCloser is implemented by Tx values that can close a handoff. It is
// not in bot.Tx yet; the suite uses it when present to test the purge of
// closed handoffs, and skips that part otherwise.
type HandoffCloser interface {
	CloseHandoff(ctx context.Context, id int64, at time.Time) error
}

// Fictional addresses: the +33 6 39 98 range is reserved for fiction in
// France. Stores must never write them in clear.
const (
	PhoneA  = "+33639980001"
	PhoneB  = "+33639980002"
	ChatIDA = "700000001"
	ChatIDB = "700000002"
)

// Run runs the suite. open must return a new, empty store whose clock is
// the real time, and close it when the test ends (t.Cleanup).
func Run(t *testing.T, open func(t *testing.T) bot.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, f *fixture)
	}{
		{"Dedupe", testDedupe},
		{"DedupeWithoutProviderID", testDedupeEmptyID},
		{"ContactIdentity", testContactIdentity},
		{"ContactFlags", testContactFlags},
		{"MarkBlocked", testMarkBlocked},
		{"EnsureContact", testEnsureContact},
		{"ConversationRoundTrip", testConversationRoundTrip},
		{"AnyBytes", testAnyBytes},
		{"TranscriptOrder", testTranscript},
		{"Rollback", testRollback},
		{"NotFound", testNotFound},
		{"OutboxRoundTrip", testOutboxRoundTrip},
		{"Reply", testReply},
		{"MarkSentBatch", testMarkSentBatch},
		{"OutboxOrder", testOutboxOrder},
		{"OutboxLease", testOutboxLease},
		{"OutboxRetryAndFail", testOutboxRetryFail},
		{"OutboxConcurrentClaim", testOutboxConcurrentClaim},
		{"ReleaseClaims", testReleaseClaims},
		{"ReserveSends", testReserveSends},
		{"OutboxStats", testOutboxStats},
		{"Handoffs", testHandoffs},
		{"DeleteContactData", testDeleteContactData},
		{"Purge", testPurge},
		{"Held", testHeld},
		{"Delivery", testDelivery},
		{"OptOutDropsQueued", testOptOutDropsQueued},
		{"PurgeHeld", testPurgeHeld},
		{"ConcurrentTx", testConcurrentTx},
		{"Console", testConsole},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, &fixture{t: t, s: open(t), ctx: t.Context(), base: time.Now().UTC().Truncate(time.Millisecond)})
		})
	}
}

// fixture is one test's store and helpers.
type fixture struct {
	t    *testing.T
	s    bot.Store
	ctx  context.Context
	base time.Time // the test's "now"
	seq  atomic.Int64
}

// pid returns a fresh provider message id.
func (f *fixture) pid() string { return fmt.Sprintf("m%d", f.seq.Add(1)) }

// in builds an inbound message with a fresh provider id.
func (f *fixture) in(ch bot.Channel, address, text string) bot.Inbound {
	return bot.Inbound{Channel: ch, Address: address, ProviderID: f.pid(), Text: text}
}

// record runs RecordInbound in its own transaction.
func (f *fixture) record(in bot.Inbound) (bot.Contact, bot.Conversation, error) {
	var (
		c    bot.Contact
		conv bot.Conversation
	)
	err := f.s.InTx(f.ctx, func(tx bot.Tx) error {
		var err error
		c, conv, err = tx.RecordInbound(f.ctx, in)
		return err
	})
	return c, conv, err
}

// mustRecord records in and fails the test on error.
func (f *fixture) mustRecord(in bot.Inbound) (bot.Contact, bot.Conversation) {
	f.t.Helper()
	c, conv, err := f.record(in)
	if err != nil {
		f.t.Fatalf("RecordInbound(%s %s): %v", in.Channel, in.ProviderID, err)
	}
	return c, conv
}

// tx runs fn in a transaction and fails the test on error.
func (f *fixture) tx(fn func(tx bot.Tx) error) {
	f.t.Helper()
	if err := f.s.InTx(f.ctx, fn); err != nil {
		f.t.Fatalf("InTx: %v", err)
	}
}

// enqueue writes text to the outbox for conv, due at notBefore.
func (f *fixture) enqueue(conv bot.Conversation, text string, notBefore time.Time) bot.Outbound {
	f.t.Helper()
	var o bot.Outbound
	f.tx(func(tx bot.Tx) error {
		var err error
		o, err = tx.Enqueue(f.ctx, bot.Outbound{ContactID: conv.ContactID, ConversationID: conv.ID,
			Lang: "fr", Text: text, NotBefore: notBefore})
		return err
	})
	return o
}

// claim claims up to limit messages at now with a one-minute lease.
func (f *fixture) claim(now time.Time, limit int) []bot.Outbound {
	f.t.Helper()
	out, err := f.s.ClaimOutbox(f.ctx, now, limit, time.Minute)
	if err != nil {
		f.t.Fatalf("ClaimOutbox: %v", err)
	}
	return out
}

// texts lists the Text of each message claimed.
func texts(os []bot.Outbound) []string {
	var out []string
	for _, o := range os {
		out = append(out, o.Text)
	}
	return out
}

// transcript returns the conversation's message texts.
func (f *fixture) transcript(convID int64) []string {
	f.t.Helper()
	ms, err := f.s.Transcript(f.ctx, convID)
	if err != nil {
		f.t.Fatalf("Transcript(%d): %v", convID, err)
	}
	out := []string{}
	for _, m := range ms {
		out = append(out, m.Text)
	}
	return out
}

// wantNotFound fails unless err wraps bot.ErrNotFound.
func wantNotFound(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("%s: got %v, want an error wrapping bot.ErrNotFound", what, err)
	}
}
