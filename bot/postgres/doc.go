// Package postgres is bot.Store on PostgreSQL, through pgx (pgxpool): the
// store for running several `passerelle serve` replicas on one database.
//
// It mirrors bot/sqlite and passes the same suite (bot/storetest). The
// schema is bot/migrations' postgres dialect, with the same numbering as
// SQLite's; Open applies what is missing inside one transaction holding a
// PostgreSQL advisory lock, so replicas starting together migrate once and
// the others wait, then check the secret key against the canary sealed at
// the first start (ErrKeyMismatch).
//
// Concurrency. Transactions run at READ COMMITTED and take row locks where
// the outcome depends on what another replica does at the same moment:
//   - RecordInbound inserts the dedupe row first (INSERT ... ON CONFLICT DO
//     NOTHING: a concurrent redelivery waits for the first transaction and
//     then finds the row, so exactly one of them records the message), then
//     upserts the contact (ON CONFLICT DO UPDATE), which locks the contact
//     row until commit. Every transaction about one person therefore runs
//     after the previous one committed, and reads its conversation then:
//     no lost update of the conversation state, one contact and one
//     conversation however many replicas receive the same person at once.
//   - Enqueue and Reply lock the contact row too, so a contact's replies get ids in
//     the order their transactions commit, which is the order they are sent.
//   - ClaimOutbox selects the head of each contact's queue with FOR UPDATE
//     OF outbox SKIP LOCKED: two replicas never claim the same row, and a
//     row claimed meanwhile is re-checked against its new lease, so at most
//     one message per contact is in flight.
//   - Purge locks the contacts it is about to delete (SKIP LOCKED) and
//     checks again, in a new statement, that they still hold nothing.
//
// Lead runs a task on one replica at a time under a session advisory lock
// (Telegram long polling).
//
// The URL may carry what pgx understands: sslmode, pool_max_conns (the
// default here is 10 connections per replica), search_path (a schema of
// its own), application_name.
//
// InTx retries the whole function, up to maxAttempts times, when PostgreSQL
// aborts the transaction for a deadlock or a serialization failure; fn must
// therefore have no effect outside the transaction (the engine's does not).
//
// Text. PostgreSQL refuses the NUL character and invalid UTF-8 in text and
// JSONB, where SQLite keeps any bytes. A message must never be lost for
// that, so such bytes are stored as U+FFFD.
//
// Personal data: contacts are found by bot.Keyring.LookupKey and their
// address is stored only sealed. Deleted rows stay in PostgreSQL's files
// until VACUUM reuses the space and in its write-ahead log until it is
// recycled: put the database on an encrypted volume.
//
// Times are UTC unix milliseconds (BIGINT), as in SQLite.
package postgres
