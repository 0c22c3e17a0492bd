-- 0001_init (SQLite): contacts, conversations, messages, inbound dedupe,
-- handoffs, outbox, store metadata.
-- Times are UTC unix milliseconds. Booleans are 0/1. JSON is TEXT.
-- Keep in step with ../postgres/0001_init.sql.

-- store_meta holds small values about the database itself, such as the
-- sealed canary that proves the secret key matches the data.
CREATE TABLE store_meta (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
) STRICT;

-- A person on one channel. lookup_key is the hex HMAC of channel + address
-- (bot.Keyring.LookupKey); the address itself is only stored sealed.
CREATE TABLE contacts (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    channel        TEXT    NOT NULL,
    lookup_key     TEXT    NOT NULL,
    address_sealed BLOB    NOT NULL,
    profile_sealed BLOB,
    opted_out      INTEGER NOT NULL DEFAULT 0 CHECK (opted_out IN (0, 1)),
    blocked        INTEGER NOT NULL DEFAULT 0 CHECK (blocked IN (0, 1)),
    created_at     INTEGER NOT NULL,
    last_seen      INTEGER NOT NULL,
    UNIQUE (channel, lookup_key)
) STRICT;
CREATE INDEX contacts_last_seen ON contacts (last_seen);

-- The contact's current conversation: one per contact.
CREATE TABLE conversations (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    contact_id INTEGER NOT NULL UNIQUE REFERENCES contacts (id) ON DELETE CASCADE,
    lang       TEXT    NOT NULL DEFAULT '',
    lang_set   INTEGER NOT NULL DEFAULT 0 CHECK (lang_set IN (0, 1)),
    surface    TEXT    NOT NULL,
    campaign   TEXT    NOT NULL DEFAULT '',
    state      TEXT    NOT NULL DEFAULT '{}',
    unanswered INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

-- The transcript. provider_id is set for inbound messages that had one.
CREATE TABLE messages (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    direction       TEXT    NOT NULL CHECK (direction IN ('in', 'bot', 'caseworker')),
    text            TEXT    NOT NULL,
    topic           TEXT    NOT NULL DEFAULT '',
    provider_id     TEXT,
    created_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX messages_conversation ON messages (conversation_id, id);
CREATE INDEX messages_created ON messages (created_at);

-- Every (channel, provider id) seen, so a redelivery is ignored. No link to
-- the contact: these rows outlive a contact's deletion on purpose.
CREATE TABLE inbound_dedupe (
    channel     TEXT    NOT NULL,
    provider_id TEXT    NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (channel, provider_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX inbound_dedupe_received ON inbound_dedupe (received_at);

-- Requests for a caseworker. caseworker_id has no foreign key yet: the
-- caseworkers table comes with the console.
CREATE TABLE handoffs (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    status          TEXT    NOT NULL CHECK (status IN ('waiting', 'assigned', 'closed')),
    urgent          INTEGER NOT NULL DEFAULT 0 CHECK (urgent IN (0, 1)),
    reason          TEXT    NOT NULL DEFAULT '',
    summary         TEXT    NOT NULL DEFAULT '',
    caseworker_id   INTEGER,
    created_at      INTEGER NOT NULL,
    closed_at       INTEGER
) STRICT;
-- At most one handoff that is not closed per conversation.
CREATE UNIQUE INDEX handoffs_one_open ON handoffs (conversation_id) WHERE status <> 'closed';
CREATE INDEX handoffs_conversation ON handoffs (conversation_id);
CREATE INDEX handoffs_queue ON handoffs (urgent DESC, created_at, id) WHERE status <> 'closed';
CREATE INDEX handoffs_closed ON handoffs (closed_at) WHERE status = 'closed';

-- Replies waiting to be sent (queued), sent, or given up on (failed).
-- A queued row is in flight while leased_until is in the future.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    contact_id      INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    channel         TEXT    NOT NULL,
    surface         TEXT    NOT NULL,
    lang            TEXT    NOT NULL DEFAULT '',
    text            TEXT    NOT NULL,
    options         TEXT    NOT NULL DEFAULT '[]',
    attempts        INTEGER NOT NULL DEFAULT 0,
    not_before      INTEGER NOT NULL,
    leased_until    INTEGER,
    status          TEXT    NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
    provider_id     TEXT,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER,
    failed_at       INTEGER
) STRICT;
-- The queue in order, with what a claim filters on; the head of each
-- contact's queue.
CREATE INDEX outbox_queue ON outbox (id, contact_id, not_before, leased_until) WHERE status = 'queued';
CREATE INDEX outbox_queued_contact ON outbox (contact_id, id, leased_until) WHERE status = 'queued';
CREATE INDEX outbox_contact ON outbox (contact_id);
CREATE INDEX outbox_conversation ON outbox (conversation_id);
CREATE INDEX outbox_sent ON outbox (sent_at) WHERE status = 'sent';
CREATE INDEX outbox_failed ON outbox (failed_at) WHERE status = 'failed';
