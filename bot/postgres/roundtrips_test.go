package postgres

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/passerelle-org/passerelle/bot"
)

// tripCounter counts client-server round trips: each Query, QueryRow and
// Exec (BEGIN and COMMIT included) is one, and so is each pipelined batch.
// Preparing a statement the first time it is used is not counted: that
// happens once per connection, not per message.
type tripCounter struct{ n atomic.Int64 }

func (c *tripCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.n.Add(1)
	return ctx
}

func (c *tripCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (c *tripCounter) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	c.n.Add(1)
	return ctx
}

func (c *tripCounter) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}
func (c *tripCounter) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData)     {}

// openCounting opens a store on a fresh schema whose round trips c counts.
func openCounting(t testing.TB, c *tripCounter) *Store {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(freshSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = defaultMaxConns
	cfg.ConnConfig.Tracer = c
	s, err := open(context.Background(), cfg, testKeys(t, "k"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// engineTurn is one inbound message as bot.Engine handles it: record it,
// look for an open handoff, reply twice, save the conversation, in one
// InTx.
func engineTurn(ctx context.Context, s *Store, n int64) error {
	return s.InTx(ctx, func(tx bot.Tx) error {
		c, conv, err := tx.RecordInbound(ctx, bot.Inbound{
			Channel: bot.ChannelTelegram, Address: fmt.Sprintf("7%08d", n%1000), ProviderID: fmt.Sprint(n),
			Text: "Bonjour, je voudrais savoir comment obtenir l'aide au retour volontaire pour ma famille.",
		})
		if err != nil {
			return err
		}
		if _, err := tx.OpenHandoff(ctx, conv.ID); err == nil {
			return nil
		}
		conv.Lang = "fr"
		conv.State = bot.State{Flow: "return", Step: "family", LastTopic: "aide-retour",
			Options: []bot.Option{{Label: "Plus", Payload: "more"}, {Label: "Menu", Payload: "menu"}}}
		for _, answer := range []string{
			"L'aide au retour volontaire de l'OFII comprend le billet, une aide financière et un suivi.",
			"Voulez-vous en savoir plus ?",
		} {
			err := tx.Reply(ctx, bot.Message{ConversationID: conv.ID, Direction: bot.FromBot, Text: answer, Topic: "aide-retour"},
				bot.Outbound{ContactID: c.ID, ConversationID: conv.ID, Channel: bot.ChannelTelegram, Lang: "fr",
					Text: answer, Options: conv.State.Options})
			if err != nil {
				return err
			}
		}
		return tx.SaveConversation(ctx, conv)
	})
}

// TestRoundTrips pins how many round trips the hot paths cost once the
// statements are prepared, so a change that adds one is noticed.
func TestRoundTrips(t *testing.T) {
	var c tripCounter
	s := openCounting(t, &c)
	ctx := context.Background()
	// Warm every connection's statement cache on contacts old and new.
	for n := range int64(2 * defaultMaxConns) {
		if err := engineTurn(ctx, s, n); err != nil {
			t.Fatal(err)
		}
	}
	count := func(fn func() error) int64 {
		t.Helper()
		before := c.n.Load()
		if err := fn(); err != nil {
			t.Fatal(err)
		}
		return c.n.Load() - before
	}
	// BEGIN, RecordInbound 2, OpenHandoff 1, Reply 1 x 2, SaveConversation 1, COMMIT.
	if got, want := count(func() error { return engineTurn(ctx, s, 1001) }), int64(6); got != want {
		t.Errorf("engine turn, known contact: %d round trips, want %d", got, want)
	}
	if got, want := count(func() error { return engineTurn(ctx, s, 1_000_999) }), int64(6); got != want {
		t.Errorf("engine turn, new contact: %d round trips, want %d", got, want)
	}
	got, err := s.ClaimOutbox(ctx, time.Now().Add(time.Minute), 10, time.Minute)
	if err != nil || len(got) < 2 {
		t.Fatalf("claim: %d, %v", len(got), err)
	}
	var sent []bot.Sent
	for _, o := range got {
		sent = append(sent, bot.Sent{ID: o.ID, ProviderID: "p", At: time.Now()})
	}
	if n := count(func() error { return s.MarkSentBatch(ctx, sent) }); n != 1 {
		t.Errorf("MarkSentBatch of %d: %d round trips, want 1", len(sent), n)
	}
}

// BenchmarkEngineTurn measures engineTurn one at a time over 1000
// contacts, with the round trips it costs.
func BenchmarkEngineTurn(b *testing.B) {
	var c tripCounter
	s := openCounting(b, &c)
	var lat []time.Duration
	var n int64
	start := c.n.Load()
	for b.Loop() {
		n++
		t0 := time.Now()
		if err := engineTurn(b.Context(), s, n); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	b.ReportMetric(float64(c.n.Load()-start)/float64(n), "trips/op")
	reportLatency(b, lat)
}

// BenchmarkMarkSentBatch measures recording ten sends at once, and one
// MarkSent after another as MarkSentBatch used to.
func BenchmarkMarkSentBatch(b *testing.B) {
	b.Run("batch", func(b *testing.B) {
		benchMarkSent(b, func(s *Store, sent []bot.Sent) error { return s.MarkSentBatch(b.Context(), sent) })
	})
	b.Run("one-by-one", func(b *testing.B) {
		benchMarkSent(b, func(s *Store, sent []bot.Sent) error {
			for _, x := range sent {
				if err := s.MarkSent(b.Context(), x.ID, x.ProviderID, x.At); err != nil {
					return err
				}
			}
			return nil
		})
	})
}

// benchMarkSent times mark on ten claimed replies, latency of the call
// alone reported.
func benchMarkSent(b *testing.B, mark func(*Store, []bot.Sent) error) {
	s := openAt(b, freshSchema(b), testKeys(b, "k"))
	ctx := b.Context()
	var next int64
	var lat []time.Duration
	for b.Loop() {
		b.StopTimer()
		for range 10 {
			if err := engineTurn(ctx, s, next); err != nil {
				b.Fatal(err)
			}
			next++
		}
		got, err := s.ClaimOutbox(ctx, time.Now().Add(time.Minute), 10, time.Minute)
		if err != nil {
			b.Fatal(err)
		}
		sent := make([]bot.Sent, len(got))
		for i, o := range got {
			sent[i] = bot.Sent{ID: o.ID, ProviderID: "p", At: time.Now()}
		}
		b.StartTimer()
		t0 := time.Now()
		if err := mark(s, sent); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	reportLatency(b, lat)
}
