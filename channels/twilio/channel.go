package twilio

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	twclient "github.com/twilio/twilio-go/client"

	"github.com/passerelle-org/passerelle/bot"
	"github.com/passerelle-org/passerelle/locales"
)

// Handler takes one verified inbound message; bot.Engine implements it.
type Handler interface {
	Handle(ctx context.Context, in bot.Inbound) error
}

// Reporter takes delivery reports from status callbacks; bot.Worker
// implements it. It returns an error wrapping bot.ErrNotFound for a
// message it does not know.
type Reporter interface {
	Report(ctx context.Context, d bot.Delivery) error
}

// DefaultAPIURL is Twilio's REST API.
const DefaultAPIURL = "https://api.twilio.com"

// DefaultWindow is WhatsApp's customer service window: free-form messages
// may go until 24 hours after the person's last message.
const DefaultWindow = 24 * time.Hour

// DefaultRate is the default sending rate, in messages per second per
// sender: Twilio queues what a sender cannot send at once, so this only
// keeps the API calls within bounds.
const DefaultRate = 10

// Config is what the channel needs to know.
type Config struct {
	AccountSID string // AC...
	AuthToken  string // signs webhooks and authenticates API calls
	// APIURL is the REST API base URL (default DefaultAPIURL): another
	// value points the client at a proxy or a test double.
	APIURL string
	// PublicURL is the service's public base URL, as configured in Twilio:
	// webhooks are verified against it and status callbacks point to it.
	PublicURL string
	// SMSFrom is the SMS sender number (E.164); WhatsAppFrom the WhatsApp
	// sender ("whatsapp:+..." or "+..."). An empty one turns its channel off.
	SMSFrom      string
	WhatsAppFrom string
	// Rate is the most messages a second sent from each sender (default
	// DefaultRate).
	Rate float64
	// Pacer, when set, keeps Rate for every replica that shares it
	// (bot.StorePacer on PostgreSQL), per sender, instead of for this
	// process alone.
	Pacer Pacer
	// Templates maps a language code to the ContentSid (HX...) of the
	// approved WhatsApp template that tells the person a reply is waiting;
	// TemplateFallback is the language whose template is used for a
	// language that has none.
	Templates        map[string]string
	TemplateFallback string
	// Window is how long after the person's last message free-form
	// WhatsApp messages may go (default DefaultWindow). A margin of a few
	// minutes is kept before it ends.
	Window time.Duration
	// HTTPClient makes the API calls (default: a client with a 15 s timeout).
	HTTPClient *http.Client
	// Clock is the current time (default time.Now).
	Clock func() time.Time
}

var (
	accountRE = regexp.MustCompile(`^AC[0-9a-fA-F]{32}$`)
	contentRE = regexp.MustCompile(`^HX[0-9a-fA-F]{32}$`)
	e164RE    = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)
)

// Channel is the Twilio adapter: webhook routes and a bot.Sender for SMS
// and WhatsApp.
type Channel struct {
	cfg       Config
	h         Handler
	rep       Reporter
	cat       *locales.Catalog
	log       *slog.Logger
	validator twclient.RequestValidator
	api       *url.URL
	public    string // PublicURL without its trailing slash
	callback  string // status callback URL

	mu       sync.Mutex
	limiters map[string]*limiter // per sender

	stats counters
}

