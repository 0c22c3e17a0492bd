package postgres

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/passerelle-org/passerelle/bot"
)

// wait is how long a test waits for an event before failing: a deadline,
// not a measurement.
const wait = 15 * time.Second

// listening starts n.Listen and returns the events it delivers. The
// listener stops when the test ends.
func listening(t *testing.T, n *Notifier) <-chan string {
	t.Helper()
	got := make(chan string, 64)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := n.Listen(ctx, func(ev string) { got <- ev }); err != nil {
			t.Errorf("Listen: %v", err)
		}
	})
	t.Cleanup(func() { cancel(); wg.Wait() })
	return got
}

// next returns the next event on got, failing the test after wait.
func next(t *testing.T, got <-chan string, what string) string {
	t.Helper()
	select {
	case ev := <-got:
		return ev
	case <-time.After(wait):
		t.Fatalf("%s: no event within %s", what, wait)
		return ""
	}
}

// listeners returns the backend pids LISTENing on channel, waiting until
// there are want of them.
func listeners(t *testing.T, channel string, want int) []int32 {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), testDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	listen := "LISTEN " + pgx.Identifier{channel}.Sanitize()
	deadline := time.Now().Add(wait)
	for {
		rows, _ := conn.Query(t.Context(), `SELECT pid FROM pg_stat_activity WHERE query = $1`, listen)
		pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
		if err != nil {
			t.Fatal(err)
		}
		if len(pids) == want {
			return pids
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d connections listening on %s, want %d", len(pids), channel, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func notifier(t *testing.T, s *Store) *Notifier {
	t.Helper()
	n, err := s.Events(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestEventsReachOtherReplicas: an event published by one replica reaches
// the other; a replica never hears its own (its console delivered it
// already); a deployment in another schema of the same database hears
// nothing.
func TestEventsReachOtherReplicas(t *testing.T) {
	url := freshSchema(t)
	a, b := notifier(t, openAt(t, url, testKeys(t, "k"))), notifier(t, openAt(t, url, testKeys(t, "k")))
	other := notifier(t, openAt(t, freshSchema(t), testKeys(t, "k")))
	if a.channel != b.channel || a.channel == other.channel {
		t.Fatalf("channels %q %q %q: want the same per schema, different across schemas", a.channel, b.channel, other.channel)
	}
	a.check, b.check = 20*time.Millisecond, 20*time.Millisecond // exercise the idle ping too
	gotA, gotB := listening(t, a), listening(t, b)
	listeners(t, a.channel, 2)

	if err := other.Publish(t.Context(), "conversation:99"); err != nil {
		t.Fatal(err)
	}
	if err := a.Publish(t.Context(), "queue"); err != nil {
		t.Fatal(err)
	}
	if err := b.Publish(t.Context(), "conversation:7"); err != nil {
		t.Fatal(err)
	}
	// Notifications arrive in the order they were sent: had A heard its
	// own "queue", or B the other schema's event, it would come first.
	if ev := next(t, gotB, "B hearing A"); ev != "queue" {
		t.Errorf("B got %q first, want A's queue", ev)
	}
	if ev := next(t, gotA, "A hearing B"); ev != "conversation:7" {
		t.Errorf("A got %q first, want B's conversation:7", ev)
	}
	time.Sleep(60 * time.Millisecond) // let a few idle pings run
	if err := a.Publish(t.Context(), "conversation:8"); err != nil {
		t.Fatal(err)
	}
	if ev := next(t, gotB, "B hearing A after idle pings"); ev != "conversation:8" {
		t.Errorf("B got %q, want conversation:8", ev)
	}
	// Several events in one Publish arrive all, in their order.
	batch := []string{"conversation:9", "queue", "conversation:10", "handoff:3"}
	if err := a.Publish(t.Context(), batch...); err != nil {
		t.Fatal(err)
	}
	for _, want := range batch {
		if ev := next(t, gotB, "B hearing A's batch"); ev != want {
			t.Errorf("B got %q, want %q (batch %q in order)", ev, want, batch)
		}
	}
}

func TestPublishRefusesWhatIsNotAnEventName(t *testing.T) {
	n := notifier(t, openAt(t, freshSchema(t), testKeys(t, "k")))
	for _, ev := range []string{"", "queue\nevent: x", "a b", fmt.Sprintf("%0300d", 1)} {
		if err := n.Publish(t.Context(), ev); err == nil {
			t.Errorf("Publish(%q) accepted", ev)
		}
	}
}

// TestListenerReconnects: when the listening backend is terminated, the
// listener connects again, says so with bot.EventResync (what was sent
// meanwhile is lost), and events flow again.
func TestListenerReconnects(t *testing.T) {
	url := freshSchema(t)
	a, b := notifier(t, openAt(t, url, testKeys(t, "k"))), notifier(t, openAt(t, url, testKeys(t, "k")))
	got := listening(t, b)
	pids := listeners(t, b.channel, 1)

	conn, err := pgx.Connect(t.Context(), testDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var killed bool
	if err := conn.QueryRow(t.Context(), `SELECT pg_terminate_backend($1)`, pids[0]).Scan(&killed); err != nil || !killed {
		t.Fatalf("terminating the listening backend: %v %v", killed, err)
	}
	if ev := next(t, got, "after the kill"); ev != bot.EventResync {
		t.Fatalf("after reconnecting the listener delivered %q, want %q", ev, bot.EventResync)
	}
	if again := listeners(t, b.channel, 1); again[0] == pids[0] {
		t.Fatalf("still the terminated backend %d", pids[0])
	}
	if err := a.Publish(t.Context(), "queue"); err != nil {
		t.Fatal(err)
	}
	if ev := next(t, got, "after reconnecting"); ev != "queue" {
		t.Errorf("got %q, want queue", ev)
	}
}
