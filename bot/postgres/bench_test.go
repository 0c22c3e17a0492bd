package postgres

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/passerelle-org/passerelle/bot"
)

// turn is one inbound message as the engine handles it: record, save the
// conversation, add the bot's answer, enqueue the reply, in one InTx.
func turn(b *testing.B, s *Store, n int64) time.Duration {
	ctx := b.Context()
	start := time.Now()
	err := s.InTx(ctx, func(tx bot.Tx) error {
		c, conv, err := tx.RecordInbound(ctx, bot.Inbound{
			Channel: bot.ChannelTelegram, Address: fmt.Sprintf("7%08d", n%1000), ProviderID: fmt.Sprint(n),
			Text: "Bonjour, je voudrais savoir comment obtenir l'aide au retour volontaire pour ma famille.",
		})
		if err != nil {
			return err
		}
		conv.Lang = "fr"
		conv.State = bot.State{Flow: "return", Step: "family", LastTopic: "aide-retour",
			Options: []bot.Option{{Label: "Plus", Payload: "more"}, {Label: "Menu", Payload: "menu"}}}
		if err := tx.SaveConversation(ctx, conv); err != nil {
			return err
		}
		answer := "L'aide au retour volontaire de l'OFII comprend le billet, une aide financière et un suivi."
		if _, err := tx.AddMessage(ctx, bot.Message{ConversationID: conv.ID, Direction: bot.FromBot, Text: answer, Topic: "aide-retour"}); err != nil {
			return err
		}
		_, err = tx.Enqueue(ctx, bot.Outbound{ContactID: c.ID, ConversationID: conv.ID, Lang: "fr", Text: answer, Options: conv.State.Options})
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return time.Since(start)
}

// reportLatency reports the median and 99th percentile in microseconds.
func reportLatency(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	at := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Nanoseconds()) / 1e3
	}
	b.ReportMetric(at(0.50), "p50-µs")
	b.ReportMetric(at(0.99), "p99-µs")
}

// BenchmarkRecordInbound measures one engine turn, one at a time, over
// 1000 contacts.
func BenchmarkRecordInbound(b *testing.B) {
	s := openAt(b, freshSchema(b), testKeys(b, "k"))
	var lat []time.Duration
	var n int64
	for b.Loop() {
		n++
		lat = append(lat, turn(b, s, n))
	}
	reportLatency(b, lat)
}

// BenchmarkRecordInboundParallel is BenchmarkRecordInbound from 4 x
// GOMAXPROCS goroutines: transactions on different contacts run side by
// side, those on one contact wait for each other's commit (row lock).
func BenchmarkRecordInboundParallel(b *testing.B) {
	s := openAt(b, freshSchema(b), testKeys(b, "k"))
	var (
		n   atomic.Int64
		mu  sync.Mutex
		all []time.Duration
	)
	b.SetParallelism(4)
	b.RunParallel(func(pb *testing.PB) {
		var lat []time.Duration
		for pb.Next() {
			lat = append(lat, turn(b, s, n.Add(1)))
		}
		mu.Lock()
		all = append(all, lat...)
		mu.Unlock()
	})
	reportLatency(b, all)
}

// BenchmarkClaimOutbox measures claiming and marking sent ten replies from
// an outbox of a thousand contacts.
func BenchmarkClaimOutbox(b *testing.B) {
	s := openAt(b, freshSchema(b), testKeys(b, "k"))
	var next int64
	fill := func() {
		for range 2000 {
			turn(b, s, next)
			next++
		}
	}
	fill()
	var lat []time.Duration
	for b.Loop() {
		start := time.Now()
		now := start
		got, err := s.ClaimOutbox(b.Context(), now, 10, time.Minute)
		if err != nil {
			b.Fatal(err)
		}
		for _, o := range got {
			if err := s.MarkSent(b.Context(), o.ID, "p", now); err != nil {
				b.Fatal(err)
			}
		}
		lat = append(lat, time.Since(start))
		if len(got) == 0 {
			b.StopTimer()
			fill()
			b.StartTimer()
		}
	}
	reportLatency(b, lat)
}
