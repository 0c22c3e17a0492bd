package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/passerelle-org/passerelle/bot"
	"github.com/passerelle-org/passerelle/bot/console"
	"github.com/passerelle-org/passerelle/bot/postgres"
	"github.com/passerelle-org/passerelle/bot/sqlite"
	"github.com/passerelle-org/passerelle/bot/triage"
	"github.com/passerelle-org/passerelle/channels/telegram"
	"github.com/passerelle-org/passerelle/channels/twilio"
	"github.com/passerelle-org/passerelle/channels/web"
	"github.com/passerelle-org/passerelle/flows"
	"github.com/passerelle-org/passerelle/knowledge"
	"github.com/passerelle-org/passerelle/knowledge/articles"
	kbleve "github.com/passerelle-org/passerelle/knowledge/bleve"
	"github.com/passerelle-org/passerelle/locales"
)

// Main is the running program: configuration and every part it wires
// together. Open builds the parts, Run serves until its context ends,
// Close releases what Open took.
type Main struct {
	Config Config
	Log    *slog.Logger
	Clock  func() time.Time

	Locales *locales.Catalog
	KB      *knowledge.Base
	Search  knowledge.Searcher
	Flows   *flows.Set
	Store   bot.Store
	Engine  *bot.Engine
	Worker  *bot.Worker
	Web     *web.Channel
	// Telegram is nil when no bot token is configured.
	Telegram *telegram.Channel
	// Twilio (SMS and WhatsApp) is nil when Twilio is not configured.
	Twilio *twilio.Channel
	// console is the caseworker console; nil when the store lacks support.
	console *console.Console

	// Addr is the address the server listens on once Run has started
	// (useful with PASSERELLE_ADDR=127.0.0.1:0 in tests).
	Addr atomic.Value
	// DebugAddr is the profiler's address once Run has started, when
	// PASSERELLE_DEBUG_ADDR is set.
	DebugAddr atomic.Value
	ready     atomic.Bool

	// RetentionEvery is how often serve runs the retention purge (default
	// a day; tests shorten it).
	RetentionEvery time.Duration
	// LeadEvery is how often a replica on PostgreSQL tries to take the
	// Telegram polling lock, and how often the leader checks it still
	// holds it (default 5s; tests shorten it).
	LeadEvery time.Duration
	// metrics are the counters /metrics shows.
	metrics *serviceMetrics
}

// newLogger writes JSON logs at the configured level. Info level never
// carries message text or addresses: the engine and channels only log ids,
// channels, languages and counts there.
func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}

// Open loads the content and the store and wires the engine.
func (m *Main) Open(ctx context.Context) error {
	if m.Clock == nil {
		m.Clock = time.Now
	}
	if m.Log == nil {
		m.Log = newLogger(os.Stderr, m.Config.LogLevel)
	}
	if err := m.openContent(); err != nil {
		return err
	}
	secret, err := m.Config.secretKey()
	if err != nil {
		return err
	}
	keys, err := bot.NewKeyring(secret)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(m.Config.DataDir, 0o700); err != nil {
		return fmt.Errorf("PASSERELLE_DATA_DIR: %w", err)
	}
	if m.Store, err = openStore(ctx, m.Config, keys, m.Clock); err != nil {
		return err
	}
	tri, err := triage.New()
	if err != nil {
		return err
	}
	sm := m.serviceMetrics()
	m.Worker = &bot.Worker{Store: m.Store, Log: m.Log.With("component", "outbox"), Clock: m.Clock,
		Senders: map[bot.Channel]bot.Sender{}, OnSend: sm.send, Concurrency: m.Config.sendConcurrency()}
	threshold := m.Config.AnswerThreshold
	if threshold == 0 {
		threshold = knowledge.DefaultThreshold
	}
	m.Engine = &bot.Engine{
		Store: m.Store, Flows: m.Flows, Search: m.Search, Articles: m.KB, Locales: m.Locales,
		Triage: tri, Log: m.Log.With("component", "engine"), Clock: m.Clock,
		Threshold: threshold, RetentionDays: m.Config.RetentionDays, Delivered: m.Worker.Wake,
		OnTurn: sm.turn,
	}
	m.Web = web.New(m.Engine, m.Locales, m.Log.With("component", "web"))
	m.Worker.Senders[bot.ChannelWeb] = m.Web
	if err := m.openConsole(); err != nil {
		return err
	}
	if err := m.openTelegram(); err != nil {
		return err
	}
	return m.openTwilio()
}

