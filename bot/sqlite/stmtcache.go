package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"strings"

	"modernc.org/sqlite"
)

// driverName is the database/sql driver the store opens: modernc's SQLite
// with a per-connection cache of prepared statements. Without it every
// ExecContext and QueryContext parses its SQL again; under load that was
// about a tenth of the server's CPU.
const driverName = "passerelle-sqlite"

func init() { sql.Register(driverName, cachingDriver{&sqlite.Driver{}}) }

// maxCached bounds the statements kept per connection. The store's
// statements are constants, a few dozen; the bound only guards against a
// caller building SQL with a varying number of placeholders.
const maxCached = 256

// cachingDriver opens connections whose statements are prepared once.
type cachingDriver struct{ d driver.Driver }

// Open opens a modernc connection and wraps it.
func (d cachingDriver) Open(name string) (driver.Conn, error) {
	c, err := d.d.Open(name)
	if err != nil {
		return nil, err
	}
	return &cachingConn{c: c.(sqliteConn), stmts: map[string]*cachedStmt{}}, nil
}

// sqliteConn is what the store uses of a modernc connection.
type sqliteConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// cachingConn is a connection that keeps its single-statement SQL
// prepared. database/sql uses a connection from one goroutine at a time,
// so the map needs no lock.
type cachingConn struct {
	c     sqliteConn
	stmts map[string]*cachedStmt
}

// cachedStmt is a prepared statement and whether rows read from it are
// still open (then the same SQL, run again before they close, is run
// uncached instead of resetting the statement under them).
type cachedStmt struct {
	s     driver.Stmt
	inUse bool
}

// stmt returns the cached statement for query, preparing it the first
// time, or nil when query is not cached (a script of several statements,
// or the cache is full).
func (c *cachingConn) stmt(ctx context.Context, query string) (*cachedStmt, error) {
	if cs, ok := c.stmts[query]; ok {
		return cs, nil
	}
	if len(c.stmts) >= maxCached || strings.Contains(query, ";") {
		return nil, nil
	}
	s, err := c.c.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	cs := &cachedStmt{s: s}
	c.stmts[query] = cs
	return cs, nil
}

// ExecContext runs query through its cached statement.
func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	cs, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	if cs == nil || cs.inUse {
		return c.c.ExecContext(ctx, query, args)
	}
	return cs.s.(driver.StmtExecContext).ExecContext(ctx, args)
}

// QueryContext runs query through its cached statement; the statement is
// free again when the rows are closed.
func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	cs, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	if cs == nil || cs.inUse {
		return c.c.QueryContext(ctx, query, args)
	}
	rows, err := cs.s.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	cs.inUse = true
	return &cachedRows{Rows: rows, cs: cs}, nil
}

// Close finalizes the cached statements, then closes the connection.
func (c *cachingConn) Close() error {
	for q, cs := range c.stmts {
		cs.s.Close()
		delete(c.stmts, q)
	}
	return c.c.Close()
}

func (c *cachingConn) Prepare(query string) (driver.Stmt, error) { return c.c.Prepare(query) }
func (c *cachingConn) Begin() (driver.Tx, error)                 { return c.c.Begin() } //nolint:staticcheck // required by driver.Conn
func (c *cachingConn) BeginTx(ctx context.Context, o driver.TxOptions) (driver.Tx, error) {
	return c.c.BeginTx(ctx, o)
}
func (c *cachingConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	return c.c.PrepareContext(ctx, q)
}
func (c *cachingConn) Ping(ctx context.Context) error         { return c.c.Ping(ctx) }
func (c *cachingConn) ResetSession(ctx context.Context) error { return c.c.ResetSession(ctx) }
func (c *cachingConn) IsValid() bool                          { return c.c.IsValid() }

// cachedRows frees its statement for the next use when closed.
type cachedRows struct {
	driver.Rows
	cs *cachedStmt
}

func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	r.cs.inUse = false
	return err
}
