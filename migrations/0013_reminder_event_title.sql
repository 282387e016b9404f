-- A reminder carries its event's title as data: the outbox names the broadcast after it
-- instead of parsing it back out of the text (which a translated or edited text breaks).
ALTER TABLE program_reminders ADD COLUMN event_title TEXT NOT NULL DEFAULT '';

UPDATE program_reminders
SET event_title = COALESCE(
    CASE event_kind
        WHEN 'workshop' THEN (SELECT title FROM workshops WHERE workshops.id = program_reminders.event_id)
        ELSE (SELECT title FROM trainings WHERE trainings.id = program_reminders.event_id)
    END, '');
