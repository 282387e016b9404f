-- A broadcast's escalation ladder, planned with it from its category's ladder (the setting
-- dispatch.escalation): after so many minutes, the households that have not confirmed by
-- keypad get a text, then their chiefs a call list. One row per step; its state is the
-- timeline on the progress screen.
CREATE TABLE broadcast_escalations (
    id           INTEGER PRIMARY KEY,
    broadcast_id INTEGER NOT NULL REFERENCES broadcasts(id) ON DELETE CASCADE,
    step         INTEGER NOT NULL,
    action       TEXT NOT NULL CHECK (action IN ('sms', 'kakao', 'chief')),
    -- Minutes after the broadcast starts sending (its time, or its approval).
    after_mins   INTEGER NOT NULL CHECK (after_mins > 0),
    state        TEXT NOT NULL DEFAULT 'planned'
                   CHECK (state IN ('planned', 'done', 'stopped', 'skipped')),
    done_at      TEXT,
    -- Households the step went to, and the broadcast it made (a text, or the chiefs' lists).
    households   INTEGER,
    result_id    INTEGER REFERENCES broadcasts(id),
    stopped_by   TEXT,
    -- Why a step was skipped (the broadcast was cancelled, its text could not go as SMS).
    note         TEXT,
    UNIQUE (broadcast_id, step)
);
CREATE INDEX broadcast_escalations_planned ON broadcast_escalations (broadcast_id)
    WHERE state = 'planned';
