// Package sqlite is Passerelle's embedded default store: bot.Store on one
// SQLite file, through the pure-Go modernc.org/sqlite driver.
//
// The file is opened twice: a writer (*sql.DB limited to one connection,
// transactions begun with BEGIN IMMEDIATE) that every write goes through,
// and a pool of query-only readers. SQLite allows one writer at a time; the
// single writer connection queues writes inside the process instead of
// letting them fail with "database is locked". WAL mode lets readers run
// while a write is in progress. busy_timeout covers other processes, such
// as a `passerelle purge` run beside `passerelle serve`.
//
// Personal data: contacts are found by bot.Keyring.LookupKey and their
// address is stored only sealed (bot.Keyring.Seal). A canary sealed at the
// first Open makes a later Open with another secret fail with
// ErrKeyMismatch, instead of silently creating a second set of contacts.
// secure_delete is on, so deleted rows are overwritten in the file, and
// Purge checkpoints the write-ahead log when it is done.
//
// Times are stored as UTC unix milliseconds; times read back are UTC.
// The schema lives in bot/migrations and is applied at Open.
package sqlite
