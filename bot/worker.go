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
	// Concurrency is how many sends may be under way at once. A claim
	// never holds two messages of one contact, and a contact's next message
	// is not claimed while one is leased, so sending side by side keeps each
	// person's replies in order; only the order between different people
	// is left to chance. Zero means one at a time; passerelle serve sets
	// PASSERELLE_SEND_CONCURRENCY (default 16).
	Concurrency int
	// Backoff is the wait before the next attempt of a message tried
	// attempts times (default Backoff); a provider's longer hint wins. Tests
	// shorten it.
	Backoff func(attempts int) time.Duration

	once  sync.Once
	sent  *sentLog // "mark sent" writes, grouped
	wake  chan struct{}
	slots chan struct{} // one token per send under way
	done  chan struct{} // a send ended: its contact's next reply may be due
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
		if w.Concurrency <= 0 {
			w.Concurrency = 1
		}
		if w.Backoff == nil {
			w.Backoff = Backoff
		}
		w.slots = make(chan struct{}, w.Concurrency)
		w.sent = &sentLog{store: w.Store}
		w.done = make(chan struct{}, 1)
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

// Run delivers until ctx is done. It keeps up to Concurrency sends under
// way: whenever send slots are free it claims that many due messages (at
// most Batch) and starts them, so one slow send (a provider that hangs
// until the client's timeout) holds one slot, not the whole outbox. When
// ctx ends, Run claims nothing more and returns once the sends under way
// have finished and been recorded.
func (w *Worker) Run(ctx context.Context) error {
	w.init()
	var sends sync.WaitGroup
	defer sends.Wait()
	t := time.NewTicker(w.Idle)
	defer t.Stop()
	full := false
	for {
		var err error
		full, err = w.fill(ctx, &sends, full)
		if err != nil && ctx.Err() == nil {
			w.Log.Error("outbox claim failed", "err", err)
		}
		if full && err == nil && ctx.Err() == nil {
			// More may be due: claim again as soon as a send ends.
			select {
			case <-ctx.Done():
				return nil
			case <-w.done:
			}
			continue
		}
		// Nothing more due now. A send that ends may make its contact's
		// next reply due (one message per contact at a time), so that
		// wakes the loop too.
		select {
		case <-ctx.Done():
			return nil
		case <-w.wake:
		case <-w.done:
		case <-t.C:
		}
	}
}

// fill takes the free send slots (at most Batch), claims as many due
// messages and starts a send for each. It reports whether the claim was
// full (more may be due), or it did not claim for want of free slots.
//
// With a backlog (the last claim was full) it waits until a quarter of the
// slots are free: each claim is a write, on SQLite's single writer too,
// and claiming one message per ended send would double the writes per
// reply when the outbox is busy.
func (w *Worker) fill(ctx context.Context, sends *sync.WaitGroup, backlog bool) (bool, error) {
	n := 0
take:
	for n < w.Batch {
		select {
		case w.slots <- struct{}{}:
			n++
		default:
			break take
		}
	}
	if n == 0 || backlog && n < max(1, min(w.Batch, w.Concurrency)/4) {
		for range n {
			<-w.slots
		}
		return true, nil
	}
	now := w.Clock().UTC().Truncate(time.Millisecond)
	batch, err := w.Store.ClaimOutbox(ctx, now, n, w.Lease)
	for range n - len(batch) {
		<-w.slots
	}
	for _, o := range batch {
		w.start(ctx, sends, o)
	}
	return err == nil && len(batch) == n, err
}

// start sends o in its own goroutine, on a slot the caller took. The send
// and its record outlive a shutdown, bounded by the lease: a send longer
// than that could be claimed again elsewhere anyway.
func (w *Worker) start(ctx context.Context, sends *sync.WaitGroup, o Outbound) {
	sends.Go(func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.Lease)
		defer cancel()
		defer w.free()
		w.deliver(sctx, o)
	})
}

// free gives back a send slot and tells Run a send ended.
func (w *Worker) free() {
	<-w.slots
	select {
	case w.done <- struct{}{}:
	default:
	}
}

// Drain claims one batch of due messages and sends them, Concurrency at a
// time; it returns how many it claimed once every send of the batch is
// recorded. When ctx ends (shutdown) the sends under way finish and are
// recorded, and the messages of the batch not yet started are released
// (Store.ReleaseClaims), so the next worker, here after a restart or on
// another replica, sends them at once rather than after the lease.
func (w *Worker) Drain(ctx context.Context) (int, error) {
	w.init()
	now := w.Clock().UTC().Truncate(time.Millisecond)
	batch, err := w.Store.ClaimOutbox(ctx, now, w.Batch, w.Lease)
	if err != nil {
		return 0, err
	}
	var sends sync.WaitGroup
	for i, o := range batch {
		if !w.acquire(ctx) {
			w.release(context.WithoutCancel(ctx), batch[i:], now.Add(w.Lease))
			break
		}
		w.start(ctx, &sends, o)
	}
	sends.Wait()
	return len(batch), nil
}

// acquire takes a send slot; false when ctx ended first.
func (w *Worker) acquire(ctx context.Context) bool {
	if ctx.Err() != nil {
		return false
	}
	select {
	case w.slots <- struct{}{}:
		return true
	case <-ctx.Done():
		return false
	}
}

// release gives back the leases on messages claimed but not tried.
func (w *Worker) release(ctx context.Context, rest []Outbound, leasedUntil time.Time) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
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
		w.record(w.sent.record(Sent{ID: o.ID, ProviderID: id, At: now}))
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
		delay := w.Backoff(o.Attempts)
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
