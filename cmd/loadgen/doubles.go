package main

import (
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"testing"

	"github.com/passerelle-org/passerelle/channels/telegram/telegramtest"
	"github.com/passerelle-org/passerelle/channels/twilio/twiliotest"
)

// accounts are the provider credentials of one run: the servers are
// configured with them and the doubles and the load generator use them.
type accounts struct {
	TelegramToken, WebhookSecret string
	TwilioSID, TwilioToken       string
	SMSFrom, WhatsAppFrom        string
	PublicURL                    string // what Twilio signs and setWebhook is given
	SecretKey                    string // hex; the same for every replica
}

func newAccounts() accounts {
	return accounts{
		TelegramToken: "123456789:" + randHex(18),
		WebhookSecret: "loadgen-" + randHex(16),
		TwilioSID:     "AC" + randHex(16),
		TwilioToken:   randHex(16),
		SMSFrom:       "+33700000001",
		WhatsAppFrom:  "whatsapp:+33700000002",
		PublicURL:     "https://passerelle.loadgen.test",
		SecretKey:     randHex(32),
	}
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// doubles are the in-process provider fakes: the Telegram Bot API and the
// Twilio Messages API, which record every message the service sends.
type doubles struct {
	Telegram *telegramtest.Server
	Twilio   *twiliotest.Server
}

// startDoubles starts both fakes; they close with tb (a test, or
// cleanups in the command).
func startDoubles(tb testing.TB, acc accounts) *doubles {
	return &doubles{
		Telegram: telegramtest.NewServer(tb, acc.TelegramToken),
		Twilio:   twiliotest.NewServer(tb, acc.TwilioSID, acc.TwilioToken),
	}
}

// replyCount is how many messages the doubles have accepted so far.
func (d *doubles) replyCount() int {
	n := len(d.Twilio.Messages())
	for _, c := range d.Telegram.Calls() {
		if c.Method == "sendMessage" && c.MessageID != 0 {
			n++
		}
	}
	return n
}

// env is the server configuration pointing at the doubles.
func (d *doubles) env(acc accounts) []string {
	return []string{
		"PASSERELLE_PUBLIC_URL=" + acc.PublicURL,
		"PASSERELLE_SECRET_KEY=" + acc.SecretKey,
		"PASSERELLE_TELEGRAM_TOKEN=" + acc.TelegramToken,
		"PASSERELLE_TELEGRAM_WEBHOOK_SECRET=" + acc.WebhookSecret,
		"PASSERELLE_TELEGRAM_API_URL=" + d.Telegram.URL,
		"PASSERELLE_TWILIO_ACCOUNT_SID=" + acc.TwilioSID,
		"PASSERELLE_TWILIO_AUTH_TOKEN=" + acc.TwilioToken,
		"PASSERELLE_TWILIO_API_URL=" + d.Twilio.URL,
		"PASSERELLE_TWILIO_SMS_FROM=" + acc.SMSFrom,
		"PASSERELLE_TWILIO_WHATSAPP_FROM=" + acc.WhatsAppFrom,
		// Rates as high as the providers allow a paying sender (Telegram's
		// paid broadcasts: 1000 a second), so that the service, not its
		// pacing, is measured; -server-env may set them lower.
		"PASSERELLE_TWILIO_RATE=" + strconv.Itoa(1000),
		"PASSERELLE_TELEGRAM_RATE=" + strconv.Itoa(1000),
	}
}

// cleanups stands in for a test when the command runs the doubles: they
// only ask it to remember how to close them. The embedded interface is
// never called.
type cleanups struct {
	testing.TB
	fns []func()
}

func (c *cleanups) Cleanup(f func()) { c.fns = append(c.fns, f) }
func (c *cleanups) Helper()          {}

// run calls the cleanups, last first.
func (c *cleanups) run() {
	for i := len(c.fns) - 1; i >= 0; i-- {
		c.fns[i]()
	}
	c.fns = nil
}
