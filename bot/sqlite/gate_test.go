package sqlite

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// TestGateOrder checks that waiters get the writer in arrival order, the
// worker's first, and that a waiter whose context ends leaves the queue
// without blocking the others.
func TestGateOrder(t *testing.T) {
	var g gate
	ctx := context.Background()
	if err := g.enter(ctx, false); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var order []string
	var wg sync.WaitGroup
	queued := func(n int) { // wait until n goroutines are queued
		for {
			g.mu.Lock()
			k := len(g.first) + len(g.waiting)
			g.mu.Unlock()
			if k >= n {
				return
			}
			time.Sleep(time.Millisecond)
		}
	}
	wait := func(name string, high bool) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := g.enter(ctx, high); err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			order = append(order, name)
			mu.Unlock()
			g.leave()
		}()
	}
	wait("hook1", false)
	queued(1)
	wait("hook2", false)
	queued(2)
	cctx, cancel := context.WithCancel(ctx)
	gaveUp := make(chan error)
	go func() { gaveUp <- g.enter(cctx, false) }()
	queued(3)
	wait("worker1", true)
	queued(4)
	wait("hook3", false)
	queued(5)
	wait("worker2", true)
	queued(6)
	cancel()
	if err := <-gaveUp; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled waiter: %v", err)
	}
	g.leave()
	wg.Wait()
	want := []string{"worker1", "worker2", "hook1", "hook2", "hook3"}
	if len(order) != len(want) {
		t.Fatalf("order %v, want %v", order, want)
	}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("order %v, want %v", order, want)
		}
	}
	if g.busy {
		t.Error("gate still busy with nobody in it")
	}
}
