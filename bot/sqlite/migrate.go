package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/passerelle-org/passerelle/bot"
	"github.com/passerelle-org/passerelle/bot/migrations"
)

// ErrKeyMismatch: the secret key given to Open is not the one the
// database's addresses were sealed with.
var ErrKeyMismatch = errors.New("secret key does not match the database")

// ErrSchemaTooNew: the database was migrated by a newer Passerelle.
var ErrSchemaTooNew = errors.New("database schema is newer than this binary")

// keyCanary is sealed at the first Open and must open again afterwards.
var keyCanary = []byte("passerelle key check v1")

// migrate applies the SQLite migrations the database lacks, all in one
// transaction, and records each in schema_migrations.
func migrate(ctx context.Context, db *sql.DB, now time.Time) error {
	list, err := migrations.List(migrations.SQLite)
	if err != nil {
		return err
	}
	t, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: begin: %w", err)
	}
	defer t.Rollback()
	_, err = t.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT    NOT NULL,
		applied_at INTEGER NOT NULL
	)`)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	var current int
	if err := t.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("migrate: read version: %w", err)
	}
	if current > len(list) {
		return fmt.Errorf("migrate: database at version %d, binary knows %d: %w", current, len(list), ErrSchemaTooNew)
	}
	for _, m := range list[current:] {
		if _, err := t.ExecContext(ctx, m.SQL); err != nil {
			return fmt.Errorf("migrate: %s: %w", m.Name, err)
		}
		_, err := t.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
			m.Version, m.Name, now.UnixMilli())
		if err != nil {
			return fmt.Errorf("migrate: record %s: %w", m.Name, err)
		}
	}
	if err := t.Commit(); err != nil {
		return fmt.Errorf("migrate: commit: %w", err)
	}
	return nil
}

// checkKey seals a canary on first use, and afterwards checks that keys
// opens it. A wrong key would otherwise give new lookup keys, so every
// returning person would silently become a new contact.
func checkKey(ctx context.Context, db *sql.DB, keys *bot.Keyring) error {
	var sealed []byte
	err := db.QueryRowContext(ctx, `SELECT value FROM store_meta WHERE name = 'key_check'`).Scan(&sealed)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		sealed, err := keys.Seal(keyCanary)
		if err != nil {
			return fmt.Errorf("key check: %w", err)
		}
		_, err = db.ExecContext(ctx, `INSERT INTO store_meta (name, value) VALUES ('key_check', ?)`, sealed)
		if err != nil {
			return fmt.Errorf("key check: %w", err)
		}
		return nil
	case err != nil:
		return fmt.Errorf("key check: %w", err)
	}
	plain, err := keys.Open(sealed)
	if err != nil || !bytes.Equal(plain, keyCanary) {
		return ErrKeyMismatch
	}
	return nil
}
