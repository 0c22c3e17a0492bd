package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
)

// TestStatementCache runs the same SQL many times, nested while its own
// rows are still open, after an error and in a script, through the
// caching driver, and checks every result against what SQLite holds.
func TestStatementCache(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open(driverName, "file:"+filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	// A script (several statements) is run, not cached.
	if _, err := db.ExecContext(ctx, `CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL); CREATE TABLE u (x INTEGER)`); err != nil {
		t.Fatal(err)
	}
	const ins = `INSERT INTO t (k, v) VALUES (?, ?)`
	for k := 1; k <= 50; k++ {
		if _, err := db.ExecContext(ctx, ins, k, "ሰላም።‌"); err != nil {
			t.Fatal(err)
		}
	}
	// The same statement failing (duplicate key) leaves it usable.
	if _, err := db.ExecContext(ctx, ins, 7, "again"); err == nil {
		t.Fatal("duplicate key accepted")
	}
	if _, err := db.ExecContext(ctx, ins, 51, "after the error"); err != nil {
		t.Fatalf("statement unusable after an error: %v", err)
	}
	// Nested: the same SELECT while its own rows are open, in one
	// transaction (so on one connection).
	const sel = `SELECT k, v FROM t WHERE k <= ? ORDER BY k`
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	outer, err := tx.QueryContext(ctx, sel, 3)
	if err != nil {
		t.Fatal(err)
	}
	var seen []int
	for outer.Next() {
		var k int
		var v string
		if err := outer.Scan(&k, &v); err != nil {
			t.Fatal(err)
		}
		var n int
		inner, err := tx.QueryContext(ctx, sel, k)
		if err != nil {
			t.Fatal(err)
		}
		for inner.Next() {
			n++
		}
		inner.Close()
		if n != k {
			t.Errorf("inner query for k<=%d gave %d rows", k, n)
		}
		if v != "ሰላም።‌" {
			t.Errorf("text changed: %q", v)
		}
		seen = append(seen, k)
	}
	if err := outer.Err(); err != nil {
		t.Fatal(err)
	}
	outer.Close()
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 3 {
		t.Errorf("outer rows %v, want 1 2 3", seen)
	}
	// Reused many times with different arguments, each answer right.
	for k := 1; k <= 51; k++ {
		var n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM t WHERE k <= ?`, k).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != k {
			t.Fatalf("count k<=%d = %d", k, n)
		}
	}
	// The connection caches what it ran once.
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		c := dc.(*cachingConn)
		for _, q := range []string{ins, sel, `SELECT COUNT(*) FROM t WHERE k <= ?`} {
			if c.stmts[q] == nil {
				t.Errorf("not cached: %s", q)
			} else if c.stmts[q].inUse {
				t.Errorf("still marked in use after its rows closed: %s", q)
			}
		}
		for q := range c.stmts {
			if len(q) > 0 && q[0] == 'C' {
				t.Errorf("script cached: %s", q)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
