package postgres

import (
	"context"
	"fmt"
	"hash/fnv"
	"time"
)

// lockKey is the advisory lock key for name: the FNV-1a hash of
// "passerelle:" + name, so that names from different features never meet.
func lockKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte("passerelle:" + name))
	return int64(h.Sum64())
}

// Lead runs fn on one replica at a time: the one holding the PostgreSQL
// session advisory lock named name (Telegram long polling, for example,
// must run once). Lead tries to take the lock every retry; once it has it,
// it calls fn with a context that ends when ctx ends or when the lock may
// have been lost (its connection stopped answering a ping, checked every
// retry), then releases the lock when fn returns and tries again. fn
// should return promptly when its context ends. Lead returns ctx's error
// when ctx ends.
//
// When a leader's connection breaks, PostgreSQL frees the lock at once and
// another replica may take it before the old leader's next check: for up
// to retry both run. Use it where a short overlap is harmless (a second
// getUpdates poller only makes Telegram answer 409), not as a fence.
func (s *Store) Lead(ctx context.Context, name string, retry time.Duration, fn func(ctx context.Context)) error {
	key := lockKey(name)
	for {
		// An error means the database did not answer: try again later.
		_ = s.leadOnce(ctx, key, retry, fn)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(retry):
		}
	}
}

// leadOnce takes the lock if it is free and runs fn while holding it.
func (s *Store) leadOnce(ctx context.Context, key int64, check time.Duration, fn func(ctx context.Context)) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("lead: %w", err)
	}
	// The lock belongs to this session: the connection is not returned to
	// the pool while it is held, and is closed if it may still hold it.
	var got bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&got); err != nil {
		conn.Conn().Close(context.Background())
		conn.Release()
		return fmt.Errorf("lead: %w", err)
	}
	if !got {
		conn.Release()
		return nil
	}
	fctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(fctx)
	}()
	healthy := true
	t := time.NewTicker(check)
	defer t.Stop()
watch:
	for {
		select {
		case <-done:
			break watch
		case <-fctx.Done():
			break watch
		case <-t.C:
			pctx, pcancel := context.WithTimeout(ctx, check)
			err := conn.Ping(pctx)
			pcancel()
			if err != nil {
				healthy = false
				break watch
			}
		}
	}
	cancel()
	<-done
	if healthy {
		var released bool
		err := conn.QueryRow(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, key).Scan(&released)
		if err == nil && released {
			conn.Release()
			return nil
		}
	}
	// Closing the session releases whatever lock it still holds.
	conn.Conn().Close(context.Background())
	conn.Release()
	return nil
}
