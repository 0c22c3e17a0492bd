package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// querier is what the store's transaction methods use of a transaction.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// beginSQL opens a READ COMMITTED transaction.
const beginSQL = "begin isolation level read committed"

// lazyTx is a transaction whose BEGIN is sent with its first statement, in
// one pipelined batch: one round trip less for each inbound message (the
// webhook's transaction, InTx). A transaction that runs no statement
// sends nothing at all.
type lazyTx struct {
	conn  *pgxpool.Conn
	begun bool
}

// Exec runs sql in the transaction.
func (l *lazyTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if l.begun {
		return l.conn.Exec(ctx, sql, args...)
	}
	br := l.start(ctx, sql, args)
	if _, err := br.Exec(); err != nil {
		br.Close()
		return pgconn.CommandTag{}, fmt.Errorf("begin: %w", err)
	}
	tag, err := br.Exec()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return tag, err
}

// QueryRow runs sql in the transaction; its row must be scanned, as
// pgx's own.
func (l *lazyTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	if l.begun {
		return l.conn.QueryRow(ctx, sql, args...)
	}
	br := l.start(ctx, sql, args)
	if _, err := br.Exec(); err != nil {
		br.Close()
		return errRow{fmt.Errorf("begin: %w", err)}
	}
	return &batchRow{row: br.QueryRow(), br: br}
}

// start sends BEGIN and the first statement together.
func (l *lazyTx) start(ctx context.Context, sql string, args []any) pgx.BatchResults {
	l.begun = true
	b := &pgx.Batch{}
	b.Queue(beginSQL)
	b.Queue(sql, args...)
	return l.conn.SendBatch(ctx, b)
}

// commit ends the transaction. A transaction PostgreSQL had aborted (a
// statement failed and the error was not returned) is rolled back by its
// COMMIT: that is reported as an error, as pgx.Tx.Commit does.
func (l *lazyTx) commit(ctx context.Context) error {
	if !l.begun {
		return nil
	}
	tag, err := l.conn.Exec(ctx, "commit")
	if err != nil {
		return err
	}
	if tag.String() == "ROLLBACK" {
		return pgx.ErrTxCommitRollback
	}
	return nil
}

// rollback ends the transaction without its changes.
func (l *lazyTx) rollback(ctx context.Context) error {
	if !l.begun {
		return nil
	}
	_, err := l.conn.Exec(ctx, "rollback")
	return err
}

// batchRow is the first statement's row: scanning it closes the batch.
type batchRow struct {
	row pgx.Row
	br  pgx.BatchResults
}

func (r *batchRow) Scan(dest ...any) error {
	err := r.row.Scan(dest...)
	if cerr := r.br.Close(); err == nil {
		err = cerr
	}
	return err
}

// errRow is a row that only reports err.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// writeLazy runs fn in one lazily begun transaction (see lazyTx),
// retrying it when PostgreSQL asks to, as write does.
func (s *Store) writeLazy(ctx context.Context, fn func(querier) error) error {
	return s.retry(ctx, func() error { return s.writeLazyOnce(ctx, fn) })
}

// writeLazyOnce runs fn in one lazily begun transaction. A connection
// left inside a transaction (a failed rollback) is closed by the pool, not
// reused.
func (s *Store) writeLazyOnce(ctx context.Context, fn func(querier) error) (err error) {
	c, err := s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer c.Release()
	l := &lazyTx{conn: c}
	defer func() {
		if p := recover(); p != nil {
			_ = l.rollback(context.WithoutCancel(ctx))
			panic(p)
		}
	}()
	if err := fn(l); err != nil {
		if rbErr := l.rollback(context.WithoutCancel(ctx)); rbErr != nil {
			return errors.Join(err, fmt.Errorf("rollback: %w", rbErr))
		}
		return err
	}
	if err := l.commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
