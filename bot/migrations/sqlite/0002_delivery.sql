-- 0002_delivery (SQLite): what providers report about sent replies, and
-- replies held for a closed messaging window (WhatsApp's 24 hours).
-- Keep in step with ../postgres/0002_delivery.sql.

-- delivery is the provider's latest status for the message (sent,
-- delivered, read, undelivered, failed...), error_code its error code for
-- a failure, delivery_at when that status came.
ALTER TABLE outbox ADD COLUMN delivery TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN error_code TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN delivery_at INTEGER;
-- held_at is set while a queued reply waits for the person to write again
-- (not_before is then far in the future); window_closed when the provider
-- refused it as outside the messaging window, so that the channel sends it
-- the way that works outside the window.
ALTER TABLE outbox ADD COLUMN held_at INTEGER;
ALTER TABLE outbox ADD COLUMN window_closed INTEGER NOT NULL DEFAULT 0 CHECK (window_closed IN (0, 1));

-- Status callbacks find the message by the provider's id.
CREATE INDEX outbox_provider ON outbox (provider_id) WHERE provider_id IS NOT NULL;
-- A message from the person releases their held replies (every inbound
-- message looks, so only held rows are indexed).
CREATE INDEX outbox_held ON outbox (contact_id) WHERE held_at IS NOT NULL OR window_closed = 1;
