package telegram

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/passerelle-org/passerelle/bot"
	"github.com/passerelle-org/passerelle/locales"
)

// Handler takes one inbound message; bot.Engine implements it. An error
// means nothing was recorded and the update may be delivered again.
type Handler interface {
	Handle(ctx context.Context, in bot.Inbound) error
}

// Contacts records what Telegram says about a private chat: the person
// blocked the bot, or unblocked it. StoreContacts implements it.
type Contacts interface {
	// MarkBlocked sets the blocked flag of the chat's contact; it returns
	// an error wrapping bot.ErrNotFound when the chat never wrote.
	MarkBlocked(ctx context.Context, chatID string, blocked bool) error
}

// StoreContacts is Contacts on a bot.Store.
func StoreContacts(s bot.Store) Contacts { return storeContacts{s} }

type storeContacts struct{ s bot.Store }

func (sc storeContacts) MarkBlocked(ctx context.Context, chatID string, blocked bool) error {
	return sc.s.InTx(ctx, func(tx bot.Tx) error {
		return tx.MarkBlocked(ctx, bot.ChannelTelegram, chatID, blocked)
	})
}

// DefaultAPIURL is the Bot API's base URL.
const DefaultAPIURL = "https://api.telegram.org"

// AllowedUpdates are the update types the channel handles; setWebhook and
// getUpdates ask for these only.
var AllowedUpdates = []string{"message", "edited_message", "callback_query", "my_chat_member"}

// Config is what a Channel needs. Token is required; the rest has defaults.
type Config struct {
	Token string
	// APIURL is the Bot API base URL (a local Bot API server, a proxy, a
	// test double); empty means DefaultAPIURL.
	APIURL string
	// WebhookSecret is the secret_token every webhook request must carry.
	// Without it the webhook route answers 401 to everything.
	WebhookSecret string
	// WebhookURL is where Telegram should POST updates; empty means long
	// polling.
	WebhookURL string
	// Username is the bot's @username without the @, when known; otherwise
	// it is asked with getMe when first needed.
	Username string
	// Offsets keeps the long-polling offset; nil keeps it in memory only.
	Offsets OffsetStore
	// Locales renders the few messages the channel sends itself (the
	// group notice).
	Locales *locales.Catalog
	HTTP    *http.Client
	Log     *slog.Logger
	Clock   func() time.Time
	// PerChat is the interval between messages to one chat once its burst
	// is spent (default 1s); Burst is that burst (default 3). Overall is
	// the interval between any two messages (default 1/30 s: Telegram's
	// about 30 a second per bot).
	PerChat, Overall time.Duration
	Burst            int
	// Pacer, when set, keeps Overall for every replica that shares it
	// (bot.StorePacer on PostgreSQL) instead of for this process alone.
	// Per-chat pacing stays in process: see limit.go.
	Pacer Pacer
	// PollTimeout is getUpdates' long-poll timeout (default 50s).
	PollTimeout time.Duration
}

// Channel is the Telegram channel: the webhook handler, the long-polling
// loop and the bot.Sender.
type Channel struct {
	cfg      Config
	h        Handler
	contacts Contacts
	api      *tgbotapi.BotAPI
	http     *http.Client
	log      *slog.Logger
	secret   [sha256.Size]byte
	limit    *limiter
	rateKey  string // the Pacer's key: "telegram:<bot id>"

	mu       sync.Mutex
	username string
	progress map[int64]progress // outbound id -> parts already sent
	declined map[int64]time.Time
	offset   int64 // polling offset when there is no OffsetStore
	bg       sync.WaitGroup
}

