package postgres

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestLead: of two replicas, one leads at a time; when the leader stops,
// or its connection is cut, the other takes over.
func TestLead(t *testing.T) {
	url := freshSchema(t)
	a, b := openAt(t, url, testKeys(t, "k")), openAt(t, url, testKeys(t, "k"))
	var (
		leaders, most atomic.Int32
		mu            sync.Mutex
		who           []string
	)
	run := func(name string) func(ctx context.Context) {
		return func(ctx context.Context) {
			n := leaders.Add(1)
			for {
				m := most.Load()
				if n <= m || most.CompareAndSwap(m, n) {
					break
				}
			}
			mu.Lock()
			who = append(who, name)
			mu.Unlock()
			<-ctx.Done()
			leaders.Add(-1)
		}
	}
	ctxA, stopA := context.WithCancel(t.Context())
	ctxB, stopB := context.WithCancel(t.Context())
	defer stopB()
	var wg sync.WaitGroup
	wg.Go(func() { a.Lead(ctxA, "telegram-poll", 20*time.Millisecond, run("a")) })
	wg.Go(func() { b.Lead(ctxB, "telegram-poll", 20*time.Millisecond, run("b")) })
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s (leaders so far %q)", what, who)
			}
		}
	}
	count := func() int { mu.Lock(); defer mu.Unlock(); return len(who) }
	waitFor("a first leader", func() bool { return count() == 1 })
	time.Sleep(100 * time.Millisecond)
	if count() != 1 {
		t.Fatalf("leaders %q while the first still leads", who)
	}
	first := who[0]
	if most.Load() != 1 {
		t.Fatalf("%d replicas led at once", most.Load())
	}
	// Cut the leader's connection: the other replica takes over. The old
	// leader learns it at its next check (retry), so both may run for
	// that long: the overlap is not counted.
	if _, err := a.pool.Exec(t.Context(), `SELECT pg_terminate_backend(pid) FROM pg_locks
		WHERE locktype = 'advisory' AND granted AND objid = ($1::bigint & 4294967295)::oid`, lockKey("telegram-poll")); err != nil {
		t.Fatal(err)
	}
	waitFor("a second leader", func() bool { return count() >= 2 })
	mu.Lock()
	second := who[1]
	mu.Unlock()
	waitFor("the old leader to stop", func() bool { return leaders.Load() == 1 })
	most.Store(1)
	// Stop whoever leads now: the other takes over again, never both.
	if second == "a" {
		stopA()
	} else {
		stopB()
	}
	waitFor("a third leader", func() bool { return count() >= 3 })
	stopA()
	stopB()
	wg.Wait()
	if most.Load() != 1 {
		t.Errorf("%d replicas led at once", most.Load())
	}
	t.Logf("leaders in turn: %q (first %s)", who, first)
}
