package bot

import (
	"context"
	"sync"
	"time"
)

// BlockPacer paces one provider's API calls at Rate for every replica
// sharing Store, like StorePacer, but books Block calls at a time: one
// database round trip buys Block consecutive slots, which this process
// then hands out one interval apart. At 30 messages a second a block is 3
// slots (100 ms); under load it saves most of the bookings, each a round
// trip and a row update every replica waits on.
//
// Together the replicas still keep Rate: a block takes Block intervals of
// the shared schedule, and a slot is used in its own interval or not at
// all (a slot whose time has passed is dropped, so a quiet process never
// sends a backlog of old slots at once). What a block costs is the slots
// left unused when sending stops: at most Block-1, for Block intervals.
type BlockPacer struct {
	Store Store
	Rate  Rate // Burst is 1 here: the slots of a block are spread
	Block int  // slots booked at once (1 = one booking per call)
	Clock func() time.Time

	mu   sync.Mutex
	keys map[string]*slots
}

// slots are the booked slots of one key not used yet: left of them, the
// next at next, the others one interval apart. booking is closed when a
// booking under way ends: one goroutine books for all, the others wait
// for its block (16 senders booking a block each would waste 15).
type slots struct {
	next    time.Time
	left    int
	booking chan struct{}
}

// NewBlockPacer returns the pacer of perSecond calls a second over s,
// booking a tenth of a second's worth of slots at a time.
func NewBlockPacer(s Store, perSecond float64, clock func() time.Time) *BlockPacer {
	return &BlockPacer{Store: s, Rate: PerSecond(perSecond, 1), Block: max(1, int(perSecond/10)), Clock: clock}
}

func (p *BlockPacer) now() time.Time {
	if p.Clock != nil {
		return p.Clock()
	}
	return time.Now()
}

// Reserve takes the next slot for key and returns how long to wait before
// the call. When that is longer than maxWait nothing is taken, ok is
// false and wait is how long until a slot could be had.
func (p *BlockPacer) Reserve(ctx context.Context, key string, maxWait time.Duration) (time.Duration, bool, error) {
	every, block := p.Rate.Every, max(p.Block, 1)
	for {
		now := p.now()
		p.mu.Lock()
		if p.keys == nil {
			p.keys = map[string]*slots{}
		}
		s := p.keys[key]
		if s == nil {
			s = &slots{}
			p.keys[key] = s
		}
		if wait, ok := s.take(now, every, maxWait); ok {
			p.mu.Unlock()
			return wait, true, nil
		}
		if ch := s.booking; ch != nil { // another goroutine is booking
			p.mu.Unlock()
			select {
			case <-ch:
				continue
			case <-ctx.Done():
				return 0, false, ctx.Err()
			}
		}
		ch := make(chan struct{})
		s.booking = ch
		p.mu.Unlock()
		wait, ok, err := p.Store.ReserveSends(ctx, key, 1, Rate{Every: every * time.Duration(block), Burst: 1}, now, maxWait)
		p.mu.Lock()
		if err == nil && ok {
			// This call takes the block's first slot; the others follow.
			s.next, s.left = now.Add(wait+every), block-1
		}
		s.booking = nil
		close(ch)
		p.mu.Unlock()
		return wait, ok, err
	}
}

// take takes a slot booked earlier, when one is left that is not past
// and comes within maxWait. The caller holds the pacer's lock.
func (s *slots) take(now time.Time, every, maxWait time.Duration) (time.Duration, bool) {
	for s.left > 0 && !s.next.Add(every).After(now) { // its interval is over
		s.next = s.next.Add(every)
		s.left--
	}
	if s.left == 0 {
		return 0, false
	}
	wait := max(s.next.Sub(now), 0)
	if wait > maxWait {
		return 0, false
	}
	s.next = s.next.Add(every)
	s.left--
	return wait, true
}
