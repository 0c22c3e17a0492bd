// Package migrations holds the database schema of Passerelle's stores as
// numbered SQL files embedded into the binary, one directory per dialect:
//
//	sqlite/0001_init.sql    used and tested by bot/sqlite
//	postgres/0001_init.sql  for bot/postgres (written alongside, not yet run)
//
// Both dialects share one numbering: migration N means the same change in
// each, so a deployment can move from SQLite to PostgreSQL at any version.
// A file is named NNNN_name.sql; versions start at 1 and have no gaps. Each
// store records applied versions in a schema_migrations table and applies
// the missing ones in one transaction when it opens.
//
// Conventions shared by both schemas: times are UTC unix milliseconds in
// 64-bit integer columns; booleans are 0/1 in SQLite and BOOLEAN in
// PostgreSQL; JSON (conversation state, reply options) is text in SQLite
// and JSONB in PostgreSQL; addresses are AES-GCM sealed bytes, never text.
package migrations
