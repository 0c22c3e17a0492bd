// Package storetest is the conformance suite every bot.Store passes: the
// SQLite store (bot/sqlite) and the PostgreSQL one (bot/postgres) call Run
// from their tests against a real database. The database is never mocked.
//
// The suite checks what the engine and the sender rely on: idempotent
// inbound recording, contact identity, exact text round trips (RTL, ZWNJ,
// Ethiopic), rollback, outbox ordering, leases and retries, handoff
// uniqueness, deletion of a person's data, retention purge and concurrent
// transactions.
package storetest
