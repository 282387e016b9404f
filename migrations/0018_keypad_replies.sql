-- Answers from residents by keypad. Every voice call asks "들으셨으면 1번을 눌러 주세요";
-- a broadcast may instead carry a poll (2–5 answers, 1 참석 / 2 불참), whose pressed
-- digits are tallied per village.
-- The poll as JSON ({"question": …, "answers": [...]}); NULL: the call asks only to confirm.
ALTER TABLE broadcasts ADD COLUMN poll TEXT;
-- The digit the resident pressed on this call (1–9), or 0 where the provider said a key was
-- pressed without saying which. NULL: nothing pressed (yet).
ALTER TABLE deliveries ADD COLUMN reply_digit INTEGER CHECK (reply_digit BETWEEN 0 AND 9);
-- When the provider is next asked whether this answered call was replied to. Set when a
-- call is answered; cleared once the answer is known (pressed, or certainly nothing). Twilio
-- keeps a call's requests only 15 minutes after it ends, so the question is asked again.
ALTER TABLE deliveries ADD COLUMN reply_due_at TEXT;
ALTER TABLE deliveries ADD COLUMN reply_checks INTEGER NOT NULL DEFAULT 0;
CREATE INDEX deliveries_reply_due ON deliveries (reply_due_at) WHERE reply_due_at IS NOT NULL;
