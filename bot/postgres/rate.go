package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/passerelle-org/passerelle/bot"
)

// reserveQuery books n sends in one statement: the key's theoretical
// arrival time (TAT) moves n intervals past the later of itself and now,
// unless the sends would then have to wait longer than max ($5), in which
// case the row is left as it is and no row is returned. A new key starts
// at now. Parameters: key, now, n*interval, tolerance (burst*interval),
// max, all in microseconds.
//
// INSERT ... ON CONFLICT DO UPDATE locks the key's row and computes the
// new TAT from its latest committed version, so replicas reserving at the
// same moment are serialised on that row and each gets its own slot; no
// transaction is held beyond the statement.
const reserveQuery = `INSERT INTO send_rates AS r (key, tat_us) VALUES ($1, $2::bigint + $3::bigint)
	ON CONFLICT (key) DO UPDATE SET tat_us = GREATEST(r.tat_us, $2::bigint) + $3::bigint
	WHERE GREATEST(r.tat_us, $2::bigint) + $3::bigint - $4::bigint <= $2::bigint + $5::bigint
	RETURNING tat_us`

// ReserveSends books n sends under key at rate r (see bot.Store), for
// every replica on this database: one statement, one round trip, on an
// UNLOGGED table (0004_send_rates.sql) so that it waits for no disk
// flush.
func (s *Store) ReserveSends(ctx context.Context, key string, n int, r bot.Rate, now time.Time, maxWait time.Duration) (time.Duration, bool, error) {
	if err := r.Check(n); err != nil {
		return 0, false, fmt.Errorf("reserve sends %s: %w", key, err)
	}
	every, tol := r.Micros()
	nowUS := now.UnixMicro()
	var tat int64
	err := s.pool.QueryRow(ctx, reserveQuery, key, nowUS, int64(n)*every, tol, maxWait.Microseconds()).Scan(&tat)
	if errors.Is(err, pgx.ErrNoRows) {
		// Not booked: say how long until it could be.
		if err := s.pool.QueryRow(ctx, `SELECT tat_us FROM send_rates WHERE key = $1`, key).Scan(&tat); err != nil {
			return 0, false, fmt.Errorf("reserve sends %s: %w", key, err)
		}
		return r.Reserved(max(tat, nowUS)+int64(n)*every, now), false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("reserve sends %s: %w", key, err)
	}
	return r.Reserved(tat, now), true, nil
}
