-- Broadcasts proposed by something other than a person at the desk: a CAP alert imported
-- from a file, or a 재난문자 taken from the national feed. Each source message becomes one
-- draft (unique per source), which staff send with one press or dismiss; edited by several
-- officials, so it carries a version like the registry's records (see 0015).
CREATE TABLE broadcast_drafts (
    id           INTEGER PRIMARY KEY,
    source       TEXT NOT NULL CHECK (source IN ('cap', 'feed')),
    -- CAP: "sender,identifier,sent" (the form CAP's <references> uses); feed: its SN.
    source_ref   TEXT NOT NULL,
    -- What the source called the event, its TTAS 재난 종류 코드 where it gave one, and who
    -- issued it.
    event        TEXT NOT NULL,
    event_code   TEXT,
    issuer       TEXT NOT NULL,
    title        TEXT NOT NULL,
    category     TEXT NOT NULL CHECK (category IN ('admin', 'village_news', 'emergency', 'education_event')),
    body         TEXT NOT NULL,
    -- As broadcasts keep them: JSON of Targets and of the channel list.
    targets      TEXT NOT NULL,
    channels     TEXT NOT NULL,
    emergency    INTEGER NOT NULL DEFAULT 1,
    state        TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'sent', 'dismissed')),
    broadcast_id INTEGER REFERENCES broadcasts(id),
    created_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    updated_by   TEXT NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1,
    UNIQUE (source, source_ref)
);
CREATE INDEX broadcast_drafts_open ON broadcast_drafts (state, created_at);
