package bot

import (
	"context"
	"sync"
	"time"
)

// sentLog records the sends that ended together in one write
// (Store.MarkSentBatch), the way a database commits a group: the first
// send to end writes its record at once; those that end while that write
// is under way are written together next. Each caller waits until its own
// record is written, so a send is recorded before its slot is given back,
// as with one write each, at a fraction of the writes under load.
type sentLog struct {
	store Store

	mu      sync.Mutex
	writing bool
	pending []Sent
	waiters []chan error
}

// record adds s to the next write and waits for it. The write is not
// bound to ctx: the provider has the message, so its record must land
// even when the send's context ends meanwhile (it gets 10 s).
func (l *sentLog) record(s Sent) error {
	done := make(chan error, 1)
	l.mu.Lock()
	l.pending = append(l.pending, s)
	l.waiters = append(l.waiters, done)
	if !l.writing {
		l.writing = true
		go l.write()
	}
	l.mu.Unlock()
	return <-done
}

// write writes what is pending, again and again, until nothing is.
func (l *sentLog) write() {
	for {
		l.mu.Lock()
		batch, waiters := l.pending, l.waiters
		l.pending, l.waiters = nil, nil
		if len(batch) == 0 {
			l.writing = false
			l.mu.Unlock()
			return
		}
		l.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := l.store.MarkSentBatch(ctx, batch)
		cancel()
		for _, w := range waiters {
			w <- err
		}
	}
}
