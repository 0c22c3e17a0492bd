-- 0003_console (PostgreSQL): caseworker accounts, console sessions, private
-- notes and the console audit log.
-- Keep in step with ../sqlite/0003_console.sql.

CREATE TABLE caseworkers (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email         TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL,
    languages     TEXT    NOT NULL DEFAULT '',
    role          TEXT    NOT NULL CHECK (role IN ('caseworker', 'admin')),
    password_hash BYTEA   NOT NULL,
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    BIGINT  NOT NULL
);

CREATE TABLE console_sessions (
    token_hash    TEXT   PRIMARY KEY,
    caseworker_id BIGINT NOT NULL REFERENCES caseworkers (id) ON DELETE CASCADE,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL
);
CREATE INDEX console_sessions_expires ON console_sessions (expires_at);

CREATE TABLE handoff_notes (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conversation_id BIGINT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    caseworker_id   BIGINT NOT NULL REFERENCES caseworkers (id),
    text            TEXT   NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX handoff_notes_conversation ON handoff_notes (conversation_id, id);

CREATE TABLE console_audit (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    caseworker_id   BIGINT NOT NULL,
    action          TEXT   NOT NULL,
    conversation_id BIGINT NOT NULL DEFAULT 0,
    detail          TEXT   NOT NULL DEFAULT '',
    at              BIGINT NOT NULL
);
CREATE INDEX console_audit_at ON console_audit (at);
