package telegram

import (
	"context"
	"sync"
	"time"
)

// limiter spaces messages as Telegram asks ("in a single chat, avoid
// sending more than one message per second ... short bursts" and about 30
// a second overall), with the generic cell rate algorithm: each chat has a
// theoretical arrival time that moves one interval per message; a message
// may go while that time is less than burst-1 intervals ahead of now.
//
// With several replicas the overall rate moves to the database (a Pacer,
// Config.Pacer) and overall here is 0. Per-chat pacing stays in process:
// the outbox leases one message per contact at a time, so a chat's
// replies go one after another whichever replica sends them, and the
// interval is lost only when consecutive replies of one chat go from
// different replicas; Telegram then answers 429 with retry_after, which
// the worker honours. Keeping it in the database would cost a write per
// message for that rare case.
type limiter struct {
	clock   func() time.Time
	perChat time.Duration
	burst   int
	overall time.Duration

	mu    sync.Mutex
	chats map[int64]time.Time
	all   time.Time
}

func newLimiter(clock func() time.Time, perChat time.Duration, burst int, overall time.Duration) *limiter {
	return &limiter{clock: clock, perChat: perChat, burst: burst, overall: overall, chats: map[int64]time.Time{}}
}

// reserve books the next message to chat and returns how long to wait
// before sending it. When that is longer than max nothing is booked and ok
// is false.
func (l *limiter) reserve(chat int64, max time.Duration) (wait time.Duration, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock()
	tat := l.chats[chat]
	if tat.Before(now) {
		tat = now
	}
	wait = tat.Sub(now) - time.Duration(l.burst-1)*l.perChat
	if all := l.all.Sub(now); all > wait {
		wait = all
	}
	wait = max0(wait)
	if wait > max {
		return wait, false
	}
	l.chats[chat] = tat.Add(l.perChat)
	at := now.Add(wait)
	if l.all.Before(at) {
		l.all = at
	}
	l.all = l.all.Add(l.overall)
	if len(l.chats) > 10000 {
		for id, t := range l.chats {
			if t.Before(now) {
				delete(l.chats, id)
			}
		}
	}
	return wait, true
}

// hold keeps chat quiet for d, after Telegram answered 429.
func (l *limiter) hold(chat int64, d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	until := l.clock().Add(d + time.Duration(l.burst-1)*l.perChat)
	if l.chats[chat].Before(until) {
		l.chats[chat] = until
	}
}

// wait books a message to chat and sleeps until it may go.
func (l *limiter) wait(ctx context.Context, chat int64) error {
	d, _ := l.reserve(chat, time.Duration(1<<62))
	return sleep(ctx, d)
}

// sleep waits d, or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func max0(d time.Duration) time.Duration {
	if d < 0 {
		return 0
	}
	return d
}
