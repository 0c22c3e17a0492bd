-- 0004_send_rates (SQLite): the shared send-rate limiter (Store.ReserveSends).
-- Keep in step with ../postgres/0004_send_rates.sql.

-- One row per rate key (a provider account or sender, e.g.
-- "telegram:<bot id>", "twilio:+33612345678"): tat_us is the generic cell
-- rate algorithm's theoretical arrival time, in unix microseconds (a rate
-- of hundreds of messages a second spaces them less than a millisecond
-- apart). The row holds no personal data and is rewritten on every send.
CREATE TABLE send_rates (
    key    TEXT    PRIMARY KEY,
    tat_us INTEGER NOT NULL
) WITHOUT ROWID;
