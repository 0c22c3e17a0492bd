package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/passerelle-org/passerelle/bot"
	"github.com/passerelle-org/passerelle/channels/telegram"
	"github.com/passerelle-org/passerelle/channels/twilio"
	"github.com/passerelle-org/passerelle/knowledge"
	"github.com/passerelle-org/passerelle/locales"
)

// openTelegram wires the Telegram channel when a bot token is set: webhook
// mode when PASSERELLE_PUBLIC_URL is set (then the webhook secret is
// required), long polling otherwise, with the offset kept in the data dir.
func (m *Main) openTelegram() error {
	c := m.Config
	if c.TelegramToken == "" {
		return nil
	}
	webhook := ""
	if c.PublicURL != "" {
		if c.TelegramWebhookSecret == "" {
			return errors.New("PASSERELLE_TELEGRAM_WEBHOOK_SECRET: required when PASSERELLE_PUBLIC_URL is set " +
				"(Telegram webhook mode); leave PASSERELLE_PUBLIC_URL empty to use long polling")
		}
		webhook = strings.TrimRight(c.PublicURL, "/") + telegram.WebhookPath
	}
	cfg := telegram.Config{
		Token: c.TelegramToken, APIURL: c.TelegramAPIURL,
		WebhookSecret: c.TelegramWebhookSecret, WebhookURL: webhook,
		Offsets: telegram.FileOffsets{Path: filepath.Join(c.DataDir, "telegram-offset")},
		Locales: m.Locales, HTTP: c.providerClient(90 * time.Second),
		Log: m.Log.With("component", "telegram"), Clock: m.Clock,
		Overall: interval(c.telegramRate()),
	}
	if p, ok := m.sharedPacer(c.telegramRate()); ok {
		cfg.Pacer = p
	}
	tg, err := telegram.New(cfg, m.Engine, telegram.StoreContacts(m.Store))
	if err != nil {
		return fmt.Errorf("PASSERELLE_TELEGRAM_TOKEN: %w", err)
	}
	m.Telegram = tg
	m.Worker.Senders[bot.ChannelTelegram] = tg
	return nil
}

// telegramRoutes registers the webhook when the channel has a secret to
// check requests with.
func (m *Main) telegramRoutes(mux *http.ServeMux) {
	if m.Telegram != nil && m.Config.TelegramWebhookSecret != "" {
		m.Telegram.Routes(mux)
	}
}

// leader is a store that can run a task on one replica at a time (the
// PostgreSQL store, under an advisory lock).
type leader interface {
	Lead(ctx context.Context, name string, retry time.Duration, fn func(ctx context.Context)) error
}

// pollLock names the advisory lock Telegram long polling runs under.
const pollLock = "telegram-poll"

// runTelegram starts the channel (setWebhook, or long polling); the
// returned func stops it and waits until it has. Long polling must run
// once per bot (Telegram answers a second getUpdates with 409): on a
// store shared by several replicas (PostgreSQL) only the replica holding
// the "telegram-poll" advisory lock polls, and another takes over within
// LeadEvery when it stops or loses its connection. On SQLite, one
// process, it polls directly. Webhook mode needs no lock: every replica
// may set the same webhook.
func (m *Main) runTelegram(ctx context.Context) (stop func()) {
	if m.Telegram == nil {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	run := func(ctx context.Context) {
		if err := m.Telegram.Run(ctx); err != nil && ctx.Err() == nil {
			m.Log.Error("telegram stopped", "err", err)
		}
	}
	lead, shared := m.Store.(leader)
	go func() {
		defer close(done)
		if m.Config.PublicURL != "" || !shared {
			run(ctx)
			return
		}
		every := m.LeadEvery
		if every <= 0 {
			every = 5 * time.Second
		}
		m.Log.Info("telegram long polling on the replica holding the lock", "lock", pollLock)
		lead.Lead(ctx, pollLock, every, func(ctx context.Context) {
			m.Log.Info("telegram long polling: this replica leads")
			run(ctx)
			m.Log.Info("telegram long polling: this replica stopped leading")
		})
	}()
	return func() {
		cancel()
		<-done
		m.Telegram.Close()
	}
}

// runLinks prints the links an outreach campaign puts on posters and QR
// codes: the Telegram deep link (t.me), and the WhatsApp and SMS links when
// Twilio senders are configured. The conversations they open record the
// campaign, never who the person is.
func runLinks(ctx context.Context, env *runEnv, args []string) error {
	fs := newFlags(env, "links")
	campaign := fs.String("campaign", "", "campaign code: 1-32 letters, digits or _ (a poster, place or week; never a person)")
	lang := fs.String("lang", "", "open the conversation in this language (code from languages.yaml)")
	topic := fs.String("topic", "", "open on this topic id (see `passerelle kb check`)")
	botName := fs.String("bot", "", "the Telegram bot's @username; without it, Telegram is asked (getMe) with PASSERELLE_TELEGRAM_TOKEN")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("links: unexpected argument %q", fs.Arg(0))
	}
	if *campaign == "" {
		return errors.New("links: --campaign is required")
	}
	cfg, err := env.config()
	if err != nil {
		return err
	}
	if *lang != "" {
		cat, err := locales.Load()
		if err != nil {
			return err
		}
		if _, ok := cat.Language(*lang); !ok {
			return fmt.Errorf("--lang: %q is not one of %s", *lang, strings.Join(cat.Codes(), ", "))
		}
	}
	if *topic != "" {
		kb, err := loadKB(env)
		var probs knowledge.Problems
		if err != nil && (!errors.As(err, &probs) || kb == nil) {
			return err
		}
		if _, ok := kb.Topic(*topic); !ok {
			return fmt.Errorf("--topic: no topic %q in the knowledge base", *topic)
		}
	}
	start := telegram.Start{Campaign: *campaign, Lang: *lang, Topic: *topic}
	if _, err := start.Payload(); err != nil {
		return fmt.Errorf("links: %w", err)
	}
	var links []string
	if name := *botName; name != "" || cfg.TelegramToken != "" {
		if name == "" {
			tg, err := telegram.New(telegram.Config{Token: cfg.TelegramToken, APIURL: cfg.TelegramAPIURL,
				HTTP: &http.Client{Timeout: 20 * time.Second}}, nil, nil)
			if err != nil {
				return err
			}
			if name, err = tg.Username(ctx); err != nil {
				return fmt.Errorf("links: %w (or pass --bot USERNAME)", err)
			}
		}
		link, err := telegram.DeepLink(name, start)
		if err != nil {
			return fmt.Errorf("links: %w", err)
		}
		links = append(links, link)
	}
	tw, err := twilioLinks(cfg, twilio.Start{Campaign: start.Campaign, Lang: start.Lang, Topic: start.Topic})
	if err != nil {
		return fmt.Errorf("links: %w", err)
	}
	links = append(links, tw...)
	if len(links) == 0 {
		return errors.New("links: no channel to link to: pass --bot USERNAME, or set PASSERELLE_TELEGRAM_TOKEN, " +
			"PASSERELLE_TWILIO_WHATSAPP_FROM or PASSERELLE_TWILIO_SMS_FROM")
	}
	for _, l := range links {
		fmt.Fprintln(env.stdout, l)
	}
	return nil
}
