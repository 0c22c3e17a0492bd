package web

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/passerelle-org/passerelle/bot"
	"github.com/passerelle-org/passerelle/channels"
	"github.com/passerelle-org/passerelle/locales"
)

//go:embed static
var static embed.FS

// Handler takes one inbound message; bot.Engine implements it.
type Handler interface {
	Handle(ctx context.Context, in bot.Inbound) error
}

// Channel is the simulator: HTTP routes for the page and a bot.Sender that
// delivers replies to the page's event stream.
type Channel struct {
	h    Handler
	cat  *locales.Catalog
	log  *slog.Logger
	mu   sync.Mutex
	box  map[string]*mailbox
	seq  int64
	done chan struct{}
	once sync.Once
}

// mailbox holds a session's undelivered replies and wakes its stream.
type mailbox struct {
	pending []Event
	wake    chan struct{}
	seen    time.Time
}

// Event is one reply as the page receives it.
type Event struct {
	ID       int64        `json:"id"`
	Text     string       `json:"text"`
	Options  []bot.Option `json:"options,omitempty"`
	Surface  bot.Surface  `json:"surface"`
	Lang     string       `json:"lang"`
	Dir      string       `json:"dir"`
	Segments int          `json:"segments,omitempty"` // SMS cost
	Encoding string       `json:"encoding,omitempty"` // GSM-7 or UCS-2
}

// maxPending bounds a session's undelivered replies; the oldest go first.
const maxPending = 200

// New makes the simulator channel.
func New(h Handler, cat *locales.Catalog, log *slog.Logger) *Channel {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Channel{h: h, cat: cat, log: log, box: map[string]*mailbox{}, done: make(chan struct{})}
}

// Routes registers the page, its assets and the simulator API.
func (c *Channel) Routes(mux *http.ServeMux) {
	sub, _ := fs.Sub(static, "static")
	files := http.FileServerFS(sub)
	mux.Handle("GET /{$}", secure(files))
	mux.Handle("GET /static/", secure(http.StripPrefix("/static/", files)))
	mux.HandleFunc("POST /sim/send", c.send)
	mux.HandleFunc("GET /sim/events", c.events)
}

func secure(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'; connect-src 'self'; img-src 'self' data:")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "no-referrer")
		h.ServeHTTP(w, r)
	})
}

var (
	sessionRE = regexp.MustCompile(`^[A-Za-z0-9-]{8,64}$`)
	msgIDRE   = regexp.MustCompile(`^[A-Za-z0-9-]{1,64}$`)
)

// sendRequest is what the page posts for each message.
type sendRequest struct {
	Session string `json:"session"`
	ID      string `json:"id"`
	Text    string `json:"text"`
	Payload string `json:"payload"`
	Surface string `json:"surface"`
	Lang    string `json:"lang"`
}

// maxBody bounds a posted message: far more than any chat message.
const maxBody = 64 << 10

func (c *Channel) send(w http.ResponseWriter, r *http.Request) {
	var req sendRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		http.Error(w, "malformed JSON body", http.StatusBadRequest)
		return
	}
	surface, ok := bot.ParseSurface(req.Surface)
	switch {
	case !sessionRE.MatchString(req.Session):
		http.Error(w, "session must be 8-64 letters, digits or dashes", http.StatusBadRequest)
		return
	case !msgIDRE.MatchString(req.ID):
		http.Error(w, "id must be 1-64 letters, digits or dashes", http.StatusBadRequest)
		return
	case !ok:
		http.Error(w, "surface must be telegram, whatsapp or sms", http.StatusBadRequest)
		return
	case len(req.Payload) > 64:
		http.Error(w, "payload too long", http.StatusBadRequest)
		return
	}
	c.mailbox(req.Session) // the stream may connect after the reply is ready
	in := bot.Inbound{
		Channel: bot.ChannelWeb, Surface: surface, Address: req.Session, ProviderID: req.Session + ":" + req.ID,
		Text: req.Text, Payload: req.Payload, LangHint: req.Lang, ReceivedAt: time.Now().UTC(),
	}
	if err := c.h.Handle(r.Context(), in); err != nil {
		c.log.Error("simulator message not handled", "err", err)
		http.Error(w, "could not record the message; please send it again", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func (c *Channel) mailbox(session string) *mailbox {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.box) > maxSessions {
		c.sweep()
	}
	b := c.box[session]
	if b == nil {
		b = &mailbox{wake: make(chan struct{}, 1)}
		c.box[session] = b
	}
	b.seen = time.Now()
	return b
}

// maxSessions triggers a sweep of idle sessions, so memory stays bounded.
const maxSessions = 1000

// sweep forgets sessions idle for an hour with nothing waiting. c.mu held.
func (c *Channel) sweep() {
	for k, b := range c.box {
		if time.Since(b.seen) > time.Hour && len(b.pending) == 0 {
			delete(c.box, k)
		}
	}
}

// Send delivers a reply to the session's page. It implements bot.Sender.
func (c *Channel) Send(ctx context.Context, o bot.Outbound) (string, error) {
	if !sessionRE.MatchString(o.Address) {
		return "", &bot.SendError{Kind: bot.SendPermanent, Err: errors.New("not a simulator session")}
	}
	ev := Event{Text: o.Text, Options: o.Options, Surface: o.Surface, Lang: o.Lang, Dir: "ltr"}
	if c.cat != nil {
		if l, ok := c.cat.Language(o.Lang); ok {
			ev.Dir = l.Dir
		}
	}
	if o.Surface == bot.SurfaceSMS {
		ev.Segments, ev.Encoding = channels.SMSSegments(o.Text), channels.SMSEncoding(o.Text)
	}
	b := c.mailbox(o.Address)
	c.mu.Lock()
	c.seq++
	ev.ID = c.seq
	b.pending = append(b.pending, ev)
	if len(b.pending) > maxPending {
		b.pending = b.pending[len(b.pending)-maxPending:]
	}
	c.mu.Unlock()
	select {
	case b.wake <- struct{}{}:
	default:
	}
	return "web-" + strconv.FormatInt(ev.ID, 10), nil
}

// take removes and returns a session's pending replies.
func (c *Channel) take(b *mailbox) []Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := b.pending
	b.pending = nil
	return out
}

// events streams a session's replies as server-sent events.
func (c *Channel) events(w http.ResponseWriter, r *http.Request) {
	session := r.URL.Query().Get("session")
	if !sessionRE.MatchString(session) {
		http.Error(w, "session must be 8-64 letters, digits or dashes", http.StatusBadRequest)
		return
	}
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	b := c.mailbox(session)
	fmt.Fprint(w, ": connected\n\n")
	fl.Flush()
	ping := time.NewTicker(20 * time.Second)
	defer ping.Stop()
	for {
		for _, ev := range c.take(b) {
			data, _ := json.Marshal(ev)
			fmt.Fprintf(w, "id: %d\ndata: %s\n\n", ev.ID, data)
		}
		fl.Flush()
		select {
		case <-r.Context().Done():
			return
		case <-c.done:
			return
		case <-b.wake:
		case <-ping.C:
			fmt.Fprint(w, ": ping\n\n")
		}
	}
}

// Close ends every event stream (on shutdown).
func (c *Channel) Close() { c.once.Do(func() { close(c.done) }) }
