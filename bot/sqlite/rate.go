package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/passerelle-org/passerelle/bot"
)

// reserveQuery books n sends in one statement: the key's theoretical
// arrival time (TAT) moves n intervals past the later of itself and now,
// unless the sends would then have to wait longer than max ($5), in which
// case the row is left as it is and no row is returned. A new key starts
// at now. Parameters: key, now, n*interval, tolerance (burst*interval),
// max, all in microseconds.
const reserveQuery = `INSERT INTO send_rates (key, tat_us) VALUES (?1, ?2 + ?3)
	ON CONFLICT (key) DO UPDATE SET tat_us = max(tat_us, ?2) + ?3
	WHERE max(tat_us, ?2) + ?3 - ?4 <= ?2 + ?5
	RETURNING tat_us`

// ReserveSends books n sends under key at rate r (see bot.Store). On
// SQLite the reservation is one write on the single writer connection, so
// reservations never interleave; processes sharing the file (rare: SQLite
// is the one-process store) wait for each other's write lock and see each
// other's bookings too. passerelle serve paces in process on SQLite and
// uses this on PostgreSQL, where replicas share the rate; the store
// implements it all the same so that both pass one suite.
func (s *Store) ReserveSends(ctx context.Context, key string, n int, r bot.Rate, now time.Time, maxWait time.Duration) (time.Duration, bool, error) {
	if err := r.Check(n); err != nil {
		return 0, false, fmt.Errorf("reserve sends %s: %w", key, err)
	}
	every, tol := r.Micros()
	nowUS := now.UnixMicro()
	var tat int64
	booked := true
	err := s.writeTx(ctx, true, func(t *sql.Tx) error {
		err := t.QueryRowContext(ctx, reserveQuery, key, nowUS, int64(n)*every, tol, maxWait.Microseconds()).Scan(&tat)
		if errors.Is(err, sql.ErrNoRows) {
			booked = false
			if err = t.QueryRowContext(ctx, `SELECT tat_us FROM send_rates WHERE key = ?`, key).Scan(&tat); err != nil {
				return err
			}
			tat = max(tat, nowUS) + int64(n)*every
		}
		return err
	})
	if err != nil {
		return 0, false, fmt.Errorf("reserve sends %s: %w", key, err)
	}
	return r.Reserved(tat, now), booked, nil
}
