package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/passerelle-org/passerelle/bot"
)

// busyTimeout is how long a connection waits for a lock held by another
// connection (in practice: another process) before failing.
const busyTimeout = 10 * time.Second

// Store is bot.Store on one SQLite file. Use Open to make one; it is safe
// for concurrent use.
type Store struct {
	w     *sql.DB // the one writer connection, used through gate
	gate  gate
	r     *sql.DB // query-only readers
	keys  *bot.Keyring
	clock func() time.Time
}

var _ bot.Store = (*Store)(nil)

// Open opens (creating if needed) the database at path, applies pending
// migrations and checks that keys is the key the data was written with.
// clock gives the current time for records that carry no time of their own;
// nil means time.Now.
func Open(ctx context.Context, path string, keys *bot.Keyring, clock func() time.Time) (*Store, error) {
	if keys == nil {
		return nil, errors.New("open sqlite store: nil keyring")
	}
	if clock == nil {
		clock = time.Now
	}
	if path == "" || strings.HasPrefix(path, ":memory:") || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("open sqlite store: %q: want a file path", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open sqlite store: %w", err)
	}
	s := &Store{keys: keys, clock: clock}

	s.w, err = sql.Open(driverName, dsn(abs, false))
	if err != nil {
		return nil, fmt.Errorf("open sqlite store: %w", err)
	}
	s.w.SetMaxOpenConns(1)
	s.w.SetMaxIdleConns(1)
	s.w.SetConnMaxLifetime(0)
	s.w.SetConnMaxIdleTime(0)
	if err := migrate(ctx, s.w, s.now()); err != nil {
		s.w.Close()
		return nil, fmt.Errorf("open sqlite store %s: %w", filepath.Base(abs), err)
	}
	if err := checkKey(ctx, s.w, keys); err != nil {
		s.w.Close()
		return nil, fmt.Errorf("open sqlite store %s: %w", filepath.Base(abs), err)
	}

	s.r, err = sql.Open(driverName, dsn(abs, true))
	if err != nil {
		s.w.Close()
		return nil, fmt.Errorf("open sqlite store: %w", err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	s.r.SetMaxOpenConns(n)
	s.r.SetMaxIdleConns(n)
	if err := s.Ping(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("open sqlite store %s: %w", filepath.Base(abs), err)
	}
	return s, nil
}

// dsn builds the modernc.org/sqlite data source name for the file at abs.
// Pragmas are per connection, so they go in the DSN to reach every one.
func dsn(abs string, readOnly bool) string {
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // Windows drive letters: file:/C:/...
	}
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "secure_delete(1)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Add("_pragma", "journal_mode(WAL)")
		q.Set("_txlock", "immediate")
	}
	return "file:" + (&url.URL{Path: p}).EscapedPath() + "?" + q.Encode()
}

// now is the store's clock, in UTC, to the millisecond it stores.
func (s *Store) now() time.Time { return s.clock().UTC().Truncate(time.Millisecond) }

// Ping tells whether the database file answers a query.
func (s *Store) Ping(ctx context.Context) error {
	var v int
	err := s.r.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v)
	if err != nil {
		return fmt.Errorf("ping sqlite store: %w", err)
	}
	return nil
}

// Close closes the readers and the writer. The last connection to close
// checkpoints the write-ahead log into the database file.
func (s *Store) Close() error {
	var errs []error
	if s.r != nil {
		errs = append(errs, s.r.Close())
	}
	if s.w != nil {
		errs = append(errs, s.w.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close sqlite store: %w", err)
	}
	return nil
}

// InTx runs fn in one write transaction (BEGIN IMMEDIATE on the single
// writer connection). fn's error, or a panic, rolls back; fn's error is
// returned unwrapped. fn must use only the Tx it is given: calling other
// Store methods that write from inside fn would wait for the writer forever.
func (s *Store) InTx(ctx context.Context, fn func(bot.Tx) error) error {
	return s.write(ctx, func(t *sql.Tx) error { return fn(&tx{s: s, tx: t}) })
}

// write runs fn in a transaction on the writer connection, its turn
// after the writes already waiting (see gate).
func (s *Store) write(ctx context.Context, fn func(*sql.Tx) error) error {
	return s.writeTx(ctx, false, fn)
}

// writeTx runs fn in a transaction on the writer connection; worker puts
// the outbox worker's transactions first (see gate).
func (s *Store) writeTx(ctx context.Context, worker bool, fn func(*sql.Tx) error) (err error) {
	if err := s.gate.enter(ctx, worker); err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer s.gate.leave()
	t, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = t.Rollback()
			panic(p)
		}
	}()
	if err := fn(t); err != nil {
		if rbErr := t.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
			return errors.Join(err, fmt.Errorf("rollback: %w", rbErr))
		}
		return err
	}
	if err := t.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
