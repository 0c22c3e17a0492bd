package postgres

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/passerelle-org/passerelle/bot"
)

// maxAttempts is how many times InTx runs a transaction that PostgreSQL
// aborted for a deadlock or a serialization failure.
const maxAttempts = 5

// defaultMaxConns is the pool size when the URL does not set
// pool_max_conns: enough for webhooks, workers and the console of one
// replica, few enough for several replicas under max_connections (100).
const defaultMaxConns = 10

// connectTimeout bounds each connection attempt when the URL does not set
// connect_timeout, so that an unreachable database fails the start (and
// /readyz) instead of hanging.
const connectTimeout = 10 * time.Second

// Store is bot.Store on a PostgreSQL database. Use Open to make one; it is
// safe for concurrent use, and several Stores (replicas) may share one
// database.
type Store struct {
	pool *pgxpool.Pool
	// turns bounds the inbound transactions (InTx) running at once to the
	// pool's size less reservedConns, so a burst of webhooks cannot take
	// every connection: the outbox worker's claims and "mark sent" writes,
	// the console and /readyz find one free. Without it, replies starved
	// under load, each "mark sent" queued behind every waiting webhook.
	turns chan struct{}
	keys  *bot.Keyring
	clock func() time.Time
}

// reservedConns returns how many of a pool's max connections inbound
// transactions leave to the rest (at least one, and one inbound
// transaction at least).
func reservedConns(n int32) int {
	return int(min(max(2, n/4), n-1))
}

var _ bot.Store = (*Store)(nil)

// CheckURL tells whether s is a PostgreSQL URL Open can use
// (postgres://user:password@host:port/database?sslmode=...). The error
// never repeats s, which may hold a password.
func CheckURL(s string) error {
	const want = "postgres://user:password@host:5432/database?sslmode=require"
	u, err := url.Parse(s)
	if err != nil {
		return errors.New("not a valid URL: want " + want)
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return errors.New("want a postgres:// URL such as " + want)
	}
	if _, err := pgxpool.ParseConfig(s); err != nil {
		return errors.New("not a valid PostgreSQL URL: check the host, port and parameters")
	}
	return nil
}

// Open connects to the database at url (see CheckURL), applies pending
// migrations and checks that keys is the key the data was written with.
// clock gives the current time for records that carry no time of their
// own; nil means time.Now. Pool parameters such as pool_max_conns may be
// given in the URL.
func Open(ctx context.Context, url string, keys *bot.Keyring, clock func() time.Time) (*Store, error) {
	if keys == nil {
		return nil, errors.New("open postgres store: nil keyring")
	}
	if err := CheckURL(url); err != nil {
		return nil, fmt.Errorf("open postgres store: %w", err)
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, errors.New("open postgres store: not a valid PostgreSQL URL")
	}
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = defaultMaxConns
	}
	return open(ctx, cfg, keys, clock)
}

// open is Open on a parsed configuration; tests set a tracer on it.
func open(ctx context.Context, cfg *pgxpool.Config, keys *bot.Keyring, clock func() time.Time) (*Store, error) {
	if clock == nil {
		clock = time.Now
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = connectTimeout
	}
	if _, ok := cfg.ConnConfig.RuntimeParams["application_name"]; !ok {
		cfg.ConnConfig.RuntimeParams["application_name"] = "passerelle"
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres store: %w", err)
	}
	s := &Store{pool: pool, keys: keys, clock: clock,
		turns: make(chan struct{}, int(cfg.MaxConns)-reservedConns(cfg.MaxConns))}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open postgres store: %w", err)
	}
	return s, nil
}

// now is the store's clock, in UTC, to the millisecond it stores.
func (s *Store) now() time.Time { return s.clock().UTC().Truncate(time.Millisecond) }

// Ping tells whether the database answers a query on the schema.
func (s *Store) Ping(ctx context.Context) error {
	var v int
	err := s.pool.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v)
	if err != nil {
		return fmt.Errorf("ping postgres store: %w", err)
	}
	return nil
}

// Close closes every connection of the pool, waiting for those in use.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// InTx runs fn in one READ COMMITTED transaction. fn's error, or a panic,
// rolls back; fn's error is returned unwrapped. When PostgreSQL aborts the
// transaction for a deadlock or a serialization failure, fn runs again in
// a new transaction (up to maxAttempts times), so fn must have no effect
// outside the Tx it is given.
func (s *Store) InTx(ctx context.Context, fn func(bot.Tx) error) error {
	select {
	case s.turns <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("begin: %w", ctx.Err())
	}
	defer func() { <-s.turns }()
	return s.writeLazy(ctx, func(q querier) error { return fn(&tx{s: s, tx: q}) })
}

// write runs fn in a transaction, retrying it when PostgreSQL asks to.
func (s *Store) write(ctx context.Context, fn func(pgx.Tx) error) error {
	return s.retry(ctx, func() error { return s.writeOnce(ctx, fn) })
}

// retry runs once until it succeeds, fails for good, or maxAttempts,
// waiting a little longer each time: PostgreSQL aborts a transaction for a
// deadlock or a serialization failure that would succeed if run again.
func (s *Store) retry(ctx context.Context, once func() error) error {
	for attempt := 1; ; attempt++ {
		err := once()
		if err == nil || !retryable(err) || attempt == maxAttempts {
			return err
		}
		wait := time.Duration(attempt) * time.Duration(1+rand.IntN(10)) * time.Millisecond
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
	}
}

// writeOnce runs fn in one transaction.
func (s *Store) writeOnce(ctx context.Context, fn func(pgx.Tx) error) (err error) {
	t, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = t.Rollback(context.WithoutCancel(ctx))
			panic(p)
		}
	}()
	if err := fn(t); err != nil {
		if rbErr := t.Rollback(context.WithoutCancel(ctx)); rbErr != nil && !errors.Is(rbErr, pgx.ErrTxClosed) {
			return errors.Join(err, fmt.Errorf("rollback: %w", rbErr))
		}
		return err
	}
	if err := t.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// retryable tells whether err is PostgreSQL aborting a transaction that
// would succeed if run again: serialization failure or deadlock.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}
