package outboxtest

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/passerelle-org/passerelle/bot"
	"github.com/passerelle-org/passerelle/channels/telegram"
	"github.com/passerelle-org/passerelle/channels/twilio"
)

// TestReplicasShareRate: two replicas (two Stores on one PostgreSQL
// database, each with its own worker and channel senders) deliver one
// outbox through one Telegram bot and one Twilio sender, each limited to
// 100 messages a second with the store-backed pacer passerelle serve uses
// (bot.BlockPacer, booking 10 slots at a time). Together they keep
// the rate: the last of N messages cannot reach the provider sooner than
// (N-1-20)/100 s after the start (two blocks of slack), which two
// replicas pacing only themselves would beat by half. Each message still arrives once.
func TestReplicasShareRate(t *testing.T) {
	const perSecond, contacts = 100, 60 // 60 Telegram and 60 SMS replies
	url := freshSchema(t)
	d := newDoubles(t, 10*time.Second)
	client := &http.Client{Timeout: 10 * time.Second}
	var workers []*bot.Worker
	var sentBy [2]atomic.Int64
	for r := range 2 {
		s := openPostgresAt(t, url)
		pacer := bot.NewBlockPacer(s, perSecond, nil) // as passerelle serve paces on PostgreSQL
		tg, err := telegram.New(telegram.Config{Token: botToken, APIURL: d.tg.URL, HTTP: client,
			PerChat: time.Millisecond, Overall: time.Second / perSecond, Pacer: pacer}, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		tw, err := twilio.New(twilio.Config{AccountSID: accountSID, AuthToken: authToken, APIURL: d.tw.URL,
			PublicURL: "https://passerelle.example.org", SMSFrom: smsFrom, Rate: perSecond, HTTPClient: client,
			Pacer: pacer}, nil, nil, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		workers = append(workers, &bot.Worker{Store: s, Concurrency: 16, Idle: 20 * time.Millisecond,
			Senders: map[bot.Channel]bot.Sender{bot.ChannelTelegram: tg, bot.ChannelSMS: tw},
			OnSend:  func(bot.Outbound, error) { sentBy[r].Add(1) }})
	}
	people := seed(t, workers[0].Store, contacts, 1, "replicas")

	ctx, stop := context.WithCancel(context.Background())
	start := time.Now()
	done := make(chan error, 2)
	for _, w := range workers {
		go func() { done <- w.Run(ctx) }()
	}
	waitUntil(t, func() bool { return len(d.tg.Sent()) >= contacts && len(d.tw.Messages()) >= contacts })
	stop()
	for range workers {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if sentBy[0].Load() == 0 || sentBy[1].Load() == 0 {
		t.Fatalf("sends per replica %d and %d: want both replicas sending", sentBy[0].Load(), sentBy[1].Load())
	}
	tgSent, twSent := d.tg.Sent(), d.tw.Messages()
	if len(tgSent) != contacts || len(twSent) != contacts {
		t.Fatalf("Telegram got %d, Twilio %d; want %d each, once", len(tgSent), len(twSent), contacts)
	}
	seen := map[string]bool{}
	for _, p := range people {
		seen[p.texts[0]] = false
	}
	for _, c := range tgSent {
		seen[c.Params["text"]] = true
	}
	for _, a := range d.tw.Attempts() {
		seen[a.Body] = true
	}
	for text, ok := range seen {
		if !ok {
			t.Errorf("%q never arrived", text)
		}
	}
	// Each replica may use its last block's slots while the other books
	// the next: a block (a tenth of a second) of slack each.
	minSpan := time.Duration(contacts-1-2*perSecond/10) * time.Second / perSecond
	tgLast := tgSent[len(tgSent)-1].At.Sub(start)
	twAttempts := d.tw.Attempts()
	twLast := twAttempts[len(twAttempts)-1].At.Sub(start)
	if tgLast < minSpan || twLast < minSpan {
		t.Errorf("last message after %v (Telegram) and %v (Twilio), want at least %v at %d/s for both replicas together",
			tgLast.Round(time.Millisecond), twLast.Round(time.Millisecond), minSpan, perSecond)
	}
	t.Logf("replicas sent %d and %d; %d Telegram messages in %v, %d SMS in %v (limit %d/s each)",
		sentBy[0].Load(), sentBy[1].Load(), contacts, tgLast.Round(time.Millisecond), contacts,
		twLast.Round(time.Millisecond), perSecond)
}
