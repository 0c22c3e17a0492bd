package postgres

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/passerelle-org/passerelle/bot/migrations"
)

// ErrKeyMismatch: the secret key given to Open is not the one the
// database's addresses were sealed with.
var ErrKeyMismatch = errors.New("secret key does not match the database")

// ErrSchemaTooNew: the database was migrated by a newer Passerelle.
var ErrSchemaTooNew = errors.New("database schema is newer than this binary")

// keyCanary is sealed at the first Open and must open again afterwards.
// It is the same text as SQLite's.
var keyCanary = []byte("passerelle key check v1")

// migrateLock is the advisory lock key held while migrating ("passmigr").
// Advisory locks are per database: replicas using the same database wait
// for each other, whatever their search_path.
const migrateLock int64 = 0x706173736d696772

// migrate applies, in one transaction holding the migration lock, the
// migrations the database lacks, recording each in schema_migrations; then
// it seals or checks the key canary in the same transaction.
func (s *Store) migrate(ctx context.Context) error {
	list, err := migrations.List(migrations.Postgres)
	if err != nil {
		return err
	}
	return s.write(ctx, func(t pgx.Tx) error {
		if _, err := t.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrateLock); err != nil {
			return fmt.Errorf("migrate: lock: %w", err)
		}
		_, err := t.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    INTEGER PRIMARY KEY,
			name       TEXT    NOT NULL,
			applied_at BIGINT  NOT NULL
		)`)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		var current int
		if err := t.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
			return fmt.Errorf("migrate: read version: %w", err)
		}
		if current > len(list) {
			return fmt.Errorf("migrate: database at version %d, binary knows %d: %w", current, len(list), ErrSchemaTooNew)
		}
		for _, m := range list[current:] {
			// No arguments: pgx sends it as one simple query, several
			// statements allowed.
			if _, err := t.Exec(ctx, m.SQL); err != nil {
				return fmt.Errorf("migrate: %s: %w", m.Name, err)
			}
			_, err := t.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
				m.Version, m.Name, s.now().UnixMilli())
			if err != nil {
				return fmt.Errorf("migrate: record %s: %w", m.Name, err)
			}
		}
		return s.checkKey(ctx, t)
	})
}

// checkKey seals a canary on first use, and afterwards checks that the
// store's keys open it. A wrong key would otherwise give new lookup keys,
// so every returning person would silently become a new contact.
func (s *Store) checkKey(ctx context.Context, t pgx.Tx) error {
	var sealed []byte
	err := t.QueryRow(ctx, `SELECT value FROM store_meta WHERE name = 'key_check'`).Scan(&sealed)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		sealed, err := s.keys.Seal(keyCanary)
		if err != nil {
			return fmt.Errorf("key check: %w", err)
		}
		if _, err := t.Exec(ctx, `INSERT INTO store_meta (name, value) VALUES ('key_check', $1)`, sealed); err != nil {
			return fmt.Errorf("key check: %w", err)
		}
		return nil
	case err != nil:
		return fmt.Errorf("key check: %w", err)
	}
	plain, err := s.keys.Open(sealed)
	if err != nil || !bytes.Equal(plain, keyCanary) {
		return ErrKeyMismatch
	}
	return nil
}
