package telegram

import (
	"context"
	"testing"
	"time"

	"github.com/passerelle-org/passerelle/bot"
)

// TestLimiter: a chat gets a burst of 3, then one message a second; other
// chats are not held back by it; all chats together get 30 a second.
func TestLimiter(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	l := newLimiter(func() time.Time { return now }, time.Second, 3, time.Second/30)
	var waits []time.Duration
	for range 5 {
		d, ok := l.reserve(1, time.Hour)
		if !ok {
			t.Fatal("refused under max")
		}
		waits = append(waits, d.Round(time.Millisecond))
	}
	// The overall spacing (1/30 s) applies to the burst too.
	want := []time.Duration{0, 33 * time.Millisecond, 67 * time.Millisecond, time.Second, 2 * time.Second}
	for i := range want {
		if diff := waits[i] - want[i]; diff < -2*time.Millisecond || diff > 2*time.Millisecond {
			t.Errorf("message %d waits %v, want %v", i+1, waits[i], want[i])
		}
	}
	if d, ok := l.reserve(1, 2*time.Second); ok || d < 2*time.Second {
		t.Errorf("past max: %v %v, want refused", d, ok)
	}
	if d, _ := l.reserve(2, time.Hour); d > 3*time.Second {
		t.Errorf("another chat waits %v behind chat 1", d)
	}

	// 60 chats at once: the last goes about two seconds later.
	l = newLimiter(func() time.Time { return now }, time.Second, 3, time.Second/30)
	var last time.Duration
	for chat := range int64(60) {
		last, _ = l.reserve(chat, time.Hour)
	}
	if last < 1900*time.Millisecond || last > 2*time.Second {
		t.Errorf("the 60th chat waits %v, want about 2s at 30/s", last)
	}

	// After a 429, the chat is held for retry_after.
	l = newLimiter(func() time.Time { return now }, time.Second, 3, time.Second/30)
	l.hold(5, 34*time.Second)
	if d, ok := l.reserve(5, time.Minute); !ok || d < 34*time.Second {
		t.Errorf("after hold: %v %v", d, ok)
	}
}

// TestSendRateLimited: Send waits a little for the chat's turn, and hands
// the message back to the outbox (SendRetry) rather than wait long.
func TestSendRateLimited(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.PerChat, c.Burst = 100*time.Millisecond, 2 })
	o := bot.Outbound{Address: "700000601", Text: "ሰላም"}
	start := time.Now()
	for range 4 {
		if _, err := e.ch.Send(context.Background(), o); err != nil {
			t.Fatal(err)
		}
	}
	if took := time.Since(start); took < 180*time.Millisecond {
		t.Errorf("4 messages to one chat took %v, want at least 2 intervals after the burst", took)
	}
	e = newEnv(t, func(c *Config) { c.PerChat, c.Burst = time.Minute, 1 })
	e.ch.Send(context.Background(), o)
	_, err := e.ch.Send(context.Background(), o)
	if kind, after := bot.SendErrorKindOf(err); kind != bot.SendRetry || after < 50*time.Second {
		t.Errorf("second message within the minute: %v (%v after %v), want SendRetry after ~1m", err, kind, after)
	}
	if n := len(e.api.CallsOf("sendMessage")); n != 1 {
		t.Errorf("%d messages reached Telegram, want 1", n)
	}
}
