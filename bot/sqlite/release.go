package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/passerelle-org/passerelle/bot"
)

// ReleaseClaims clears the leases a stopping worker holds on messages ids
// still queued and leased until leasedUntil, and takes back the attempt
// their claim counted, so a restart sends them at once.
func (s *Store) ReleaseClaims(ctx context.Context, ids []int64, leasedUntil time.Time) (int64, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	args := append([]any{ms(leasedUntil.UTC().Truncate(time.Millisecond))}, int64Args(ids)...)
	res, err := s.exec(ctx, true, `UPDATE outbox SET leased_until = NULL, attempts = MAX(attempts - 1, 0)
		WHERE status = 'queued' AND leased_until = ? AND id IN (`+placeholders(len(ids))+`)`, args...)
	if err != nil {
		return 0, fmt.Errorf("release claims: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("release claims: %w", err)
	}
	return n, nil
}

// OutboxStats counts queued and held replies and finds the oldest queued.
func (s *Store) OutboxStats(ctx context.Context) (bot.OutboxStats, error) {
	var (
		st     bot.OutboxStats
		oldest sql.NullInt64
	)
	err := s.r.QueryRowContext(ctx, `SELECT
		COUNT(*) FILTER (WHERE held_at IS NULL),
		COUNT(*) FILTER (WHERE held_at IS NOT NULL),
		MIN(created_at) FILTER (WHERE held_at IS NULL)
		FROM outbox WHERE status = 'queued'`).Scan(&st.Queued, &st.Held, &oldest)
	if err != nil {
		return st, fmt.Errorf("outbox stats: %w", err)
	}
	if oldest.Valid {
		st.Oldest = fromMS(oldest.Int64)
	}
	return st, nil
}
