-- The outbox table rebuilt with the same columns, keys and indexes, its two CHECKs written as
-- OR chains instead of IN lists. SQLite evaluates a CHECK's IN list by building a small
-- ephemeral table every time the row is checked: on a county-wide fan-out (86,000 rows) the
-- two IN lists took 60 % of the INSERT, and every state change of the sync paid them again.
-- The rules themselves are unchanged.

CREATE TABLE deliveries_new (
    id                  INTEGER PRIMARY KEY,
    broadcast_id        INTEGER NOT NULL REFERENCES broadcasts(id) ON DELETE CASCADE,
    channel             TEXT NOT NULL
                          CHECK (channel = 'voice' OR channel = 'sms' OR channel = 'kakao'),
    e164                TEXT NOT NULL,
    -- The subscribers this number reaches, as a JSON array of ids.
    subscribers         TEXT NOT NULL,
    state               TEXT NOT NULL DEFAULT 'pending'
                          CHECK (state = 'pending' OR state = 'submitting' OR state = 'submitted'
                              OR state = 'delivered' OR state = 'answered' OR state = 'listened'
                              OR state = 'failed' OR state = 'cancelled'),
    reason              TEXT,
    attempt             INTEGER NOT NULL DEFAULT 0,
    next_attempt_at     TEXT,
    provider            TEXT,
    provider_group_id   TEXT,
    provider_message_id TEXT,
    idempotency_key     TEXT,
    updated_at          TEXT NOT NULL,
    village_id          INTEGER REFERENCES villages(id),
    -- Renamed with the table below, so it points at deliveries again.
    fallback_of         INTEGER REFERENCES deliveries_new(id),
    body                TEXT,
    UNIQUE (broadcast_id, channel, e164)
);

INSERT INTO deliveries_new (id, broadcast_id, channel, e164, subscribers, state, reason, attempt,
        next_attempt_at, provider, provider_group_id, provider_message_id, idempotency_key,
        updated_at, village_id, fallback_of, body)
    SELECT id, broadcast_id, channel, e164, subscribers, state, reason, attempt,
        next_attempt_at, provider, provider_group_id, provider_message_id, idempotency_key,
        updated_at, village_id, fallback_of, body
    FROM deliveries ORDER BY id;

-- Only deliveries refers to deliveries (fallback_of), so dropping it with every row leaves no
-- dangling reference behind.
DROP TABLE deliveries;
ALTER TABLE deliveries_new RENAME TO deliveries;

CREATE INDEX deliveries_state ON deliveries (state, next_attempt_at);
CREATE UNIQUE INDEX deliveries_idempotency ON deliveries (idempotency_key) WHERE idempotency_key IS NOT NULL;
-- Progress per broadcast, and the worker's look for pending rows of emergency broadcasts.
CREATE INDEX deliveries_broadcast ON deliveries (broadcast_id, state, channel);
