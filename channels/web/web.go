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
	"strings"
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
	boot string // tells this process's event ids from an earlier one's
	done chan struct{}
	once sync.Once
}

// mailbox holds a session's latest replies and wakes its streams. Replies
// already written stay a while: a page that lost its connection reconnects
// with the id of the last reply it got (Last-Event-ID), and receives the
// ones written to the dead connection again.
type mailbox struct {
	events  []Event       // oldest first, at most maxPending
	sent    int64         // id of the last event written to a stream
	wake    chan struct{} // closed, and replaced, when an event comes
	seen    time.Time
	streams int // open event streams
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

// maxPending bounds the replies a session keeps; the oldest go first.
const maxPending = 200

// New makes the simulator channel.
func New(h Handler, cat *locales.Catalog, log *slog.Logger) *Channel {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Channel{
		h: h, cat: cat, log: log, box: map[string]*mailbox{}, done: make(chan struct{}),
		boot: strconv.FormatInt(time.Now().UnixNano(), 36),
	}
}

// Routes registers the page, its assets and the simulator API.
func (c *Channel) Routes(mux *http.ServeMux) {
	sub, _ := fs.Sub(static, "static")
	files := http.FileServerFS(sub)
	mux.Handle("GET /{$}", secure(http.HandlerFunc(c.page)))
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
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			http.Error(w, "this message is too long", http.StatusRequestEntityTooLarge)
			return
		}
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
		b = &mailbox{wake: make(chan struct{})}
		c.box[session] = b
	}
	b.seen = time.Now()
	return b
}

// maxSessions triggers a sweep of idle sessions, so memory stays bounded.
const maxSessions = 1000

// sweep forgets sessions idle for an hour with no open stream and nothing
// waiting. c.mu held.
func (c *Channel) sweep() {
	for k, b := range c.box {
		if time.Since(b.seen) > time.Hour && b.streams == 0 && b.undelivered() == 0 {
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
	b.events = append(b.events, ev)
	if len(b.events) > maxPending {
		b.events = b.events[len(b.events)-maxPending:]
	}
	close(b.wake) // wakes every stream of the session
	b.wake = make(chan struct{})
	c.mu.Unlock()
	return "web-" + strconv.FormatInt(ev.ID, 10), nil
}

// undelivered counts the events no stream has been given. c.mu held.
func (b *mailbox) undelivered() int {
	n := 0
	for i := len(b.events) - 1; i >= 0 && b.events[i].ID > b.sent; i-- {
		n++
	}
	return n
}

// take returns a session's events after the id, and marks them sent; wake
// is closed when more come.
func (c *Channel) take(b *mailbox, after int64) (_ []Event, wake <-chan struct{}) {
	c.mu.Lock()
	defer c.mu.Unlock()
	i := len(b.events)
	for i > 0 && b.events[i-1].ID > after {
		i--
	}
	out := append([]Event(nil), b.events[i:]...)
	if n := len(out); n > 0 && out[n-1].ID > b.sent {
		b.sent = out[n-1].ID
	}
	return out, b.wake
}

// attach registers an open stream of the session, and returns the id after
// which it starts: the page's Last-Event-ID when it is one of this
// process's, else the last event already given to a stream.
func (c *Channel) attach(b *mailbox, lastEventID string) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	b.streams++
	if id, ok := strings.CutPrefix(lastEventID, c.boot+"."); ok {
		if n, err := strconv.ParseInt(id, 10, 64); err == nil && n >= 0 && n <= c.seq {
			return n
		}
	}
	return b.sent
}

// detach unregisters a stream that ended.
func (c *Channel) detach(b *mailbox) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b.streams--
	b.seen = time.Now()
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
	last := c.attach(b, r.Header.Get("Last-Event-ID"))
	defer c.detach(b)
	fmt.Fprint(w, ": connected\n\n")
	fl.Flush()
	ping := time.NewTicker(20 * time.Second)
	defer ping.Stop()
	for {
		evs, wake := c.take(b, last)
		for _, ev := range evs {
			data, _ := json.Marshal(ev)
			fmt.Fprintf(w, "id: %s.%d\ndata: %s\n\n", c.boot, ev.ID, data)
			last = ev.ID
		}
		fl.Flush()
		select {
		case <-r.Context().Done():
			return
		case <-c.done:
			return
		case <-wake:
		case <-ping.C:
			fmt.Fprint(w, ": ping\n\n")
		}
	}
}

// Close ends every event stream (on shutdown).
func (c *Channel) Close() { c.once.Do(func() { close(c.done) }) }
