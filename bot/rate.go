package bot

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Rate is a send rate as the generic cell rate algorithm (GCRA) keeps it:
// one send every Every on average, and up to Burst at once after a quiet
// spell. Over any window of length W at most Burst + W/Every sends go.
type Rate struct {
	Every time.Duration
	Burst int
}

// PerSecond is the rate of n sends a second with the given burst (at
// least 1).
func PerSecond(n float64, burst int) Rate {
	if n <= 0 {
		return Rate{}
	}
	return Rate{Every: time.Duration(float64(time.Second) / n), Burst: max(burst, 1)}
}

// Check tells whether r can book n sends at once.
func (r Rate) Check(n int) error {
	switch {
	case r.Every <= 0:
		return errors.New("rate: no interval")
	case r.Burst < 1:
		return errors.New("rate: burst below 1")
	case n < 1 || n > r.Burst:
		return fmt.Errorf("rate: %d sends at once, burst is %d", n, r.Burst)
	}
	return nil
}

// Micros are the rate's interval and tolerance (Burst intervals) in
// microseconds, the unit the stores keep the theoretical arrival time in;
// the interval is at least 1µs.
func (r Rate) Micros() (every, tolerance int64) {
	every = max(r.Every.Microseconds(), 1)
	return every, every * int64(r.Burst)
}

// Reserved turns the theoretical arrival time a store booked (tat, unix
// microseconds) into how long after now the sends may go.
func (r Rate) Reserved(tat int64, now time.Time) time.Duration {
	_, tol := r.Micros()
	return max(time.Duration(tat-tol-now.UnixMicro())*time.Microsecond, 0)
}

// StorePacer paces one provider's API calls at Rate for every replica
// sharing Store (Store.ReserveSends): the channels' Pacer. Key names the
// provider account or sender the rate is counted for; the channel gives it.
type StorePacer struct {
	Store Store
	Rate  Rate
	Clock func() time.Time // default time.Now
}

// Reserve books one call under key and returns how long to wait before
// making it. When that is longer than maxWait nothing is booked, ok is false
// and wait is how long until a call could be booked.
func (p StorePacer) Reserve(ctx context.Context, key string, maxWait time.Duration) (wait time.Duration, ok bool, err error) {
	now := time.Now()
	if p.Clock != nil {
		now = p.Clock()
	}
	return p.Store.ReserveSends(ctx, key, 1, p.Rate, now, maxWait)
}
