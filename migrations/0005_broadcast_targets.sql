-- What a broadcast asked for (channels, targets), the message kind its text goes as, and the
-- two-person approval of county-wide sends; per delivery, the village it belongs to (for the
-- per-village drill-down and the "not reached" lists) and the delivery a fallback replaces.

ALTER TABLE broadcasts ADD COLUMN channels TEXT NOT NULL DEFAULT '[]';
ALTER TABLE broadcasts ADD COLUMN targets TEXT NOT NULL DEFAULT '{"kind":"all"}';
ALTER TABLE broadcasts ADD COLUMN text_kind TEXT CHECK (text_kind IS NULL OR text_kind IN ('sms', 'lms'));
ALTER TABLE broadcasts ADD COLUMN needs_approval INTEGER NOT NULL DEFAULT 0;
ALTER TABLE broadcasts ADD COLUMN cancelled_at TEXT;

ALTER TABLE deliveries ADD COLUMN village_id INTEGER REFERENCES villages(id);
ALTER TABLE deliveries ADD COLUMN fallback_of INTEGER REFERENCES deliveries(id);
-- Progress per broadcast, and the worker's look for pending rows of emergency broadcasts.
CREATE INDEX deliveries_broadcast ON deliveries (broadcast_id, state, channel);

-- A resend to the not-reached, or the notice to chiefs after a broadcast settled, points at
-- the broadcast it follows.
ALTER TABLE broadcasts ADD COLUMN parent_id INTEGER REFERENCES broadcasts(id);
ALTER TABLE broadcasts ADD COLUMN purpose TEXT NOT NULL DEFAULT 'broadcast'
    CHECK (purpose IN ('broadcast', 'resend', 'chief_notice'));
ALTER TABLE broadcasts ADD COLUMN chiefs_notified_at TEXT;
