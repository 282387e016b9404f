-- Records that several officials edit carry a version: a save names the version it was made
-- from and is refused when someone saved in between (the message names who and when, and
-- the form keeps what was typed). updated_by is the saver's display name at the time.
ALTER TABLE subscribers ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE subscribers ADD COLUMN updated_by TEXT NOT NULL DEFAULT '';
ALTER TABLE villages ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE villages ADD COLUMN updated_by TEXT NOT NULL DEFAULT '';
ALTER TABLE villages ADD COLUMN updated_at TEXT NOT NULL DEFAULT '';
ALTER TABLE registry_groups ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE registry_groups ADD COLUMN updated_by TEXT NOT NULL DEFAULT '';
