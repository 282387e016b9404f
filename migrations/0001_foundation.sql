-- Foundation: settings, users, the hash-chained audit log, and the village registry.
-- Portable SQL: no SQLite-only functions; timestamps are ISO-8601 UTC text written by the app.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE counties (
    id   INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL
);

-- 읍/면
CREATE TABLE towns (
    id        INTEGER PRIMARY KEY,
    county_id INTEGER NOT NULL REFERENCES counties(id),
    code      TEXT NOT NULL UNIQUE,
    name      TEXT NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('eup', 'myeon')),
    UNIQUE (county_id, name)
);

-- 행정리
CREATE TABLE villages (
    id          INTEGER PRIMARY KEY,
    town_id     INTEGER NOT NULL REFERENCES towns(id),
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    chief_name  TEXT,
    chief_phone TEXT,
    zone_code   TEXT,
    UNIQUE (town_id, name)
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'chief', 'trainer', 'livinglab', 'auditor')),
    village_id    INTEGER REFERENCES villages(id),
    active        INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    CHECK (role <> 'chief' OR village_id IS NOT NULL)
);

CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    target    TEXT NOT NULL,
    detail    TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);

-- 세대
CREATE TABLE households (
    id         INTEGER PRIMARY KEY,
    village_id INTEGER NOT NULL REFERENCES villages(id),
    address    TEXT NOT NULL,
    head_name  TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX households_village ON households (village_id);

-- 수신자: one phone number of a household, with consent and channel preferences.
-- village_id repeats the household's village so that a number is unique within a village.
CREATE TABLE subscribers (
    id                  INTEGER PRIMARY KEY,
    household_id        INTEGER NOT NULL REFERENCES households(id) ON DELETE CASCADE,
    village_id          INTEGER NOT NULL REFERENCES villages(id),
    name                TEXT NOT NULL,
    phone               TEXT NOT NULL,
    phone_kind          TEXT NOT NULL CHECK (phone_kind IN ('mobile', 'landline', 'voip')),
    consent_date        TEXT,
    consent_method      TEXT CHECK (consent_method IS NULL OR consent_method IN ('paper', 'phone', 'app', 'visit')),
    want_voice          INTEGER NOT NULL DEFAULT 1,
    want_sms            INTEGER NOT NULL DEFAULT 1,
    want_kakao          INTEGER NOT NULL DEFAULT 0,
    status              TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'opted_out')),
    enrollment          TEXT NOT NULL DEFAULT 'approved' CHECK (enrollment IN ('pending', 'approved', 'rejected')),
    enrollment_by       TEXT,
    enrollment_at       TEXT,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    UNIQUE (village_id, phone)
);
CREATE INDEX subscribers_household ON subscribers (household_id);
CREATE INDEX subscribers_enrollment ON subscribers (enrollment, village_id);
