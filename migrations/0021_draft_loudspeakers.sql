-- A disaster draft also goes out on the villages' outdoor loudspeakers: the console replays
-- the standard recording the office chose (settings `alarm.recording`) to the villages it
-- covers. The feed's 위급·긴급재난·안전안내 step is kept so that 위급재난 can go out on
-- its own (setting `alarm.auto_critical`); the live recording the console made is the
-- proof it played, and marks the draft so no desk plays it twice.
ALTER TABLE broadcast_drafts ADD COLUMN step TEXT;
ALTER TABLE broadcast_drafts ADD COLUMN loudspeaker_recording_id INTEGER REFERENCES recordings(id);
ALTER TABLE broadcast_drafts ADD COLUMN loudspeaker_at TEXT;
ALTER TABLE broadcast_drafts ADD COLUMN loudspeaker_by TEXT;
-- When the source issued it (UTC): a 위급재난 plays by itself only while it is fresh, however
-- late this desk took it in (after an outage, in the morning).
ALTER TABLE broadcast_drafts ADD COLUMN issued_at TEXT;
-- "보내기" found the console on air: the feed loop plays it when the console is free.
ALTER TABLE broadcast_drafts ADD COLUMN loudspeaker_queued INTEGER NOT NULL DEFAULT 0;
