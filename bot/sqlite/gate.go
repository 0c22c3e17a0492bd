package sqlite

import (
	"context"
	"database/sql"
	"sync"
)

// gate lets one goroutine at a time use the writer connection, in the
// order they arrived, the outbox worker's writes before the others.
//
// Without it, database/sql hands the freed connection to a waiter picked
// at random: under load, with dozens of webhooks waiting, a reply's "mark
// sent" could wait behind most of them (replies then starved while
// messages kept coming), and an unlucky webhook waited far longer than
// its turn (the latency's long tail). With the gate, a webhook waits for
// those ahead of it only, and the worker for the write under way.
type gate struct {
	mu      sync.Mutex
	busy    bool
	first   []chan struct{} // the outbox worker's waiters
	waiting []chan struct{} // everyone else's
}

// enter waits for the writer; high puts the caller ahead of the ordinary
// waiters. It returns ctx's error, not holding the gate, when ctx ends
// first.
func (g *gate) enter(ctx context.Context, high bool) error {
	g.mu.Lock()
	if !g.busy {
		g.busy = true
		g.mu.Unlock()
		return nil
	}
	ch := make(chan struct{})
	if high {
		g.first = append(g.first, ch)
	} else {
		g.waiting = append(g.waiting, ch)
	}
	g.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
	}
	g.mu.Lock()
	removed := remove(&g.first, ch) || remove(&g.waiting, ch)
	g.mu.Unlock()
	if !removed { // handed the gate as ctx ended: pass it on
		g.leave()
	}
	return ctx.Err()
}

// leave hands the writer to the next waiter, or frees it.
func (g *gate) leave() {
	g.mu.Lock()
	var next chan struct{}
	switch {
	case len(g.first) > 0:
		next, g.first = g.first[0], g.first[1:]
	case len(g.waiting) > 0:
		next, g.waiting = g.waiting[0], g.waiting[1:]
	default:
		g.busy = false
	}
	g.mu.Unlock()
	if next != nil {
		close(next)
	}
}

// remove deletes ch from q, reporting whether it was there.
func remove(q *[]chan struct{}, ch chan struct{}) bool {
	for i, c := range *q {
		if c == ch {
			*q = append((*q)[:i], (*q)[i+1:]...)
			return true
		}
	}
	return false
}

// exec runs one statement on the writer, through the gate; worker says
// whether it is the outbox worker's (see gate).
func (s *Store) exec(ctx context.Context, worker bool, query string, args ...any) (sql.Result, error) {
	if err := s.gate.enter(ctx, worker); err != nil {
		return nil, err
	}
	defer s.gate.leave()
	return s.w.ExecContext(ctx, query, args...)
}
