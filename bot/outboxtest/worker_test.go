package outboxtest

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/passerelle-org/passerelle/bot"
)

// gateSender is a Sender whose sends to the addresses in hold wait until
// the gate opens; it records what it sent and the most sends it had under
// way at once.
type gateSender struct {
	hold map[string]bool
	gate chan struct{}

	mu       sync.Mutex
	sent     []string
	inFlight int
	most     int
	started  chan string // each held send, as it starts
}

func newGateSender(hold ...string) *gateSender {
	g := &gateSender{hold: map[string]bool{}, gate: make(chan struct{}), started: make(chan string, 100)}
	for _, a := range hold {
		g.hold[a] = true
	}
	return g
}

func (g *gateSender) Send(ctx context.Context, o bot.Outbound) (string, error) {
	g.mu.Lock()
	g.inFlight++
	g.most = max(g.most, g.inFlight)
	g.mu.Unlock()
	if g.hold[o.Address] {
		g.started <- o.Address
		<-g.gate
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.inFlight--
	g.sent = append(g.sent, o.Text)
	return "p", nil
}

func (g *gateSender) texts() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.sent...)
}

// waitStarted waits for n held sends to start; the deadline only keeps a
// broken worker from hanging the test.
func (g *gateSender) waitStarted(t *testing.T, n int) {
	t.Helper()
	for range n {
		select {
		case <-g.started:
		case <-time.After(10 * time.Second):
			t.Fatalf("fewer than %d sends started side by side", n)
		}
	}
}

// TestDrainShutdown: Drain sends Concurrency at a time. When shutdown
// comes while the first sends are under way, those finish and are
// recorded, and the rest of the batch is released: due at once, not
// counted as tried, and sent by the next Drain.
func TestDrainShutdown(t *testing.T) {
	s := openSQLite(t)
	people := seed(t, s, 3, 1, "drain") // 6 people, one reply each
	g := newGateSender(people[0].address, people[1].address)
	w := &bot.Worker{Store: s, Concurrency: 2,
		Senders: map[bot.Channel]bot.Sender{bot.ChannelTelegram: g, bot.ChannelSMS: g}}
	ctx, stop := context.WithCancel(context.Background())
	claimed := make(chan int, 1)
	go func() {
		n, err := w.Drain(ctx)
		if err != nil {
			t.Error(err)
		}
		claimed <- n
	}()
	g.waitStarted(t, 2) // both slots taken by the first two people
	stop()
	close(g.gate)
	if n := <-claimed; n != 6 {
		t.Fatalf("Drain claimed %d, want 6", n)
	}
	if got := g.texts(); len(got) != 2 || !slices.Equal(sorted(got), sorted([]string{people[0].texts[0], people[1].texts[0]})) {
		t.Fatalf("sent %q before shutdown, want the two under way", got)
	}
	for _, p := range people[2:] {
		out, err := s.Outbox(context.Background(), p.convID)
		if err != nil {
			t.Fatal(err)
		}
		if o := out[0]; o.Status != bot.OutboxQueued || o.Attempts != 0 {
			t.Errorf("%s after shutdown: %s, %d attempts; want queued, untried", p.address, o.Status, o.Attempts)
		}
	}
	if n, err := w.Drain(context.Background()); n != 4 || err != nil {
		t.Fatalf("next Drain claimed %d (%v), want the 4 released at once", n, err)
	}
	if got := g.texts(); len(got) != 6 {
		t.Errorf("sent %d in all, want 6 once each: %q", len(got), got)
	}
}

// TestRunSlowSendHoldsOneSlot: one person's send hangs (a provider that
// does not answer). Run keeps the other slots busy: everyone else's
// replies, several each and in order, go meanwhile; the slow one goes
// when it returns, then that person's next reply.
func TestRunSlowSendHoldsOneSlot(t *testing.T) {
	s := openSQLite(t)
	people := seed(t, s, 4, 3, "slow") // 8 people, 3 replies each
	slow := people[0]
	g := newGateSender(slow.address)
	w := &bot.Worker{Store: s, Concurrency: 4, Idle: time.Hour,
		Senders: map[bot.Channel]bot.Sender{bot.ChannelTelegram: g, bot.ChannelSMS: g}}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	g.waitStarted(t, 1)
	want := (len(people) - 1) * 3
	waitUntil(t, func() bool { return len(g.texts()) == want })
	close(g.gate)
	waitUntil(t, func() bool { return len(g.texts()) == want+3 })
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	got := g.texts()
	if !slices.Equal(got[want:], slow.texts) {
		t.Errorf("the slow person's replies went as %q, want %q after the others", got[want:], slow.texts)
	}
	for _, p := range people[1:] {
		var mine []string
		for _, text := range got {
			for _, x := range p.texts {
				if x == text {
					mine = append(mine, text)
				}
			}
		}
		if !slices.Equal(mine, p.texts) {
			t.Errorf("%s received %q, want %q", p.address, mine, p.texts)
		}
	}
	if g.most > 4 {
		t.Errorf("%d sends under way at once, Concurrency is 4", g.most)
	}
}

// waitUntil polls cond; the deadline only keeps a broken worker from
// hanging the test.
func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 20s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func sorted(a []string) []string { return slices.Sorted(slices.Values(a)) }
