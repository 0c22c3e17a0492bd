package outboxtest

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/passerelle-org/passerelle/bot"
)

// BenchmarkDeliver measures replies a second from a queued outbox to the
// provider doubles: the real Worker claims, sends through the real
// Telegram and Twilio senders over HTTP on loopback, and records each
// result. Each iteration queues 2000 replies (1000 people, half on
// Telegram, half on SMS, two replies each) with the clock stopped, then
// times their delivery. It reports replies/s, by store and Concurrency
// (16 is the serve default), with the doubles answering at once
// (latency=0) or after 20ms as a distant provider would.
func BenchmarkDeliver(b *testing.B) {
	for _, name := range []string{"sqlite", "postgres"} {
		open, ok := stores(b)[name]
		if !ok {
			continue
		}
		b.Run(name, func(b *testing.B) {
			for _, latency := range []time.Duration{0, 20 * time.Millisecond} {
				for _, conc := range []int{1, 16, 64} {
					if latency > 0 && conc == 1 {
						continue // 50 a second at best: too slow to measure usefully
					}
					b.Run(fmt.Sprintf("latency=%v/concurrency=%d", latency, conc), func(b *testing.B) {
						benchDeliver(b, open(b), conc, latency)
					})
				}
			}
		})
	}
}

func benchDeliver(b *testing.B, s bot.Store, concurrency int, latency time.Duration) {
	const contacts, perPerson = 500, 2
	d := newDoubles(b, 10*time.Second)
	d.tg.Delay(latency)
	d.tw.Delay(latency)
	var sent, target atomic.Int64
	all := make(chan struct{}, 1)
	w := &bot.Worker{Store: s, Senders: d.senders(), Concurrency: concurrency, Idle: 10 * time.Millisecond,
		OnSend: func(o bot.Outbound, err error) {
			if err != nil {
				b.Errorf("send: %v", err)
			}
			if sent.Add(1) == target.Load() {
				all <- struct{}{}
			}
		}}
	var (
		elapsed time.Duration
		total   int64
		i       int
	)
	for b.Loop() {
		// Queue with no worker running, then time the delivery only.
		b.StopTimer()
		seed(b, s, contacts, perPerson, fmt.Sprint("bench", i))
		i++
		total += 2 * contacts * perPerson
		target.Store(total)
		b.StartTimer()
		start := time.Now()
		ctx, stop := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- w.Run(ctx) }()
		<-all
		elapsed += time.Since(start)
		stop()
		<-done
	}
	b.ReportMetric(float64(total)/elapsed.Seconds(), "replies/s")
	b.ReportMetric(0, "ns/op")
}
