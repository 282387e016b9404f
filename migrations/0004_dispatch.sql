-- Broadcasts and their deliveries: the outbox (issue 4). A delivery row is written before any
-- network call and its provider ids right after, so a crash at any point can be resumed;
-- anything left in 'submitting' is reconciled with the provider before it is ever re-sent.

CREATE TABLE broadcasts (
    id          INTEGER PRIMARY KEY,
    title       TEXT NOT NULL,
    category    TEXT NOT NULL CHECK (category IN ('admin', 'village_news', 'emergency', 'education_event')),
    body        TEXT NOT NULL,
    recording   TEXT,
    emergency   INTEGER NOT NULL DEFAULT 0,
    -- Made in practice mode: goes to the sandbox only and stays out of real reports.
    practice    INTEGER NOT NULL DEFAULT 0,
    send_at     TEXT,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    approved_by TEXT,
    approved_at TEXT
);

CREATE TABLE deliveries (
    id                  INTEGER PRIMARY KEY,
    broadcast_id        INTEGER NOT NULL REFERENCES broadcasts(id) ON DELETE CASCADE,
    channel             TEXT NOT NULL CHECK (channel IN ('voice', 'sms', 'kakao')),
    e164                TEXT NOT NULL,
    -- The subscribers this number reaches, as a JSON array of ids.
    subscribers         TEXT NOT NULL,
    state               TEXT NOT NULL DEFAULT 'pending' CHECK (state IN
                          ('pending', 'submitting', 'submitted', 'delivered', 'answered', 'listened', 'failed', 'cancelled')),
    reason              TEXT,
    attempt             INTEGER NOT NULL DEFAULT 0,
    next_attempt_at     TEXT,
    provider            TEXT,
    provider_group_id   TEXT,
    provider_message_id TEXT,
    idempotency_key     TEXT,
    updated_at          TEXT NOT NULL,
    UNIQUE (broadcast_id, channel, e164)
);
CREATE INDEX deliveries_state ON deliveries (state, next_attempt_at);
CREATE UNIQUE INDEX deliveries_idempotency ON deliveries (idempotency_key) WHERE idempotency_key IS NOT NULL;
