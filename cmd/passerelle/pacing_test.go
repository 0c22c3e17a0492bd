package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-org/passerelle/bot"
	"github.com/passerelle-org/passerelle/channels/telegram/telegramtest"
)

// TestSendSettingsRefused: out-of-range sending settings stop the start
// with a message naming the variable.
func TestSendSettingsRefused(t *testing.T) {
	for name, val := range map[string]string{
		"PASSERELLE_SEND_CONCURRENCY": "-1",
		"PASSERELLE_TELEGRAM_RATE":    "-5",
	} {
		_, err := loadConfig("", env(map[string]string{name: val}))
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%s: got %v, want an error naming it", name, val, err)
		}
	}
	for _, val := range []string{"2000", "many"} {
		if _, err := loadConfig("", env(map[string]string{"PASSERELLE_SEND_CONCURRENCY": val})); err == nil {
			t.Errorf("PASSERELLE_SEND_CONCURRENCY=%s accepted", val)
		}
	}
}

// TestTelegramRateAndConcurrency: the worker sends PASSERELLE_SEND_CONCURRENCY
// at once, and Telegram messages to different chats still keep
// PASSERELLE_TELEGRAM_RATE: the last of ten replies at 20 a second
// reaches Telegram at least 9/20 s after the worker started.
func TestTelegramRateAndConcurrency(t *testing.T) {
	const token = "123456789:AAHfakeTokenForPacingTests_0123456789"
	api := telegramtest.NewServer(t, token)
	cfg, err := loadConfig("", env(map[string]string{
		"PASSERELLE_DATA_DIR": t.TempDir(), "PASSERELLE_ADDR": "127.0.0.1:0",
		"PASSERELLE_TELEGRAM_TOKEN": token, "PASSERELLE_TELEGRAM_API_URL": api.URL,
		"PASSERELLE_TELEGRAM_RATE": "20", "PASSERELLE_SEND_CONCURRENCY": "5",
	}))
	if err != nil {
		t.Fatal(err)
	}
	m := &Main{Config: cfg, Log: newLogger(io.Discard, "info")}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	if err := m.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if m.Worker.Concurrency != 5 {
		t.Errorf("worker concurrency %d, want 5", m.Worker.Concurrency)
	}
	const n = 10
	for i := range n {
		err := m.Store.InTx(ctx, func(tx bot.Tx) error {
			c, conv, err := tx.RecordInbound(ctx, bot.Inbound{Channel: bot.ChannelTelegram,
				Address: fmt.Sprint(700000100 + i), ProviderID: fmt.Sprint("p", i), Text: "bonjour"})
			if err != nil {
				return err
			}
			_, err = tx.Enqueue(ctx, bot.Outbound{ContactID: c.ID, ConversationID: conv.ID, Text: fmt.Sprint("reply ", i)})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	for sent := 0; sent < n; {
		k, err := m.Worker.Drain(ctx)
		if err != nil || k == 0 {
			t.Fatalf("Drain: %d, %v with %d of %d sent", k, err, sent, n)
		}
		sent += k
	}
	calls := api.Sent()
	if len(calls) != n {
		t.Fatalf("%d messages reached Telegram, want %d", len(calls), n)
	}
	if span, want := calls[n-1].At.Sub(start), (n-1)*time.Second/20; span < want {
		t.Errorf("%d messages in %v, want at least %v at 20 a second", n, span, want)
	}
}