// New makes the channel. h handles inbound messages; contacts records
// blocks and unblocks (it may be nil in tests that need neither).
func New(cfg Config, h Handler, contacts Contacts) (*Channel, error) {
	if cfg.Token == "" {
		return nil, errors.New("telegram: no bot token")
	}
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultAPIURL
	}
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{Timeout: 90 * time.Second}
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.PerChat == 0 {
		cfg.PerChat = time.Second
	}
	if cfg.Burst == 0 {
		cfg.Burst = 3
	}
	if cfg.Overall == 0 {
		cfg.Overall = time.Second / 30
	}
	if cfg.PollTimeout == 0 {
		cfg.PollTimeout = 50 * time.Second
	}
	// The library's endpoint is a format string: bot<token>/<method>.
	base := strings.ReplaceAll(strings.TrimRight(cfg.APIURL, "/"), "%", "%%")
	api := &tgbotapi.BotAPI{Token: cfg.Token, Client: cfg.HTTP, Buffer: 100}
	api.SetAPIEndpoint(base + "/bot%s/%s")
	c := &Channel{
		cfg: cfg, h: h, contacts: contacts, api: api, http: cfg.HTTP, log: cfg.Log,
		username: strings.TrimPrefix(cfg.Username, "@"),
		progress: map[int64]progress{}, declined: map[int64]time.Time{},
		limit:   newLimiter(cfg.Clock, cfg.PerChat, cfg.Burst, cfg.Overall),
		rateKey: "telegram:" + botID(cfg.Token),
	}
	if cfg.Pacer != nil {
		c.limit.overall = 0 // the Pacer keeps it, for every replica
	}
	if cfg.WebhookSecret != "" {
		c.secret = sha256.Sum256([]byte(cfg.WebhookSecret))
	}
	return c, nil
}

// Pacer books Bot API calls against the overall rate shared by several
// replicas; bot.StorePacer implements it. Reserve returns how long to wait
// before the call, or ok false (nothing booked) when that would be longer
// than maxWait.
type Pacer interface {
	Reserve(ctx context.Context, key string, maxWait time.Duration) (wait time.Duration, ok bool, err error)
}

// botID is the bot's numeric id, the part of the token before the colon:
// not a secret (it is the bot's user id), and the same for every replica.
func botID(token string) string {
	id, _, _ := strings.Cut(token, ":")
	return id
}

// ctxClient gives every request of one call the caller's context: the
// library's requests carry none.
type ctxClient struct {
	ctx context.Context
	c   *http.Client
}

func (d ctxClient) Do(r *http.Request) (*http.Response, error) { return d.c.Do(r.WithContext(d.ctx)) }

// bot returns the Bot API client bound to ctx: a copy of the shared one
// whose requests end when ctx does.
func (c *Channel) bot(ctx context.Context) *tgbotapi.BotAPI {
	b := *c.api
	b.Client = ctxClient{ctx, c.http}
	return &b
}

// call makes one Bot API request and returns its result; errors never hold
// the token.
func (c *Channel) call(ctx context.Context, req tgbotapi.Chattable) (*tgbotapi.APIResponse, error) {
	resp, err := c.bot(ctx).Request(req)
	return resp, c.redact(err)
}

// redact removes the token from an error's text (a network error quotes
// the request URL, which holds it). A *tgbotapi.Error is kept as it is:
// it carries only Telegram's description.
func (c *Channel) redact(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := errors.AsType[*tgbotapi.Error](err); ok {
		return err
	}
	msg := err.Error()
	if !strings.Contains(msg, c.cfg.Token) {
		return err
	}
	return &redacted{msg: strings.ReplaceAll(msg, c.cfg.Token, "<token>"), err: err}
}

// redacted is an error whose text had the token removed; Unwrap keeps the
// cause for errors.Is (context.Canceled) but its text is never shown.
type redacted struct {
	msg string
	err error
}

func (r *redacted) Error() string { return r.msg }
func (r *redacted) Unwrap() error {
	if errors.Is(r.err, context.Canceled) {
		return context.Canceled
	}
	if errors.Is(r.err, context.DeadlineExceeded) {
		return context.DeadlineExceeded
	}
	return nil
}

// Username returns the bot's @username (without @), asking getMe once.
func (c *Channel) Username(ctx context.Context) (string, error) {
	c.mu.Lock()
	name := c.username
	c.mu.Unlock()
	if name != "" {
		return name, nil
	}
	me, err := c.bot(ctx).GetMe()
	if err != nil {
		return "", fmt.Errorf("telegram getMe: %w", c.redact(err))
	}
	if me.UserName == "" {
		return "", errors.New("telegram getMe: the bot has no username")
	}
	c.mu.Lock()
	c.username = me.UserName
	c.mu.Unlock()
	return me.UserName, nil
}

// knownUsername is the username if already known, without asking.
func (c *Channel) knownUsername() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.username
}

// Close waits for the group notices still being sent.
func (c *Channel) Close() { c.bg.Wait() }
