package bot

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"
)

// Worker delivers the outbox: it claims due messages, sends each through
// its channel's Sender, and records the result. A failed send is retried
// with exponential backoff and jitter (honouring the provider's hint); a
// permanent failure is recorded with its reason; a blocked or opted-out
// person is marked so nothing more is sent; a reply that cannot go while
// the messaging window is closed is held until the person writes.
type Worker struct {
	Store   Store
	Senders map[Channel]Sender
	Log     *slog.Logger
	Clock   func() time.Time
	// Batch is how many messages one claim takes (default 32).
	Batch int
	// Lease is how long a claimed message is reserved (default 1 minute).
	Lease time.Duration
	// Idle is the polling period when nothing wakes the worker (default 1s).
	Idle time.Duration
	// OnSend is called after each send attempt with the message and the
	// Sender's error (nil when sent), for metrics. It may be nil.
	OnSend func(o Outbound, err error)

	once sync.Once
	wake chan struct{}
}

// MaxAttempts is how many times a message is tried before it is failed.
const MaxAttempts = 12

func (w *Worker) init() {
	w.once.Do(func() {
		w.wake = make(chan struct{}, 1)
		if w.Batch == 0 {
			w.Batch = 32
		}
		if w.Lease == 0 {
			w.Lease = time.Minute
		}
		if w.Idle == 0 {
			w.Idle = time.Second
		}
		if w.Log == nil {
			w.Log = slog.New(slog.DiscardHandler)
		}
		if w.Clock == nil {
			w.Clock = time.Now
		}
	})
}

// Wake asks the worker to look at the outbox now. It never blocks.
func (w *Worker) Wake() {
	w.init()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx is done.
func (w *Worker) Run(ctx context.Context) error {
	w.init()
	t := time.NewTicker(w.Idle)
	defer t.Stop()
	for {
		for {
			n, err := w.Drain(ctx)
			if err != nil && ctx.Err() == nil {
				w.Log.Error("outbox claim failed", "err", err)
			}
			// A claim takes one message per contact: claim again until
			// nothing is due, so a contact's next reply goes at once.
			if n == 0 || err != nil || ctx.Err() != nil {
				break
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-w.wake:
		case <-t.C:
		}
	}
}

// Drain claims one batch of due messages and tries to send each; it
// returns how many it claimed. When ctx ends (shutdown) the send under way
// finishes and is recorded, and the messages of the batch not yet tried
// are released (Store.ReleaseClaims), so the next worker, here after a
// restart or on another replica, sends them at once rather than after the
// lease.
func (w *Worker) Drain(ctx context.Context) (int, error) {
	w.init()
	now := w.Clock().UTC().Truncate(time.Millisecond)
	batch, err := w.Store.ClaimOutbox(ctx, now, w.Batch, w.Lease)
	if err != nil {
		return 0, err
	}
	// Sends and their records outlive a shutdown, bounded by the lease: a
	// send longer than that could be claimed again elsewhere anyway.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.Lease)
	defer cancel()
	for i, o := range batch {
		if ctx.Err() != nil {
			w.release(sctx, batch[i:], now.Add(w.Lease))
			break
		}
		w.deliver(sctx, o)
	}
	return len(batch), nil
}

// release gives back the leases on messages claimed but not tried.
func (w *Worker) release(ctx context.Context, rest []Outbound, leasedUntil time.Time) {
	ids := make([]int64, len(rest))
	for i, o := range rest {
		ids[i] = o.ID
	}
	n, err := w.Store.ReleaseClaims(ctx, ids, leasedUntil)
	if err != nil {
		w.Log.Error("releasing outbox claims failed; they go after the lease", "err", err, "claims", len(ids))
		return
	}
	w.Log.Info("outbox claims released at shutdown", "released", n)
}

func (w *Worker) deliver(ctx context.Context, o Outbound) {
	log := w.Log.With("outbound", o.ID, "channel", o.Channel)
	s, ok := w.Senders[o.Channel]
	if !ok {
		log.Error("no sender for channel; message failed")
		w.record(w.Store.MarkFailed(ctx, o.ID, "no sender for channel "+string(o.Channel), w.Clock()))
		return
	}
	id, err := s.Send(ctx, o)
	if w.OnSend != nil {
		w.OnSend(o, err)
	}
	now := w.Clock().UTC()
	if err == nil {
		w.record(w.Store.MarkSent(ctx, o.ID, id, now))
		return
	}
	kind, after := SendErrorKindOf(err)
	switch {
	case kind == SendBlocked || kind == SendOptedOut:
		log.Info("recipient unreachable; contact marked", "kind", kind)
		w.record(w.Store.MarkFailed(ctx, o.ID, err.Error(), now))
		w.record(w.Store.InTx(ctx, func(tx Tx) error {
			return tx.SetContactFlags(ctx, o.ContactID, kind == SendOptedOut, kind == SendBlocked)
		}))
	case kind == SendHeld:
		log.Info("messaging window closed; reply held until the person writes")
		w.record(w.Store.MarkHeld(ctx, o.ID, id, err.Error(), now))
	case kind == SendPermanent || o.Attempts >= MaxAttempts:
		log.Warn("send failed permanently", "attempts", o.Attempts, "err", err)
		w.record(w.Store.MarkFailed(ctx, o.ID, err.Error(), now))
	default:
		delay := Backoff(o.Attempts)
		if after > delay {
			delay = after
		}
		log.Info("send failed; will retry", "attempts", o.Attempts, "in", delay)
		w.record(w.Store.MarkRetry(ctx, o.ID, now.Add(delay), err.Error()))
	}
}

func (w *Worker) record(err error) {
	if err != nil {
		w.Log.Error("outbox update failed", "err", err)
	}
}

// Backoff is the wait before attempt n+1: exponential from 1s, capped at
// 10 minutes, with up to 50% random jitter so retries don't stampede.
func Backoff(attempts int) time.Duration {
	if attempts < 1 {
		attempts = 1
	}
	d := time.Second << min(attempts-1, 10)
	d = min(d, 10*time.Minute)
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}
