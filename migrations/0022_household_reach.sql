-- The household reach ledger (issue 21): for every household and Seoul month, the last time
-- a delivery reached it (an SMS or KakaoTalk delivered, a call answered), by which channel
-- and broadcast, and whether any call that month was confirmed (a key pressed). The
-- dashboard and the not-reached lists read ~37,000 × months rows instead of walking
-- millions of deliveries and their subscriber lists, and reach survives the purge that
-- forgets whom old deliveries went to. Practice broadcasts never count.
-- village_id repeats the household's village so that a month's figures per village or town
-- are read from one index, without joining 400,000 rows to households.
CREATE TABLE household_reach (
    household_id INTEGER NOT NULL REFERENCES households(id) ON DELETE CASCADE,
    month        TEXT NOT NULL,
    village_id   INTEGER NOT NULL REFERENCES villages(id),
    last_at      TEXT NOT NULL,
    channel      TEXT NOT NULL CHECK (channel IN ('voice', 'sms', 'kakao')),
    broadcast_id INTEGER NOT NULL,
    confirmed    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (household_id, month)
);
CREATE INDEX household_reach_month ON household_reach (month, village_id, confirmed);

-- Each household's latest row of the above (its month's confirmation with it): the ledger
-- line, the 30/90-day figures per village and the not-reached lists read this.
CREATE TABLE household_last (
    household_id INTEGER PRIMARY KEY REFERENCES households(id) ON DELETE CASCADE,
    village_id   INTEGER NOT NULL REFERENCES villages(id),
    month        TEXT NOT NULL,
    last_at      TEXT NOT NULL,
    channel      TEXT NOT NULL,
    broadcast_id INTEGER NOT NULL,
    confirmed    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX household_last_village ON household_last (village_id, last_at, confirmed);

-- What the ledger has still to read: every delivery that reaches someone (or has a key
-- pressed) is queued by these triggers, in the order it happened, whatever clock stamped
-- it; the refresh reads the queue and empties what it read. A time watermark would miss
-- rows stamped by a slower clock or committed late.
CREATE TABLE reach_queue (
    seq         INTEGER PRIMARY KEY,
    delivery_id INTEGER NOT NULL
);
CREATE TRIGGER deliveries_reach_update AFTER UPDATE OF state, reply_digit ON deliveries
WHEN NEW.state IN ('delivered', 'answered', 'listened')
    AND (OLD.state IS NOT NEW.state OR OLD.reply_digit IS NOT NEW.reply_digit)
BEGIN
    INSERT INTO reach_queue (delivery_id) VALUES (NEW.id);
END;
CREATE TRIGGER deliveries_reach_insert AFTER INSERT ON deliveries
WHEN NEW.state IN ('delivered', 'answered', 'listened')
BEGIN
    INSERT INTO reach_queue (delivery_id) VALUES (NEW.id);
END;
-- What was delivered before the ledger existed.
INSERT INTO reach_queue (delivery_id)
    SELECT id FROM deliveries WHERE state IN ('delivered', 'answered', 'listened') ORDER BY id;
