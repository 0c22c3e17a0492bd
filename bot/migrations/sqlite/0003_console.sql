-- 0003_console (SQLite): caseworker accounts, console sessions, private
-- notes and the console audit log.
-- Keep in step with ../postgres/0003_console.sql.

-- Console accounts. email is stored lower-case; languages is a comma list
-- of codes; password_hash is bcrypt.
CREATE TABLE caseworkers (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    email         TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL,
    languages     TEXT    NOT NULL DEFAULT '',
    role          TEXT    NOT NULL CHECK (role IN ('caseworker', 'admin')),
    password_hash BLOB    NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at    INTEGER NOT NULL
) STRICT;

-- Logins. token_hash is the hex SHA-256 of the cookie's token.
CREATE TABLE console_sessions (
    token_hash    TEXT    PRIMARY KEY,
    caseworker_id INTEGER NOT NULL REFERENCES caseworkers (id) ON DELETE CASCADE,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX console_sessions_expires ON console_sessions (expires_at);

-- Private notes: never sent, deleted with the conversation.
CREATE TABLE handoff_notes (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    caseworker_id   INTEGER NOT NULL REFERENCES caseworkers (id),
    text            TEXT    NOT NULL,
    created_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX handoff_notes_conversation ON handoff_notes (conversation_id, id);

-- Who viewed, revealed, replied, transferred, closed, and when. No link to
-- the conversation on purpose: the log outlives a deletion, and holds no
-- message text or address.
CREATE TABLE console_audit (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    caseworker_id   INTEGER NOT NULL,
    action          TEXT    NOT NULL,
    conversation_id INTEGER NOT NULL DEFAULT 0,
    detail          TEXT    NOT NULL DEFAULT '',
    at              INTEGER NOT NULL
) STRICT;
CREATE INDEX console_audit_at ON console_audit (at);
