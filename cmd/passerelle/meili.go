package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/passerelle-org/passerelle/knowledge"
	"github.com/passerelle-org/passerelle/knowledge/meili"
)

// Meilisearch timings: a search that takes longer is answered from the
// embedded index; after a failure Meilisearch is left alone for a while,
// so that every message does not wait for a server that is down.
const (
	meiliSearchTimeout = 1500 * time.Millisecond
	meiliCheckTimeout  = 5 * time.Second
	meiliRetryAfter    = 30 * time.Second
)

// searchBackend returns the Searcher the engine uses: the embedded index
// when PASSERELLE_MEILI_URL is empty, otherwise Meilisearch with the
// embedded index as a fallback (see fallbackSearcher). A key Meilisearch
// refuses stops the start; a server that cannot be reached, or has no
// index yet (kb sync never run), does not: the embedded index answers
// until Meilisearch does.
func (m *Main) searchBackend(embedded knowledge.Searcher) (knowledge.Searcher, error) {
	if m.Config.MeiliURL == "" {
		return embedded, nil
	}
	client := meili.Connect(m.Config.MeiliURL, m.Config.MeiliAPIKey, &http.Client{Timeout: 10 * time.Second})
	ms, err := meili.New(client, m.KB, meili.Options{Timeout: meiliSearchTimeout})
	if err != nil {
		return nil, fmt.Errorf("meilisearch: %w", err)
	}
	log, clock := m.Log, m.Clock
	if log == nil { // tools (kb search, eval) open the content alone
		log = newLogger(os.Stderr, m.Config.LogLevel)
	}
	if clock == nil {
		clock = time.Now
	}
	f := &fallbackSearcher{primary: ms, backup: embedded, clock: clock, log: log.With("component", "search")}
	ctx, cancel := context.WithTimeout(context.Background(), meiliCheckTimeout)
	defer cancel()
	switch err := ms.Check(ctx); {
	case err == nil:
		f.log.Info("search backend", "backend", "meilisearch")
	case meili.IsAuth(err):
		return nil, fmt.Errorf("%s; set a key with search and indexes.get rights: %w", keyProblem(err), err)
	case meili.IsNotSynced(err):
		f.down(fmt.Errorf("no index yet, run passerelle kb sync: %w", err))
	default:
		f.down(err)
	}
	return f, nil
}

// keyProblem says what is wrong with PASSERELLE_MEILI_API_KEY when
// Meilisearch answers err (for which meili.IsAuth is true).
func keyProblem(err error) string {
	if meili.Code(err) == "missing_authorization_header" {
		return "PASSERELLE_MEILI_API_KEY is empty, but Meilisearch at PASSERELLE_MEILI_URL requires a key (missing_authorization_header)"
	}
	return fmt.Sprintf("PASSERELLE_MEILI_API_KEY: Meilisearch at PASSERELLE_MEILI_URL refused the key (%s)", meili.Code(err))
}

// searchStatus says which backend serves searches, for /readyz.
func (m *Main) searchStatus() string {
	if f, ok := m.Search.(*fallbackSearcher); ok {
		return f.Serving()
	}
	return "search: embedded"
}

// fallbackSearcher searches Meilisearch and, when it fails or is slow,
// the embedded index; after a failure it uses the embedded index alone for
// meiliRetryAfter, then tries Meilisearch again.
type fallbackSearcher struct {
	primary, backup knowledge.Searcher
	log             *slog.Logger
	clock           func() time.Time

	mu        sync.Mutex
	downUntil time.Time
	lastErr   string
}

// Search implements knowledge.Searcher.
func (f *fallbackSearcher) Search(ctx context.Context, query, lang string, limit int) ([]knowledge.Hit, error) {
	if f.up() {
		hits, err := f.primary.Search(ctx, query, lang, limit)
		if err == nil {
			f.recovered()
			return hits, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		f.down(err)
	}
	return f.backup.Search(ctx, query, lang, limit)
}

func (f *fallbackSearcher) up() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return !f.clock().Before(f.downUntil)
}

// down records a failure; it is logged once per outage, not per message.
func (f *fallbackSearcher) down(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	first := f.lastErr == ""
	f.downUntil, f.lastErr = f.clock().Add(meiliRetryAfter), outageReason(err)
	level := slog.LevelWarn
	if meili.IsAuth(err) {
		level = slog.LevelError
	}
	if first {
		f.log.Log(context.Background(), level, "meilisearch unavailable, answering from the embedded index",
			"err", err, "code", meili.Code(err), "retry_in", meiliRetryAfter.String())
	}
}

// outageReason says why Meilisearch is not serving, for /readyz, in
// words that name no address: the full error is in the log.
func outageReason(err error) string {
	var op *net.OpError
	switch {
	case meili.IsAuth(err):
		return "API key refused"
	case meili.IsNotSynced(err):
		return "not synced: run passerelle kb sync"
	case meili.IsTimeout(err) || errors.Is(err, context.DeadlineExceeded):
		return "too slow"
	case meili.IsUnreachable(err) || errors.As(err, &op):
		return "unreachable"
	case meili.Code(err) != "":
		return meili.Code(err)
	default:
		return "error, see the log"
	}
}

func (f *fallbackSearcher) recovered() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.lastErr != "" {
		f.log.Info("meilisearch is back, answering from it")
		f.lastErr = ""
	}
}

// Serving says which backend serves searches now, and why.
func (f *fallbackSearcher) Serving() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.lastErr == "" {
		return "search: meilisearch"
	}
	return "search: embedded (meilisearch unavailable: " + f.lastErr + ")"
}

// runKBSync pushes the articles and the index settings to Meilisearch
// (see meili.Sync) and prints what changed.
func runKBSync(ctx context.Context, env *runEnv, args []string) error {
	fs := newFlags(env, "kb sync")
	timeout := fs.Duration("timeout", 5*time.Minute, "give up after this long")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := env.config()
	if err != nil {
		return err
	}
	if cfg.MeiliURL == "" {
		return errors.New("kb sync: PASSERELLE_MEILI_URL is not set")
	}
	base, err := loadKB(env)
	if err != nil {
		return fmt.Errorf("kb sync: the articles have problems, run passerelle kb check: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	client := meili.Connect(cfg.MeiliURL, cfg.MeiliAPIKey, &http.Client{Timeout: 30 * time.Second})
	rep, err := meili.Sync(ctx, client, base, meili.Options{})
	if err != nil {
		if meili.IsAuth(err) {
			return fmt.Errorf("kb sync: %s: %w", keyProblem(err), err)
		}
		return fmt.Errorf("kb sync: %w", err)
	}
	return rep.Write(env.stdout)
}
