-- A disaster draft also goes out on the villages' outdoor loudspeakers: the console replays
-- the standard recording the office chose (settings `alarm.recording`) to the villages it
-- covers. The feed's 위급·긴급재난·안전안내 step is kept so that 위급재난 can go out on
-- its own (setting `alarm.auto_critical`); the live recording the console made is the
-- proof it played, and marks the draft so no desk plays it twice.
ALTER TABLE broadcast_drafts ADD COLUMN step TEXT;
ALTER TABLE broadcast_drafts ADD COLUMN loudspeaker_recording_id INTEGER REFERENCES recordings(id);
ALTER TABLE broadcast_drafts ADD COLUMN loudspeaker_at TEXT;
ALTER TABLE broadcast_drafts ADD COLUMN loudspeaker_by TEXT;
