-- A delivery's own text, where it differs from its broadcast's: each chief's list of the
-- households a broadcast did not reach, a programme reminder to one person.
ALTER TABLE deliveries ADD COLUMN body TEXT;

-- Broadcasts settled before chiefs were notified automatically are not notified now, days late.
UPDATE broadcasts SET chiefs_notified_at = created_at WHERE chiefs_notified_at IS NULL;
