-- Living-lab cohorts and chief training (issue 5). Event times are civil times in
-- Asia/Seoul ('YYYY-MM-DDTHH:MM'): a workshop at 09:30 stays at 09:30 whatever the PC's zone.
-- Reminder due times are instants, ISO-8601 UTC.

-- 리빙랩 기수 (one per year and kind)
CREATE TABLE cohorts (
    id             INTEGER PRIMARY KEY,
    year           INTEGER NOT NULL,
    name           TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('resident_training', 'sos_lab', 'living_lab', 'data_living_lab')),
    budget_million INTEGER,
    partners       TEXT NOT NULL DEFAULT '',
    recruit_start  TEXT,
    recruit_end    TEXT,
    activity_start TEXT NOT NULL,
    activity_end   TEXT NOT NULL,
    results_date   TEXT,
    target_size    INTEGER NOT NULL DEFAULT 10,
    notes          TEXT NOT NULL DEFAULT '',
    UNIQUE (year, name)
);

-- 참여자: applicants and participants of a cohort.
CREATE TABLE cohort_people (
    id         INTEGER PRIMARY KEY,
    cohort_id  INTEGER NOT NULL REFERENCES cohorts(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    phone      TEXT,
    village_id INTEGER REFERENCES villages(id),
    role       TEXT NOT NULL CHECK (role IN ('resident', 'expert', 'facilitator')),
    state      TEXT NOT NULL CHECK (state IN ('applied', 'selected', 'declined', 'withdrew')),
    sms_consent INTEGER NOT NULL DEFAULT 0,
    note       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX cohort_people_cohort ON cohort_people (cohort_id);

CREATE TABLE workshops (
    id          INTEGER PRIMARY KEY,
    cohort_id   INTEGER NOT NULL REFERENCES cohorts(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('ot', 'workshop', 'site_visit', 'mentoring', 'results')),
    phase       INTEGER NOT NULL CHECK (phase BETWEEN 1 AND 3),
    title       TEXT NOT NULL,
    starts_at   TEXT NOT NULL,
    ends_at     TEXT NOT NULL,
    place       TEXT NOT NULL,
    facilitator TEXT NOT NULL DEFAULT '',
    agenda      TEXT NOT NULL DEFAULT '',
    CHECK (ends_at > starts_at)
);
CREATE INDEX workshops_cohort ON workshops (cohort_id);

CREATE TABLE workshop_attendance (
    workshop_id INTEGER NOT NULL REFERENCES workshops(id) ON DELETE CASCADE,
    person_id   INTEGER NOT NULL REFERENCES cohort_people(id) ON DELETE CASCADE,
    status      TEXT NOT NULL CHECK (status IN ('present', 'late', 'absent', 'excused')),
    PRIMARY KEY (workshop_id, person_id)
);

CREATE TABLE teams (
    id        INTEGER PRIMARY KEY,
    cohort_id INTEGER NOT NULL REFERENCES cohorts(id) ON DELETE CASCADE,
    name      TEXT NOT NULL,
    UNIQUE (cohort_id, name)
);

CREATE TABLE team_members (
    team_id   INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES cohort_people(id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, person_id)
);

-- 의제 and the solutions that came of them.
CREATE TABLE outcomes (
    id          INTEGER PRIMARY KEY,
    cohort_id   INTEGER NOT NULL REFERENCES cohorts(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('topic', 'solution')),
    title       TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('proposed', 'in_progress', 'done', 'dropped')),
    workshop_id INTEGER REFERENCES workshops(id) ON DELETE SET NULL,
    team_id     INTEGER REFERENCES teams(id) ON DELETE SET NULL,
    note        TEXT NOT NULL DEFAULT ''
);

-- 이장교육: one session in one town.
CREATE TABLE trainings (
    id        INTEGER PRIMARY KEY,
    town_id   INTEGER NOT NULL REFERENCES towns(id),
    title     TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    ends_at   TEXT NOT NULL,
    place     TEXT NOT NULL,
    trainer   TEXT NOT NULL DEFAULT '',
    agenda    TEXT NOT NULL DEFAULT '',
    CHECK (ends_at > starts_at)
);

-- The roster: the town's chiefs (village_id set, walk_in 0) taken from the registry when the
-- session is created, plus walk-ins.
CREATE TABLE training_attendees (
    id            INTEGER PRIMARY KEY,
    training_id   INTEGER NOT NULL REFERENCES trainings(id) ON DELETE CASCADE,
    village_id    INTEGER REFERENCES villages(id),
    name          TEXT NOT NULL,
    phone         TEXT,
    walk_in       INTEGER NOT NULL DEFAULT 0,
    checked_in_at TEXT,
    UNIQUE (training_id, village_id)
);
CREATE INDEX training_attendees_training ON training_attendees (training_id);

-- Per chief (their village), across sessions.
CREATE TABLE chief_checklist (
    village_id       INTEGER PRIMARY KEY REFERENCES villages(id),
    app_installed    INTEGER NOT NULL DEFAULT 0,
    phone_registered INTEGER NOT NULL DEFAULT 0,
    practice_done    INTEGER NOT NULL DEFAULT 0,
    updated_at       TEXT NOT NULL,
    updated_by       TEXT NOT NULL
);

-- Reminder SMS waiting for the dispatch outbox to take them (dispatch picks up rows in state
-- 'scheduled' whose due_at has passed). practice = 1 rows may only ever go to the sandbox.
CREATE TABLE program_reminders (
    id          INTEGER PRIMARY KEY,
    event_kind  TEXT NOT NULL CHECK (event_kind IN ('workshop', 'training')),
    event_id    INTEGER NOT NULL,
    recipient   TEXT NOT NULL,
    phone       TEXT NOT NULL,
    body        TEXT NOT NULL,
    due_at      TEXT NOT NULL,
    state       TEXT NOT NULL DEFAULT 'scheduled' CHECK (state IN ('scheduled', 'queued', 'cancelled')),
    practice    INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    UNIQUE (event_kind, event_id, phone, due_at)
);
CREATE INDEX program_reminders_due ON program_reminders (state, due_at);
