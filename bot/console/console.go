package console

import (
	"context"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/passerelle-org/passerelle/bot"
	"github.com/passerelle-org/passerelle/knowledge"
	"github.com/passerelle-org/passerelle/locales"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Articles is the knowledge base as the console uses it: the articles of
// a language, and one article.
type Articles interface {
	Article(topic, lang string) (*knowledge.Article, bool)
	ArticlesIn(lang string) []*knowledge.Article
}

// Console serves the caseworker console. Make one with New.
type Console struct {
	store     bot.ConsoleStore
	locales   *locales.Catalog
	articles  Articles
	log       *slog.Logger
	clock     func() time.Time
	delivered func()
	insecure  bool
	tmpl      *template.Template
	limiter   *limiter
	events    *broker
	// relay, stopBus and busDone are set when Options.Events is (see
	// events.go).
	relay     *relay
	stopBus   context.CancelFunc
	busDone   sync.WaitGroup
	closeOnce sync.Once
}

// Options configures a Console.
type Options struct {
	Store    bot.ConsoleStore
	Locales  *locales.Catalog
	Articles Articles
	Log      *slog.Logger
	Clock    func() time.Time
	// Delivered wakes the outbox worker after a reply was queued; may be nil.
	Delivered func()
	// Insecure drops the Secure flag from the session cookie, for tests
	// over plain HTTP. Never set it in production.
	Insecure bool
	// Events carries live updates between replicas (PostgreSQL
	// LISTEN/NOTIFY); nil when this process is the only one. The console
	// listens on it from New until Close.
	Events bot.Events
}

// New builds a console.
func New(o Options) (*Console, error) {
	if o.Store == nil || o.Locales == nil {
		return nil, errors.New("console: store and locales are required")
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	t, err := template.New("").Funcs(funcs).ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	c := &Console{
		store: o.Store, locales: o.Locales, articles: o.Articles, log: o.Log, clock: o.Clock,
		delivered: o.Delivered, insecure: o.Insecure, tmpl: t,
		limiter: newLimiter(5, 15*time.Minute), events: newBroker(),
	}
	if o.Events != nil {
		c.startBus(o.Events)
	}
	return c, nil
}

var funcs = template.FuncMap{
	"when": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
	"join": strings.Join,
	"t":    translate,
	"rows": func(p *locales.Printer, items []bot.QueueItem) rowsData { return rowsData{P: p, Items: items} },
	// status names a handoff status in the interface language.
	"status": func(p *locales.Printer, s string) string { return p.T("console.status."+s, nil) },
}

// Notify tells every open console, on every replica, that the queue
// changed (a handoff was opened). Safe to call from any goroutine; it
// never blocks.
func (c *Console) Notify() { c.publish("queue") }

// OnInbound suits bot.Engine.OnInbound: a conversation page open on that
// conversation, on any replica, shows the person's new message without
// reloading.
func (c *Console) OnInbound(conversationID int64) { c.conversationChanged(conversationID) }

// OnHandoff suits bot.Engine.OnHandoff: a new handoff reaches the console
// at once.
func (c *Console) OnHandoff(bot.Handoff) { c.Notify() }

// Close ends the open event streams and stops listening to the other
// replicas (call it when the server shuts down). Calling it again does
// nothing.
func (c *Console) Close() {
	c.closeOnce.Do(func() {
		c.events.close()
		if c.stopBus != nil {
			c.stopBus()
			c.busDone.Wait()
		}
	})
}

// Routes registers the console under /console/ on mux. Every route but the
// login page and static files needs a session; cross-origin writes are
// refused.
func (c *Console) Routes(mux *http.ServeMux) {
	inner := http.NewServeMux()
	static, _ := fs.Sub(staticFS, "static")
	inner.Handle("GET /console/static/", http.StripPrefix("/console/static/", http.FileServerFS(static)))
	inner.HandleFunc("GET /console/login", c.loginPage)
	inner.HandleFunc("POST /console/login", c.login)
	inner.Handle("POST /console/logout", c.auth(c.logout))
	inner.Handle("GET /console/{$}", c.auth(c.queuePage))
	inner.Handle("GET /console/events", c.auth(c.stream))
	inner.Handle("GET /console/handoffs/{id}", c.auth(c.conversationPage))
	inner.Handle("POST /console/handoffs/{id}/claim", c.auth(c.claim))
	inner.Handle("POST /console/handoffs/{id}/release", c.auth(c.release))
	inner.Handle("POST /console/handoffs/{id}/close", c.auth(c.close))
	inner.Handle("POST /console/handoffs/{id}/transfer", c.auth(c.transfer))
	inner.Handle("POST /console/handoffs/{id}/reply", c.auth(c.reply))
	inner.Handle("POST /console/handoffs/{id}/article", c.auth(c.sendArticle))
	inner.Handle("POST /console/handoffs/{id}/note", c.auth(c.note))
	inner.Handle("POST /console/handoffs/{id}/reveal", c.auth(c.reveal))
	inner.Handle("GET /console/audit", c.auth(c.auditPage))
	inner.Handle("GET /console/accounts", c.auth(c.admin(c.accountsPage)))
	inner.Handle("POST /console/accounts", c.auth(c.admin(c.createAccount)))
	inner.Handle("POST /console/accounts/{id}/disable", c.auth(c.admin(c.setDisabled(true))))
	inner.Handle("POST /console/accounts/{id}/enable", c.auth(c.admin(c.setDisabled(false))))
	var h http.Handler = inner
	h = http.NewCrossOriginProtection().Handler(h)
	h = secureHeaders(h)
	mux.Handle("/console/", h)
	mux.Handle("GET /console", http.RedirectHandler("/console/", http.StatusSeeOther))
}

func secureHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; form-action 'self'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	})
}

// render executes a page template.
func (c *Console) render(w http.ResponseWriter, status int, name string, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := c.tmpl.ExecuteTemplate(w, name, data); err != nil {
		c.log.Error("render", "template", name, "err", err)
	}
}

// fail is the one place errors become HTTP statuses; users never see
// internal errors.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, bot.ErrNotFound):
		c.error(w, r, "console.error.not_found", http.StatusNotFound)
	case errors.Is(err, bot.ErrConflict):
		c.error(w, r, "console.error.conflict", http.StatusConflict)
	case errors.Is(err, errForbidden):
		c.error(w, r, "console.error.forbidden", http.StatusForbidden)
	case errors.Is(err, context.Canceled):
	default:
		c.log.Error("console request failed", "path", r.URL.Path, "err", err)
		c.error(w, r, "console.error.internal", http.StatusInternalServerError)
	}
}

// error answers with the message key in the caseworker's interface
// language, as plain text.
func (c *Console) error(w http.ResponseWriter, r *http.Request, key string, status int) {
	http.Error(w, c.printer(r).T(key, nil), status)
}

var errForbidden = errors.New("forbidden")
