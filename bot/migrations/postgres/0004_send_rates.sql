-- 0004_send_rates (PostgreSQL): the send-rate limiter every replica shares
-- (Store.ReserveSends).
-- Keep in step with ../sqlite/0004_send_rates.sql.

-- One row per rate key (a provider account or sender, e.g.
-- "telegram:<bot id>", "twilio:+33612345678"): tat_us is the generic cell
-- rate algorithm's theoretical arrival time, in unix microseconds (a rate
-- of hundreds of messages a second spaces them less than a millisecond
-- apart). The row holds no personal data and is rewritten on every send.
--
-- UNLOGGED: its updates write no WAL, so a reservation commits without
-- waiting for a disk flush. After a crash PostgreSQL empties the table,
-- which only lets the next second's sends start from now; standbys do not
-- have its rows, and a promoted standby starts empty the same way.
-- fillfactor leaves room on the page for HOT updates of the few rows.
CREATE UNLOGGED TABLE send_rates (
    key    TEXT   PRIMARY KEY,
    tat_us BIGINT NOT NULL
) WITH (fillfactor = 50);
