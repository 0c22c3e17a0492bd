package storetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/passerelle-org/passerelle/bot"
)

// testReserveSends: the GCRA of Store.ReserveSends on one store, on a
// clock the test sets. A burst goes at once, the next send waits one
// interval, a wait longer than allowed books nothing, a quiet spell gives
// the burst back, and keys are counted apart.
func testReserveSends(t *testing.T, f *fixture) {
	r := bot.Rate{Every: 100 * time.Millisecond, Burst: 3}
	t0 := f.base
	reserve := func(key string, n int, now time.Time, max time.Duration) (time.Duration, bool) {
		t.Helper()
		wait, ok, err := f.s.ReserveSends(f.ctx, key, n, r, now, max)
		if err != nil {
			t.Fatalf("ReserveSends(%s, %d): %v", key, n, err)
		}
		return wait, ok
	}
	for i := range 3 {
		if wait, ok := reserve("telegram:1", 1, t0, time.Second); !ok || wait != 0 {
			t.Errorf("send %d of the burst: wait %v, ok %v; want at once", i+1, wait, ok)
		}
	}
	if wait, ok := reserve("telegram:1", 1, t0, time.Second); !ok || wait != 100*time.Millisecond {
		t.Errorf("4th send: wait %v, ok %v; want 100ms", wait, ok)
	}
	// The 5th would wait 200ms: refused under a 150ms limit, and not booked.
	if wait, ok := reserve("telegram:1", 1, t0, 150*time.Millisecond); ok || wait != 200*time.Millisecond {
		t.Errorf("5th send with max 150ms: wait %v, ok %v; want refused, 200ms", wait, ok)
	}
	if wait, ok := reserve("telegram:1", 1, t0, time.Second); !ok || wait != 200*time.Millisecond {
		t.Errorf("5th send again: wait %v, ok %v; want 200ms (the refusal booked nothing)", wait, ok)
	}
	// Another key has its own rate.
	if wait, ok := reserve("twilio:+33639980001", 2, t0, 0); !ok || wait != 0 {
		t.Errorf("other key: wait %v, ok %v; want at once", wait, ok)
	}
	// Time passes: after a quiet spell the whole burst is back, at once.
	later := t0.Add(10 * time.Second)
	if wait, ok := reserve("telegram:1", 3, later, 0); !ok || wait != 0 {
		t.Errorf("burst of 3 after 10s: wait %v, ok %v; want at once", wait, ok)
	}
	if wait, ok := reserve("telegram:1", 1, later, time.Second); !ok || wait != 100*time.Millisecond {
		t.Errorf("after that burst: wait %v, ok %v; want 100ms", wait, ok)
	}
	if _, _, err := f.s.ReserveSends(f.ctx, "telegram:1", 4, r, later, time.Second); err == nil {
		t.Error("4 sends at once with a burst of 3: want an error")
	}
	// Purge drops the slots whose time is past (they are full again, so
	// nothing changes) and keeps the others: a slot booked far ahead
	// still holds back the next send after a purge.
	ahead := later.Add(time.Hour)
	if _, ok := reserve("login:ahead", 3, ahead, 0); !ok {
		t.Fatal("burst on a new key refused")
	}
	if _, err := f.s.Purge(f.ctx, later.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if wait, ok := reserve("login:ahead", 1, ahead, 0); ok || wait != 100*time.Millisecond {
		t.Errorf("slot booked ahead, after a purge: wait %v, ok %v; want refused, 100ms (its slot kept)", wait, ok)
	}
	if wait, ok := reserve("telegram:1", 3, later.Add(time.Minute), 0); !ok || wait != 0 {
		t.Errorf("purged slot: wait %v, ok %v; want the whole burst at once", wait, ok)
	}
}

// RunSharedRate checks that replicas share one rate: a and b are two
// Stores on the same database (two replicas), each reserving from several
// goroutines at once on the real clock. Taking each send's time as the
// moment its reservation said it may go, no window of any length W holds
// more than Burst + W/Every sends, so lost or double-booked reservations
// fail the test.
func RunSharedRate(t *testing.T, a, b bot.Store) {
	const perWorker, workers = 60, 4
	r := bot.Rate{Every: time.Millisecond, Burst: 5}
	key := fmt.Sprintf("shared:%d", time.Now().UnixNano())
	var (
		mu    sync.Mutex
		at    []time.Time
		local = map[string]int{}
		wg    sync.WaitGroup
	)
	for name, s := range map[string]bot.Store{"a": a, "b": b} {
		for w := range workers {
			wg.Go(func() {
				for range perWorker {
					now := time.Now()
					wait, ok, err := s.ReserveSends(t.Context(), key, 1, r, now, time.Hour)
					if err != nil || !ok {
						t.Errorf("replica %s worker %d: ok %v, %v", name, w, ok, err)
						return
					}
					mu.Lock()
					at = append(at, now.Add(wait))
					local[name]++
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	if local["a"] == 0 || local["b"] == 0 {
		t.Fatalf("reservations per replica %v: want both", local)
	}
	slices.SortFunc(at, func(x, y time.Time) int { return x.Compare(y) })
	// A microsecond of slack: stores keep times to the microsecond.
	for _, w := range []time.Duration{r.Every, 10 * r.Every, 50 * r.Every, at[len(at)-1].Sub(at[0]) + r.Every} {
		limit := r.Burst + int(w/r.Every)
		for i := range at {
			end := at[i].Add(w - 2*time.Microsecond)
			n := 0
			for j := i; j < len(at) && !at[j].After(end); j++ {
				n++
			}
			if n > limit {
				t.Fatalf("%d sends within %v from send %d, want at most %d (burst %d + %v / %v)",
					n, w, i, limit, r.Burst, w, r.Every)
			}
		}
	}
	if span, want := at[len(at)-1].Sub(at[0]), time.Duration(len(at)-r.Burst-1)*r.Every; span < want {
		t.Errorf("%d sends spread over %v, want at least %v", len(at), span, want)
	}
}