// openStore opens PostgreSQL when PASSERELLE_DATABASE_URL is set (several
// replicas may share it), otherwise SQLite in the data dir.
func openStore(ctx context.Context, c Config, keys *bot.Keyring, clock func() time.Time) (bot.Store, error) {
	if c.DatabaseURL != "" {
		s, err := postgres.Open(ctx, c.DatabaseURL, keys, clock)
		if err != nil {
			return nil, fmt.Errorf("open store (PASSERELLE_DATABASE_URL): %w", err)
		}
		return s, nil
	}
	s, err := sqlite.Open(ctx, filepath.Join(c.DataDir, "passerelle.db"), keys, clock)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	return s, nil
}

// openContent loads what needs no database: languages and messages, the
// knowledge base and its index, the flows.
func (m *Main) openContent() error {
	var err error
	if m.Locales, err = locales.Load(); err != nil {
		return fmt.Errorf("load locales: %w", err)
	}
	var fsys fs.FS = articles.FS
	if m.Config.KBDir != "" {
		fsys = os.DirFS(m.Config.KBDir)
	}
	if m.KB, err = knowledge.Load(fsys); err != nil {
		return fmt.Errorf("load knowledge base: %w", err)
	}
	idx, err := kbleve.New(m.KB)
	if err != nil {
		return fmt.Errorf("build search index: %w", err)
	}
	if m.Search, err = m.searchBackend(idx); err != nil { // Meilisearch when configured
		return err
	}
	if m.Flows, err = flows.Builtin(); err != nil {
		return fmt.Errorf("load flows: %w", err)
	}
	// A flow naming a missing message or topic stops the start.
	if err := m.Flows.Validate(flowValidator(m.Locales, m.KB)); err != nil {
		return fmt.Errorf("built-in flows: %w", err)
	}
	return nil
}

// serviceMetrics returns the counters /metrics shows, making them once.
func (m *Main) serviceMetrics() *serviceMetrics {
	if m.metrics == nil {
		m.metrics = newServiceMetrics(func(lang string) bool {
			if m.Locales == nil {
				return false
			}
			_, ok := m.Locales.Language(lang)
			return ok
		})
	}
	return m.metrics
}

// Handler is every HTTP route of the service, each request's latency
// measured under its route pattern.
func (m *Main) Handler() http.Handler {
	mux := http.NewServeMux()
	m.Web.Routes(mux)
	m.telegramRoutes(mux)
	m.consoleRoutes(mux)
	m.twilioRoutes(mux)
	mux.HandleFunc("GET /metrics", m.serveMetrics)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if !m.ready.Load() {
			http.Error(w, "starting", http.StatusServiceUnavailable)
			return
		}
		if err := m.Store.Ping(r.Context()); err != nil {
			http.Error(w, "database unreachable", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "ready\n"+m.searchStatus()+"\n")
	})
	return m.serviceMetrics().instrument(mux)
}

// Run serves HTTP, delivers the outbox and runs the daily retention purge
// until ctx ends (SIGTERM), then shuts down gracefully: /readyz answers 503
// (for PASSERELLE_SHUTDOWN_DELAY seconds, so a load balancer stops routing
// here), the listener closes so no new webhook is taken, in-flight
// requests finish, and the outbox worker stops after its current send,
// releasing the claims it still holds so the next start sends them at once.
func (m *Main) Run(ctx context.Context) error {
	ln, err := net.Listen("tcp", m.Config.Addr)
	if err != nil {
		return fmt.Errorf("PASSERELLE_ADDR: %w", err)
	}
	m.Addr.Store(ln.Addr().String())
	srv := &http.Server{Handler: m.Handler(), ReadHeaderTimeout: 10 * time.Second}
	srv.RegisterOnShutdown(m.Web.Close) // ends the simulator's event streams
	srv.RegisterOnShutdown(m.closeConsole)
	wctx, stopWorker := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() { m.Worker.Run(wctx); close(done) }()
	rctx, stopRetention := context.WithCancel(ctx)
	purged := make(chan struct{})
	go func() { m.runRetention(rctx); close(purged) }()
	defer func() { stopRetention(); <-purged }()
	stopTelegram := m.runTelegram(ctx)
	defer stopTelegram()
	stopDebug, err := m.runDebug()
	if err != nil {
		stopWorker()
		<-done
		return err
	}
	defer stopDebug()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	m.ready.Store(true)
	m.Log.Info("serving", "addr", ln.Addr().String())
	select {
	case <-ctx.Done():
	case err := <-errc:
		stopWorker()
		<-done
		return err
	}
	m.ready.Store(false)
	delay := time.Duration(m.Config.ShutdownDelay * float64(time.Second))
	m.Log.Info("shutting down", "readyz_503_for", delay.String())
	time.Sleep(delay)
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = srv.Shutdown(sctx)
	stopWorker()
	<-done
	m.Log.Info("stopped: requests finished, outbox worker stopped")
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// Close releases the store.
func (m *Main) Close() error {
	m.closeConsole() // its listener holds a connection of its own
	if m.Store != nil {
		return m.Store.Close()
	}
	return nil
}
