package console

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/passerelle-org/passerelle/bot"
)

// Live updates. An event is "queue" (the queue changed) or
// "conversation:<id>" (a conversation has a new message; id 0 means any
// conversation). The broker fans events out to this process's open event
// streams. With Options.Events set (several replicas on PostgreSQL), the
// console also sends its events to the other replicas through a relay and
// feeds theirs into its broker. A console delivers its own events to its
// own pages directly, never through the bus (the bus skips a replica's
// own events), so each page gets each event exactly once, and a single
// replica's pages stay live while the bus reconnects.

// publish delivers ev to this console's pages and, through the bus, to
// the other replicas'. It never blocks.
func (c *Console) publish(ev string) {
	c.events.publish(ev)
	if c.relay != nil {
		c.relay.add(ev)
	}
}

// conversationChanged tells pages open on conversation id that its
// transcript changed.
func (c *Console) conversationChanged(id int64) {
	c.publish(fmt.Sprintf("conversation:%d", id))
}

// receive feeds an event from another replica to this console's pages.
// Anything but a well-formed event is dropped: the event name goes into
// the event stream as is. After the bus reconnected (bot.EventResync),
// events may have been lost, so every page refreshes: the queue reloads
// its list, a conversation page its transcript.
func (c *Console) receive(ev string) {
	if ev == bot.EventResync {
		c.events.publish("queue")
		c.events.publish("conversation:0")
		return
	}
	if !validEvent(ev) {
		c.log.Warn("console events: dropped a malformed event from another replica")
		return
	}
	c.events.publish(ev)
}

// validEvent tells whether ev is "queue" or "conversation:<id>".
func validEvent(ev string) bool {
	name, id, found := strings.Cut(ev, ":")
	switch {
	case name == "queue":
		return !found
	case name == "conversation":
		n, err := strconv.ParseInt(id, 10, 64)
		return err == nil && n >= 0 && strconv.FormatInt(n, 10) == id
	}
	return false
}

// startBus connects the console to the bus: one goroutine listens for the
// other replicas' events, one publishes this console's. Close stops both.
func (c *Console) startBus(events bot.Events) {
	ctx, cancel := context.WithCancel(context.Background())
	c.stopBus = cancel
	c.relay = &relay{events: events, log: c.log, wake: make(chan struct{}, 1)}
	c.busDone.Add(2)
	go func() {
		defer c.busDone.Done()
		if err := events.Listen(ctx, c.receive); err != nil {
			c.log.Error("console events: listener stopped; other replicas' updates will not show live", "err", err)
		}
	}()
	go func() {
		defer c.busDone.Done()
		c.relay.run(ctx)
	}()
}

// maxPending bounds the events waiting to be published while the database
// is slow or away.
const maxPending = 256

// relay publishes events on the bus in the background, in order; an event
// already waiting is not queued twice (an event says "something changed",
// once is enough).
type relay struct {
	events  bot.Events
	log     *slog.Logger
	mu      sync.Mutex
	pending []string
	wake    chan struct{} // capacity 1
}

// add queues ev for publishing; it never blocks.
func (r *relay) add(ev string) {
	r.mu.Lock()
	switch {
	case slices.Contains(r.pending, ev):
	case len(r.pending) >= maxPending:
		r.log.Warn("console events: too many events waiting, one dropped")
	default:
		r.pending = append(r.pending, ev)
	}
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// run publishes queued events until ctx ends.
func (r *relay) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-r.wake:
		}
		r.mu.Lock()
		batch := r.pending
		r.pending = nil
		r.mu.Unlock()
		if len(batch) == 0 {
			continue
		}
		pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err := r.events.Publish(pctx, batch...)
		cancel()
		if err != nil && ctx.Err() == nil {
			r.log.Warn("console events: publish failed; other replicas miss these updates", "err", err, "events", len(batch))
		}
	}
}

// broker fans events out to the open event streams of this process.
type broker struct {
	mu     sync.Mutex
	subs   map[chan string]struct{}
	done   chan struct{}
	closed bool
}

func newBroker() *broker {
	return &broker{subs: map[chan string]struct{}{}, done: make(chan struct{})}
}

func (b *broker) subscribe() chan string {
	b.mu.Lock()
	defer b.mu.Unlock()
	ch := make(chan string, 4)
	b.subs[ch] = struct{}{}
	return ch
}

func (b *broker) unsubscribe(ch chan string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.subs, ch)
}

func (b *broker) publish(ev string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for ch := range b.subs {
		select {
		case ch <- ev:
		default: // a slow stream gets the next one
		}
	}
}

func (b *broker) close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.closed {
		b.closed = true
		close(b.done)
	}
}
