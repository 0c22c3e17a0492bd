package twilio_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/passerelle-org/passerelle/bot"
	"github.com/passerelle-org/passerelle/bot/sqlite"
	"github.com/passerelle-org/passerelle/bot/triage"
	"github.com/passerelle-org/passerelle/channels/twilio"
	"github.com/passerelle-org/passerelle/channels/twilio/twiliotest"
	"github.com/passerelle-org/passerelle/flows"
	"github.com/passerelle-org/passerelle/knowledge"
	"github.com/passerelle-org/passerelle/knowledge/articles"
	kbleve "github.com/passerelle-org/passerelle/knowledge/bleve"
	"github.com/passerelle-org/passerelle/locales"
)

// Test account. The numbers are in the +33 6 39 98 range, reserved for
// fiction in France.
const (
	accountSID   = "AC0123456789abcdef0123456789abcdef"
	authToken    = "f0e1d2c3b4a5968778695a4b3c2d1e0f"
	publicURL    = "https://passerelle.example.org" // behind a reverse proxy
	smsFrom      = "+33639980900"
	whatsappFrom = "whatsapp:+33639980901"
	templateEN   = "HX00000000000000000000000000000e11"
	templateFR   = "HX00000000000000000000000000000f12"
)

// content is loaded once: it is read-only and slow-ish to index.
var content struct {
	once   sync.Once
	cat    *locales.Catalog
	kb     *knowledge.Base
	search knowledge.Searcher
	flows  *flows.Set
	tri    *triage.Triage
	err    error
}

func loadContent(t testing.TB) {
	content.once.Do(func() {
		c := &content
		if c.cat, c.err = locales.Load(); c.err != nil {
			return
		}
		if c.kb, c.err = knowledge.Load(articles.FS); c.err != nil {
			return
		}
		if c.search, c.err = kbleve.New(c.kb); c.err != nil {
			return
		}
		if c.flows, c.err = flows.Builtin(); c.err != nil {
			return
		}
		c.tri, c.err = triage.New()
	})
	if content.err != nil {
		t.Fatal(content.err)
	}
}

// clock is a settable test clock.
type clock struct{ ns atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.ns.Store(time.Now().UnixNano())
	return c
}
func (c *clock) Now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *clock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// env is the real Engine, Worker and Twilio channel on a real SQLite file,
// with a fake Twilio API on loopback.
type env struct {
	t      testing.TB
	store  *sqlite.Store
	engine *bot.Engine
	worker *bot.Worker
	ch     *twilio.Channel
	api    *twiliotest.Server
	mux    *http.ServeMux
	clock  *clock
	logs   *bytes.Buffer
	seq    int
}

// options change an env before it starts.
type options struct {
	templates map[string]string
}

