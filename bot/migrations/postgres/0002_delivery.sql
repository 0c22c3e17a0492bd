-- 0002_delivery (PostgreSQL): the same change as ../sqlite/0002_delivery.sql.
-- Run by bot/postgres at Open and tested through bot/storetest.

ALTER TABLE outbox ADD COLUMN delivery TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN error_code TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN delivery_at BIGINT;
ALTER TABLE outbox ADD COLUMN held_at BIGINT;
ALTER TABLE outbox ADD COLUMN window_closed BOOLEAN NOT NULL DEFAULT FALSE;

CREATE INDEX outbox_provider ON outbox (provider_id) WHERE provider_id IS NOT NULL;
-- A message from the person releases their held replies (every inbound
-- message looks, so only held rows are indexed).
CREATE INDEX outbox_held ON outbox (contact_id) WHERE held_at IS NOT NULL OR window_closed;
