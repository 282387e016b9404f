-- 녹음 — what the broadcast console recorded (or took from a file): the Ogg Opus archive
-- and the 8 kHz telephone rendition, what they measure, who made them. A row is written
-- before recording starts (state 'recording'), so a crash leaves a row to recover from.
CREATE TABLE recordings (
    id                  INTEGER PRIMARY KEY,
    title               TEXT NOT NULL,
    state               TEXT NOT NULL CHECK (state IN ('recording', 'ready', 'recovered', 'failed')),
    source              TEXT NOT NULL CHECK (source IN ('live', 'import')),
    archive_path        TEXT NOT NULL,
    telephony_path      TEXT NOT NULL,
    spool_path          TEXT NOT NULL,
    duration_ms         INTEGER,
    input_lufs          REAL,
    gain_db             REAL,
    archive_lufs        REAL,
    true_peak_dbtp      REAL,
    telephony_dbm0      REAL,
    -- The DTMF sequence played to the transmitter, and the villages it opened.
    zone_sequence       TEXT NOT NULL DEFAULT '',
    villages            TEXT NOT NULL DEFAULT '[]',
    chime               INTEGER NOT NULL DEFAULT 0,
    practice            INTEGER NOT NULL DEFAULT 0,
    -- A chief's recordings belong to their village.
    village_id          INTEGER REFERENCES villages(id),
    note                TEXT,
    created_by          TEXT NOT NULL,
    created_at          TEXT NOT NULL,
    finished_at         TEXT,
    deleted_at          TEXT
);
CREATE INDEX recordings_created ON recordings (created_at);

-- The recording a broadcast's voice calls play.
ALTER TABLE broadcasts ADD COLUMN recording_id INTEGER REFERENCES recordings(id);
