-- Pledge cards, living-lab cohorts and workshops are edited by several officials too: each
-- save names the version its form loaded (see 0015). Cards already keep who saved and when.
ALTER TABLE pledge_cards ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE cohorts ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE cohorts ADD COLUMN updated_by TEXT NOT NULL DEFAULT '';
ALTER TABLE cohorts ADD COLUMN updated_at TEXT NOT NULL DEFAULT '';
ALTER TABLE workshops ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE workshops ADD COLUMN updated_by TEXT NOT NULL DEFAULT '';
ALTER TABLE workshops ADD COLUMN updated_at TEXT NOT NULL DEFAULT '';