func newEnv(t testing.TB, opts ...func(*options)) *env {
	loadContent(t)
	o := options{templates: map[string]string{"en": templateEN, "fr": templateFR}}
	for _, f := range opts {
		f(&o)
	}
	keys, err := bot.NewKeyring(bytes.Repeat([]byte("t"), 32))
	if err != nil {
		t.Fatal(err)
	}
	clk := newClock()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "p.db"), keys, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	logs := &bytes.Buffer{}
	log := slog.New(slog.NewJSONHandler(&lockedWriter{w: logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	api := twiliotest.NewServer(t, accountSID, authToken)
	w := &bot.Worker{Store: st, Log: log, Clock: clk.Now, Senders: map[bot.Channel]bot.Sender{}}
	e := &bot.Engine{
		Store: st, Flows: content.flows, Search: content.search, Articles: content.kb,
		Locales: content.cat, Triage: content.tri, Log: log, Clock: clk.Now,
		Threshold: knowledge.DefaultThreshold, RetentionDays: 30,
	}
	ch, err := twilio.New(twilio.Config{
		AccountSID: accountSID, AuthToken: authToken, APIURL: api.URL, PublicURL: publicURL,
		SMSFrom: smsFrom, WhatsAppFrom: whatsappFrom, Rate: 1000,
		Templates: o.templates, TemplateFallback: "en", Clock: clk.Now,
	}, e, w, content.cat, log)
	if err != nil {
		t.Fatal(err)
	}
	w.Senders[bot.ChannelSMS], w.Senders[bot.ChannelWhatsApp] = ch, ch
	mux := http.NewServeMux()
	ch.Routes(mux)
	return &env{t: t, store: st, engine: e, worker: w, ch: ch, api: api, mux: mux, clock: clk, logs: logs}
}

// lockedWriter lets the handler log from several goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// post sends a form to path, signed as Twilio signs it for the public URL.
func (e *env) post(path string, form url.Values) *httptest.ResponseRecorder {
	e.t.Helper()
	return e.do(twiliotest.NewRequest(path, publicURL+path, authToken, form))
}

func (e *env) do(req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	e.mux.ServeHTTP(rec, req)
	return rec
}

// smsForm is an inbound SMS as Twilio posts it.
func (e *env) smsForm(from, body string) url.Values {
	e.seq++
	sid := fmt.Sprintf("SM%032x", e.seq)
	return url.Values{
		"ToCountry": {"FR"}, "ToState": {""}, "SmsMessageSid": {sid}, "NumMedia": {"0"}, "ToCity": {""},
		"FromZip": {""}, "SmsSid": {sid}, "FromState": {""}, "SmsStatus": {"received"}, "FromCity": {""},
		"Body": {body}, "FromCountry": {"FR"}, "To": {smsFrom}, "ToZip": {""}, "NumSegments": {"1"},
		"MessageSid": {sid}, "AccountSid": {accountSID}, "From": {from}, "ApiVersion": {"2010-04-01"},
	}
}

// waForm is an inbound WhatsApp text as Twilio posts it.
func (e *env) waForm(from, profile, body string) url.Values {
	e.seq++
	sid := fmt.Sprintf("SM%032x", e.seq)
	return url.Values{
		"SmsMessageSid": {sid}, "NumMedia": {"0"}, "ProfileName": {profile}, "MessageType": {"text"},
		"SmsSid": {sid}, "WaId": {strings.TrimPrefix(from, "+")}, "SmsStatus": {"received"}, "Body": {body},
		"To": {whatsappFrom}, "NumSegments": {"1"}, "ReferralNumMedia": {"0"}, "MessageSid": {sid},
		"AccountSid": {accountSID}, "From": {"whatsapp:" + from}, "ApiVersion": {"2010-04-01"},
	}
}

// sms posts an inbound SMS, checks it is accepted, and delivers the replies.
func (e *env) sms(from, body string) []twiliotest.Message {
	e.t.Helper()
	return e.accept(twilio.SMSPath, e.smsForm(from, body), from)
}

// wa posts an inbound WhatsApp text and delivers the replies.
func (e *env) wa(from, body string) []twiliotest.Message {
	e.t.Helper()
	return e.accept(twilio.WhatsAppPath, e.waForm(from, "Amal", body), "whatsapp:"+from)
}

// accept posts form to path, wants 200, and returns what was sent to to.
func (e *env) accept(path string, form url.Values, to string) []twiliotest.Message {
	e.t.Helper()
	before := len(e.api.To(to))
	if rec := e.post(path, form); rec.Code != http.StatusOK {
		e.t.Fatalf("POST %s: %d %s", path, rec.Code, rec.Body.String())
	}
	e.drain()
	return e.api.To(to)[before:]
}

// drain sends everything due.
func (e *env) drain() {
	e.t.Helper()
	for {
		n, err := e.worker.Drain(context.Background())
		if err != nil {
			e.t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

func bodies(ms []twiliotest.Message) string {
	var b strings.Builder
	for _, m := range ms {
		b.WriteString(m.Body)
		b.WriteString("\n---\n")
	}
	return b.String()
}

// conversationOf finds the conversation of a contact.
func (e *env) conversationOf(ch bot.Channel, addr string) bot.Conversation {
	e.t.Helper()
	var conv bot.Conversation
	err := e.store.InTx(context.Background(), func(tx bot.Tx) error {
		var err error
		_, conv, err = tx.EnsureContact(context.Background(), ch, addr)
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return conv
}

// outbox is the conversation's outbox as the console sees it.
func (e *env) outbox(ch bot.Channel, addr string) []bot.Outbound {
	e.t.Helper()
	out, err := e.store.Outbox(context.Background(), e.conversationOf(ch, addr).ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}
