package postgres

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestLazyTx: a transaction begun with its first statement commits what
// it did, rolls back on an error, reports a commit PostgreSQL turned into
// a rollback (an error swallowed by fn), sends nothing when fn runs
// nothing, and leaves its connection fit for the next transaction.
func TestLazyTx(t *testing.T) {
	var c tripCounter
	s := openCounting(t, &c)
	ctx := context.Background()
	exec := func(sql string) {
		t.Helper()
		if _, err := s.pool.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	exec("CREATE TABLE lazy (n INT PRIMARY KEY)")
	count := func() int64 {
		var n int64
		if err := s.pool.QueryRow(ctx, "SELECT COUNT(*) FROM lazy").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// Committed: the first statement (a QueryRow) and a second one.
	err := s.writeLazy(ctx, func(q querier) error {
		var n int
		if err := q.QueryRow(ctx, "INSERT INTO lazy VALUES (1) RETURNING n").Scan(&n); err != nil || n != 1 {
			return errors.Join(err, errors.New("first statement's row"))
		}
		_, err := q.Exec(ctx, "INSERT INTO lazy VALUES (2)")
		return err
	})
	if err != nil || count() != 2 {
		t.Fatalf("commit: %v, %d rows, want 2", err, count())
	}
	// fn's error rolls back, the first statement (an Exec) included.
	boom := errors.New("boom")
	err = s.writeLazy(ctx, func(q querier) error {
		if _, err := q.Exec(ctx, "INSERT INTO lazy VALUES (3)"); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) || count() != 2 {
		t.Fatalf("rollback: %v, %d rows, want boom and 2", err, count())
	}
	// A failed statement whose error fn swallows: COMMIT rolls back, and
	// that is an error.
	err = s.writeLazy(ctx, func(q querier) error {
		_, _ = q.Exec(ctx, "INSERT INTO lazy VALUES (4)")
		_, _ = q.Exec(ctx, "INSERT INTO lazy VALUES (1)") // duplicate key
		return nil
	})
	if !errors.Is(err, pgx.ErrTxCommitRollback) || count() != 2 {
		t.Fatalf("aborted transaction: %v, %d rows; want ErrTxCommitRollback and 2", err, count())
	}
	// A first statement that fails: the error, nothing kept.
	err = s.writeLazy(ctx, func(q querier) error {
		var n int
		return q.QueryRow(ctx, "SELECT n FROM lazy WHERE n = 1/0").Scan(&n)
	})
	if err == nil || count() != 2 {
		t.Fatalf("failing first statement: %v, %d rows", err, count())
	}
	// Nothing run, nothing sent.
	before := c.n.Load()
	if err := s.writeLazy(ctx, func(querier) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if n := c.n.Load() - before; n != 0 {
		t.Errorf("empty transaction: %d round trips, want 0", n)
	}
	// Every connection is still usable, none left inside a transaction.
	for range 2 * defaultMaxConns {
		if err := s.writeLazy(ctx, func(q querier) error {
			_, err := q.Exec(ctx, "SELECT 1")
			return err
		}); err != nil {
			t.Fatalf("after the failures: %v", err)
		}
	}
}
