package postgres

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/passerelle-org/passerelle/bot"
)

// BenchmarkReserveSends measures the shared limiter's cost per send: one
// key (one bot), reservations from 4 x GOMAXPROCS goroutines on two
// replicas, at a rate high enough never to make them wait.
func BenchmarkReserveSends(b *testing.B) {
	url := freshSchema(b)
	replicas := []*Store{openAt(b, url, testKeys(b, "k")), openAt(b, url, testKeys(b, "k"))}
	r := bot.PerSecond(1e6, 1)
	b.SetParallelism(4)
	var n atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		s := replicas[n.Add(1)%2]
		for pb.Next() {
			if _, _, err := s.ReserveSends(b.Context(), "telegram:1", 1, r, time.Now(), time.Hour); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
