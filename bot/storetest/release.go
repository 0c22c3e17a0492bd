package storetest

import (
	"testing"
	"time"

	"github.com/passerelle-org/passerelle/bot"
)

// testReleaseClaims: a stopping worker gives back the messages it claimed
// but did not send; they are due at once with the attempt not counted, and
// a lease another worker took since is left alone.
func testReleaseClaims(t *testing.T, f *fixture) {
	_, a := f.mustRecord(f.in(bot.ChannelSMS, PhoneA, "a"))
	_, b := f.mustRecord(f.in(bot.ChannelSMS, PhoneB, "b"))
	f.enqueue(a, "A1", f.base)
	f.enqueue(b, "B1", f.base)
	claimed := f.claim(f.base, 10)
	if len(claimed) != 2 {
		t.Fatalf("claimed %q, want A1 and B1", texts(claimed))
	}
	until := f.base.Add(time.Minute)
	// B1 was sent before the stop: releasing it changes nothing.
	if err := f.s.MarkSent(f.ctx, claimed[1].ID, "p", f.base); err != nil {
		t.Fatal(err)
	}
	n, err := f.s.ReleaseClaims(f.ctx, []int64{claimed[0].ID, claimed[1].ID}, until)
	if err != nil || n != 1 {
		t.Fatalf("ReleaseClaims = %d, %v; want 1", n, err)
	}
	again := f.claim(f.base.Add(time.Second), 10)
	if len(again) != 1 || again[0].ID != claimed[0].ID || again[0].Attempts != 1 {
		t.Fatalf("after release: %+v, want A1 at once with Attempts 1", again)
	}
	// A stale release (the old lease) must not free the new claim.
	if n, err := f.s.ReleaseClaims(f.ctx, []int64{again[0].ID}, until); err != nil || n != 0 {
		t.Fatalf("stale ReleaseClaims = %d, %v; want 0", n, err)
	}
	if got := f.claim(f.base.Add(2*time.Second), 10); len(got) != 0 {
		t.Fatalf("still leased: %q, want none", texts(got))
	}
}

// testOutboxStats: queued and held counts, and the oldest queued message.
func testOutboxStats(t *testing.T, f *fixture) {
	st, err := f.s.OutboxStats(f.ctx)
	if err != nil || st.Queued != 0 || st.Held != 0 || !st.Oldest.IsZero() {
		t.Fatalf("empty OutboxStats = %+v, %v", st, err)
	}
	_, a := f.mustRecord(f.in(bot.ChannelWhatsApp, PhoneA, "a"))
	_, b := f.mustRecord(f.in(bot.ChannelSMS, PhoneB, "b"))
	f.enqueue(a, "A1", f.base)
	f.enqueue(b, "B1", f.base)
	f.enqueue(b, "B2", f.base)
	a1 := got0(t, f.claim(f.base, 1))
	if err := f.s.MarkHeld(f.ctx, a1.ID, "", "window closed", f.base); err != nil {
		t.Fatal(err)
	}
	st, err = f.s.OutboxStats(f.ctx)
	if err != nil || st.Queued != 2 || st.Held != 1 || st.Oldest.IsZero() {
		t.Fatalf("OutboxStats = %+v, %v; want 2 queued, 1 held, an oldest time", st, err)
	}
}
