package main

import (
	"net/http"
	"time"

	"github.com/passerelle-org/passerelle/bot"
)

// Defaults of the sending settings.
const (
	defaultTelegramRate    = 30 // Telegram: about 30 messages a second per bot
	defaultSendConcurrency = 16
)

// telegramRate is the configured overall Telegram rate, in messages a
// second.
func (c Config) telegramRate() float64 {
	if c.TelegramRate > 0 {
		return c.TelegramRate
	}
	return defaultTelegramRate
}

// sendConcurrency is how many replies the worker sends at once.
func (c Config) sendConcurrency() int {
	if c.SendConcurrency > 0 {
		return c.SendConcurrency
	}
	return defaultSendConcurrency
}

// sharedPacer is the pacer that keeps a provider's rate (perSecond, no
// burst) for all replicas together, and whether there is one. On
// PostgreSQL, which several replicas may share, it is bot.BlockPacer: a
// tenth of a second's worth of API calls is booked at once in the
// send_rates table (one UPDATE), then spread by this process. On SQLite
// there is one process, and the channels pace in memory, which costs the
// single writer nothing.
func (m *Main) sharedPacer(perSecond float64) (*bot.BlockPacer, bool) {
	if m.Config.DatabaseURL == "" || m.Store == nil {
		return nil, false
	}
	return bot.NewBlockPacer(m.Store, perSecond, m.Clock), true
}

// interval is the time between two sends at perSecond.
func interval(perSecond float64) time.Duration {
	return time.Duration(float64(time.Second) / perSecond)
}

// providerClient is the HTTP client of a provider's API: timeout bounds
// each call, and up to the worker's concurrency of connections stay open
// between calls. (http.DefaultTransport keeps 2 per host: 16 sends side by
// side would open, and TLS-handshake, a new connection for most calls.)
func (c Config) providerClient(timeout time.Duration) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = c.sendConcurrency() + 4
	return &http.Client{Timeout: timeout, Transport: tr}
}