// New checks cfg and makes the channel. h takes inbound messages, rep
// delivery reports; cat renders the "reply with a number" line of WhatsApp
// option lists.
func New(cfg Config, h Handler, rep Reporter, cat *locales.Catalog, log *slog.Logger) (*Channel, error) {
	if !accountRE.MatchString(cfg.AccountSID) {
		return nil, errors.New("twilio: the account SID must be AC followed by 32 hex digits")
	}
	if cfg.AuthToken == "" {
		return nil, errors.New("twilio: no auth token")
	}
	if h == nil {
		h = refuseAll{}
	}
	if rep == nil {
		rep = ignoreReports{}
	}
	pub, err := url.Parse(cfg.PublicURL)
	if err != nil || (pub.Scheme != "https" && pub.Scheme != "http") || pub.Host == "" || pub.RawQuery != "" {
		return nil, fmt.Errorf("twilio: public URL %q: want an http(s) base URL without query", cfg.PublicURL)
	}
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultAPIURL
	}
	api, err := url.Parse(cfg.APIURL)
	if err != nil || (api.Scheme != "https" && api.Scheme != "http") || api.Host == "" {
		return nil, fmt.Errorf("twilio: API URL %q: want an http(s) URL", cfg.APIURL)
	}
	if cfg.SMSFrom != "" && !e164RE.MatchString(cfg.SMSFrom) {
		return nil, fmt.Errorf("twilio: SMS sender %q: want an E.164 number", cfg.SMSFrom)
	}
	if cfg.WhatsAppFrom != "" {
		cfg.WhatsAppFrom = "whatsapp:" + strings.TrimPrefix(cfg.WhatsAppFrom, "whatsapp:")
		if !e164RE.MatchString(strings.TrimPrefix(cfg.WhatsAppFrom, "whatsapp:")) {
			return nil, fmt.Errorf("twilio: WhatsApp sender %q: want whatsapp:+<E.164 number>", cfg.WhatsAppFrom)
		}
	}
	for lang, sid := range cfg.Templates {
		if !contentRE.MatchString(sid) {
			return nil, fmt.Errorf("twilio: template for %s: %q is not a ContentSid (HX + 32 hex digits)", lang, sid)
		}
	}
	if cfg.Rate <= 0 {
		cfg.Rate = DefaultRate
	}
	if cfg.Window <= 0 {
		cfg.Window = DefaultWindow
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &Channel{
		cfg: cfg, h: h, rep: rep, cat: cat, log: log,
		validator: twclient.NewRequestValidator(cfg.AuthToken),
		api:       api,
		public:    strings.TrimRight(cfg.PublicURL, "/"),
		limiters:  map[string]*limiter{},
	}
	c.callback = c.public + StatusPath
	return c, nil
}

// Pacer books Messages API calls from one sender against a rate shared
// by several replicas; bot.StorePacer implements it. Reserve returns how
// long to wait before the call, or ok false (nothing booked) when that
// would be longer than maxWait.
type Pacer interface {
	Reserve(ctx context.Context, key string, maxWait time.Duration) (wait time.Duration, ok bool, err error)
}

// Paths of the webhooks.
const (
	SMSPath      = "/webhooks/twilio/sms"
	WhatsAppPath = "/webhooks/twilio/whatsapp"
	StatusPath   = "/webhooks/twilio/status"
)

// Routes registers the three webhooks.
func (c *Channel) Routes(mux *http.ServeMux) {
	mux.HandleFunc("POST "+SMSPath, c.inbound(bot.ChannelSMS))
	mux.HandleFunc("POST "+WhatsAppPath, c.inbound(bot.ChannelWhatsApp))
	mux.HandleFunc("POST "+StatusPath, c.status)
}

// refuseAll is the Handler of a channel made only to send or verify.
type refuseAll struct{}

func (refuseAll) Handle(context.Context, bot.Inbound) error {
	return errors.New("no handler for inbound messages")
}

// ignoreReports is the Reporter of a channel made only to send or verify.
type ignoreReports struct{}

func (ignoreReports) Report(context.Context, bot.Delivery) error { return bot.ErrNotFound }

// Stats are the channel's counters since it started.
type Stats struct {
	SMSReplies  int64 // SMS messages sent
	SMSSegments int64 // segments they cost
	// SegmentsPerReply counts SMS replies by the segments each cost: index
	// 1 to 4, and 5 for five or more.
	SegmentsPerReply [6]int64
	WhatsAppSent     int64 // free-form WhatsApp messages sent
	Templates        int64 // "a reply is waiting" templates sent
	Held             int64 // replies held for a closed window
	Rejected         int64 // webhook requests refused (signature, size, form)
}

type counters struct {
	smsReplies, smsSegments, whatsapp, templates, held, rejected atomic.Int64
	perReply                                                     [6]atomic.Int64
}

// Stats returns the counters: what a metrics endpoint exposes.
func (c *Channel) Stats() Stats {
	s := Stats{
		SMSReplies: c.stats.smsReplies.Load(), SMSSegments: c.stats.smsSegments.Load(),
		WhatsAppSent: c.stats.whatsapp.Load(), Templates: c.stats.templates.Load(),
		Held: c.stats.held.Load(), Rejected: c.stats.rejected.Load(),
	}
	for i := range s.SegmentsPerReply {
		s.SegmentsPerReply[i] = c.stats.perReply[i].Load()
	}
	return s
}

func (c *Channel) countSegments(n int) {
	c.stats.smsReplies.Add(1)
	c.stats.smsSegments.Add(int64(n))
	c.stats.perReply[min(max(n, 1), 5)].Add(1)
}
