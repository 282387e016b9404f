-- Frequent messages (자주 쓰는 문구): a title and text per category, shared by every desk,
-- with fields ({마을명}, {일시}, {장소}) filled when a broadcast is composed. Versioned like
-- the registry's records: two officials editing one template do not overwrite each other.
CREATE TABLE message_templates (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    category   TEXT NOT NULL
                 CHECK (category IN ('admin', 'village_news', 'emergency', 'education_event')),
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1
);
