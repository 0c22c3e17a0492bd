-- 0001_init (PostgreSQL): the same schema as ../sqlite/0001_init.sql.
-- Run by bot/postgres at Open and tested there against a real server
-- (bot/storetest with PASSERELLE_TEST_DATABASE_URL).
-- Times are UTC unix milliseconds (BIGINT), as in SQLite, so both stores map
-- rows the same way.

CREATE TABLE store_meta (
    name  TEXT PRIMARY KEY,
    value BYTEA NOT NULL
);

CREATE TABLE contacts (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel        TEXT    NOT NULL,
    lookup_key     TEXT    NOT NULL,
    address_sealed BYTEA   NOT NULL,
    profile_sealed BYTEA,
    opted_out      BOOLEAN NOT NULL DEFAULT FALSE,
    blocked        BOOLEAN NOT NULL DEFAULT FALSE,
    created_at     BIGINT  NOT NULL,
    last_seen      BIGINT  NOT NULL,
    UNIQUE (channel, lookup_key)
);
CREATE INDEX contacts_last_seen ON contacts (last_seen);

CREATE TABLE conversations (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    contact_id BIGINT  NOT NULL UNIQUE REFERENCES contacts (id) ON DELETE CASCADE,
    lang       TEXT    NOT NULL DEFAULT '',
    lang_set   BOOLEAN NOT NULL DEFAULT FALSE,
    surface    TEXT    NOT NULL,
    campaign   TEXT    NOT NULL DEFAULT '',
    state      JSONB   NOT NULL DEFAULT '{}',
    unanswered INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL
);

CREATE TABLE messages (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conversation_id BIGINT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    direction       TEXT   NOT NULL CHECK (direction IN ('in', 'bot', 'caseworker')),
    text            TEXT   NOT NULL,
    topic           TEXT   NOT NULL DEFAULT '',
    provider_id     TEXT,
    created_at      BIGINT NOT NULL
);
CREATE INDEX messages_conversation ON messages (conversation_id, id);
CREATE INDEX messages_created ON messages (created_at);

CREATE TABLE inbound_dedupe (
    channel     TEXT   NOT NULL,
    provider_id TEXT   NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (channel, provider_id)
);
CREATE INDEX inbound_dedupe_received ON inbound_dedupe (received_at);

CREATE TABLE handoffs (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conversation_id BIGINT  NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    status          TEXT    NOT NULL CHECK (status IN ('waiting', 'assigned', 'closed')),
    urgent          BOOLEAN NOT NULL DEFAULT FALSE,
    reason          TEXT    NOT NULL DEFAULT '',
    summary         TEXT    NOT NULL DEFAULT '',
    caseworker_id   BIGINT,
    created_at      BIGINT  NOT NULL,
    closed_at       BIGINT
);
CREATE UNIQUE INDEX handoffs_one_open ON handoffs (conversation_id) WHERE status <> 'closed';
CREATE INDEX handoffs_conversation ON handoffs (conversation_id);
CREATE INDEX handoffs_queue ON handoffs (urgent DESC, created_at, id) WHERE status <> 'closed';
CREATE INDEX handoffs_closed ON handoffs (closed_at) WHERE status = 'closed';

CREATE TABLE outbox (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    contact_id      BIGINT  NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    conversation_id BIGINT  NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    channel         TEXT    NOT NULL,
    surface         TEXT    NOT NULL,
    lang            TEXT    NOT NULL DEFAULT '',
    text            TEXT    NOT NULL,
    options         JSONB   NOT NULL DEFAULT '[]',
    attempts        INTEGER NOT NULL DEFAULT 0,
    not_before      BIGINT  NOT NULL,
    leased_until    BIGINT,
    status          TEXT    NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
    provider_id     TEXT,
    last_error      TEXT,
    created_at      BIGINT  NOT NULL,
    sent_at         BIGINT,
    failed_at       BIGINT
);
CREATE INDEX outbox_queue ON outbox (id, contact_id, not_before, leased_until) WHERE status = 'queued';
CREATE INDEX outbox_queued_contact ON outbox (contact_id, id, leased_until) WHERE status = 'queued';
CREATE INDEX outbox_contact ON outbox (contact_id);
CREATE INDEX outbox_conversation ON outbox (conversation_id);
CREATE INDEX outbox_sent ON outbox (sent_at) WHERE status = 'sent';
CREATE INDEX outbox_failed ON outbox (failed_at) WHERE status = 'failed';
