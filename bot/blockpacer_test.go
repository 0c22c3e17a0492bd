package bot_test

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/passerelle-org/passerelle/bot"
	"github.com/passerelle-org/passerelle/bot/sqlite"
)

// TestBlockPacerSharedRate: two pacers (two replicas) on one store, three
// goroutines each, book 600 calls at 1,000 a second in blocks of 100.
// Taking each call's time as the moment its reservation said it may go,
// no window holds more than its share of the rate plus one block, and
// the last call cannot go before (600 - 2 blocks) intervals: two pacers
// pacing only themselves would finish in half that.
func TestBlockPacerSharedRate(t *testing.T) {
	s := pacerStore(t)
	const perSecond, perWorker = 1000, 100
	every := time.Second / perSecond
	pacers := []*bot.BlockPacer{bot.NewBlockPacer(s, perSecond, nil), bot.NewBlockPacer(s, perSecond, nil)}
	block := pacers[0].Block
	if block != 100 {
		t.Fatalf("block %d, want 100 (a tenth of a second)", block)
	}
	var (
		mu sync.Mutex
		at []time.Time
		wg sync.WaitGroup
	)
	start := time.Now()
	for _, p := range pacers {
		for range 3 {
			wg.Go(func() {
				for range perWorker {
					now := time.Now()
					wait, ok, err := p.Reserve(context.Background(), "telegram:shared", time.Minute)
					if err != nil || !ok {
						t.Errorf("Reserve: %v %v", ok, err)
						return
					}
					mu.Lock()
					at = append(at, now.Add(wait))
					mu.Unlock()
					time.Sleep(wait)
				}
			})
		}
	}
	wg.Wait()
	slices.SortFunc(at, func(a, b time.Time) int { return a.Compare(b) })
	n := len(at)
	if n != 2*3*perWorker {
		t.Fatalf("%d calls booked, want %d", n, 2*3*perWorker)
	}
	if span, least := at[n-1].Sub(start), time.Duration(n-2*block)*every; span < least {
		t.Errorf("last call may go %v after the start, want at least %v: the pacers did not share the rate", span, least)
	}
	for _, w := range []time.Duration{10 * time.Millisecond, 50 * time.Millisecond, 200 * time.Millisecond} {
		most := int(w/every) + block + 1
		for i, j := 0, 0; i < n; i++ {
			for at[i].Sub(at[j]) >= w {
				j++
			}
			if i-j+1 > most {
				t.Fatalf("%d calls within %v (from %v), want at most %d", i-j+1, w, at[j].Sub(start), most)
			}
		}
	}
}

// TestBlockPacerDropsPastSlots: slots of a block whose time has passed
// are not used late; a quiet spell then books a new block.
func TestBlockPacerDropsPastSlots(t *testing.T) {
	s := pacerStore(t)
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	p := bot.NewBlockPacer(s, 30, func() time.Time { return now })
	if p.Block != 3 {
		t.Fatalf("block %d at 30/s, want 3", p.Block)
	}
	reserve := func() time.Duration {
		t.Helper()
		wait, ok, err := p.Reserve(context.Background(), "k", time.Minute)
		if err != nil || !ok {
			t.Fatalf("Reserve: %v %v", ok, err)
		}
		return wait
	}
	every := time.Second / 30
	// A block of 3: the first at once, the others one interval apart.
	for i, want := range []time.Duration{0, every, 2 * every} {
		if got := reserve(); got != want {
			t.Errorf("slot %d: wait %v, want %v", i, got, want)
		}
	}
	// The next block starts where the first ends (the store keeps
	// microseconds).
	if got := reserve(); got < 3*every-time.Microsecond || got > 3*every {
		t.Errorf("first slot of the second block: wait %v, want %v", got, 3*every)
	}
	// A second later the block's two other slots are past: a new block,
	// at once.
	now = now.Add(time.Second)
	if got := reserve(); got != 0 {
		t.Errorf("after a quiet second: wait %v, want 0 (a new block, old slots dropped)", got)
	}
}

// countingStore counts the bookings a pacer makes on a real store.
type countingStore struct {
	bot.Store
	mu       sync.Mutex
	bookings int
}

func (c *countingStore) ReserveSends(ctx context.Context, key string, n int, r bot.Rate, now time.Time, maxWait time.Duration) (time.Duration, bool, error) {
	c.mu.Lock()
	c.bookings++
	c.mu.Unlock()
	return c.Store.ReserveSends(ctx, key, n, r, now, maxWait)
}

// TestBlockPacerBooksOnceForAll: sixteen senders at once share the block
// one of them booked, instead of each booking (and wasting) one.
func TestBlockPacerBooksOnceForAll(t *testing.T) {
	s := pacerStore(t)
	cs := &countingStore{Store: s}
	p := bot.NewBlockPacer(cs, 1000, nil) // blocks of 100
	const senders, each = 16, 40
	var wg sync.WaitGroup
	for range senders {
		wg.Go(func() {
			for range each {
				wait, ok, err := p.Reserve(context.Background(), "twilio:+33600000000", time.Minute)
				if err != nil || !ok {
					t.Errorf("Reserve: %v %v", ok, err)
					return
				}
				time.Sleep(wait)
			}
		})
	}
	wg.Wait()
	// 640 calls need 7 blocks; slots that pass unused (a sender late to
	// its slot) cost a few more. A block per sender per round would be
	// well over a hundred.
	if cs.bookings > 20 {
		t.Errorf("%d bookings for %d calls in blocks of %d: the senders did not share their blocks", cs.bookings, senders*each, p.Block)
	}
	t.Logf("%d bookings for %d calls", cs.bookings, senders*each)
}

// pacerStore is a new SQLite store, closed when the test ends.
func pacerStore(t *testing.T) bot.Store {
	t.Helper()
	keys, err := bot.NewKeyring(bytes.Repeat([]byte("k"), 32))
	if err != nil {
		t.Fatal(err)
	}
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "p.db"), keys, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
