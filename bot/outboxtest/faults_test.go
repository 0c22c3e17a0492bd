package outboxtest

import (
	"context"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/passerelle-org/passerelle/bot"
	"github.com/passerelle-org/passerelle/channels/telegram/telegramtest"
	"github.com/passerelle-org/passerelle/channels/twilio/twiliotest"
)

// faultWindow is how long the outage lasts: PASSERELLE_TEST_FAULT_SECONDS,
// or 3 seconds.
func faultWindow(t *testing.T) time.Duration {
	v := os.Getenv("PASSERELLE_TEST_FAULT_SECONDS")
	if v == "" {
		return 3 * time.Second
	}
	n, err := strconv.ParseFloat(v, 64)
	if err != nil || n <= 0 {
		t.Fatalf("PASSERELLE_TEST_FAULT_SECONDS=%q: want a number of seconds", v)
	}
	return time.Duration(n * float64(time.Second))
}

// backoff is bot.Backoff's shape made to fit the window: doubling from
// 100ms, capped at a third of the window, so a message is tried about ten
// times over a minute's outage (bot.MaxAttempts is 12) and goes within a
// third of the window after the provider recovers.
func backoff(window time.Duration) func(int) time.Duration {
	return func(attempts int) time.Duration {
		return min(100*time.Millisecond<<min(max(attempts-1, 0), 20), window/3)
	}
}

// retryHint is the retry_after / Retry-After the doubles send with a 429.
const retryHint = time.Second

// TestOutageThenRecovery: both providers fail every call for the window,
// in turn with a 500 and a real error body, a 429 with a retry hint of
// one second, a call that hangs past the client's timeout and a dropped
// connection; then they recover. Every reply is then delivered exactly
// once, in order per person; none is given up on; no message is tried
// again sooner than the hint after a 429.
func TestOutageThenRecovery(t *testing.T) {
	window := faultWindow(t)
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			testOutage(t, open(t), window)
		})
	}
}

func testOutage(t *testing.T, s bot.Store, window time.Duration) {
	const contacts, perPerson = 20, 4 // 40 people, 160 replies
	d := newDoubles(t, 300*time.Millisecond)
	d.tg.Outage("sendMessage", telegramtest.InternalError, telegramtest.RetryAfter(int(retryHint/time.Second)),
		telegramtest.Hung, telegramtest.Dropped)
	d.tw.Outage(twiliotest.Fault{Err: twiliotest.ErrServer},
		twiliotest.Fault{Err: &twiliotest.Error{HTTPStatus: 429, Code: 20429, Message: "Too Many Requests",
			RetryAfter: strconv.Itoa(int(retryHint / time.Second))}},
		twiliotest.Fault{Hang: true}, twiliotest.Fault{Drop: true})
	people := seed(t, s, contacts, perPerson, "outage")

	w := &bot.Worker{Store: s, Senders: d.senders(), Concurrency: 8, Backoff: backoff(window), Idle: 20 * time.Millisecond}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	time.Sleep(window)
	d.tg.Outage("sendMessage")
	d.tw.Outage()
	recovered := time.Now()
	for {
		st, err := s.OutboxStats(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if st.Queued == 0 && st.Held == 0 {
			break
		}
		if time.Since(recovered) > window+time.Minute {
			t.Fatalf("%d replies still queued %v after the providers recovered", st.Queued, time.Since(recovered).Round(time.Second))
		}
		time.Sleep(20 * time.Millisecond)
	}
	took := time.Since(recovered)
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	// Nothing given up on: every reply is marked sent.
	for _, p := range people {
		out, err := s.Outbox(context.Background(), p.convID)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range out {
			if o.Status != bot.OutboxSent {
				t.Errorf("%s %q: status %s after %d attempts (%s)", p.ch, o.Text, o.Status, o.Attempts, o.LastError)
			}
		}
	}
	// Exactly once, in order per person.
	sent := map[string][]string{} // address -> texts accepted, in order
	for _, c := range d.tg.Sent() {
		sent[c.Params["chat_id"]] = append(sent[c.Params["chat_id"]], c.Params["text"])
	}
	for _, m := range d.tw.Messages() {
		sent[m.To] = append(sent[m.To], m.Body)
	}
	for _, p := range people {
		if got := sent[p.to()]; !slices.Equal(got, p.texts) {
			t.Errorf("%s %s received %q, want %q exactly once each, in order", p.ch, p.address, got, p.texts)
		}
	}
	// Retry hints honoured, and every kind of fault was met.
	type try struct {
		at     time.Time
		status int
	}
	tries := map[string][]try{} // address -> attempts in order
	kinds := map[string]map[int]int{"telegram": {}, "twilio": {}}
	for _, c := range d.tg.CallsOf("sendMessage") {
		tries[c.Params["chat_id"]] = append(tries[c.Params["chat_id"]], try{c.At, c.Status})
		kinds["telegram"][c.Status]++
	}
	for _, a := range d.tw.Attempts() {
		tries[a.To] = append(tries[a.To], try{a.At, a.Status})
		kinds["twilio"][a.Status]++
	}
	for addr, ts := range tries {
		for i := 1; i < len(ts); i++ {
			// A millisecond of slack: the outbox keeps times to the millisecond.
			if ts[i-1].status == 429 && ts[i].at.Before(ts[i-1].at.Add(retryHint-time.Millisecond)) {
				t.Errorf("%s: tried again %v after a 429 asking for %v", addr, ts[i].at.Sub(ts[i-1].at), retryHint)
			}
		}
	}
	for provider, k := range kinds {
		for _, status := range []int{500, 429, 0} {
			if k[status] == 0 {
				t.Errorf("%s: no call answered %d during the outage (0: hung or dropped): the test tested nothing", provider, status)
			}
		}
	}
	t.Logf("outage %v: telegram calls by status %v, twilio %v; all %d replies sent %v after recovery",
		window, kinds["telegram"], kinds["twilio"], len(people)*perPerson, took.Round(time.Millisecond))
}
