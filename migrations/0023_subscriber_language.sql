-- Accessibility and language (issue 21): a subscriber may take every voice broadcast also
-- as a text (문자로 받기 우선: the hard of hearing), and names the language they read best.
-- A broadcast keeps the translations the office wrote (JSON: language code → text), so that
-- its history and a resend to the not-reached carry them; each text delivery to a reader
-- of another language holds its own body already (deliveries.body).
ALTER TABLE subscribers ADD COLUMN text_first INTEGER NOT NULL DEFAULT 0;
ALTER TABLE subscribers ADD COLUMN language TEXT NOT NULL DEFAULT 'ko'
    CHECK (language IN ('ko', 'vi', 'en', 'tl'));
ALTER TABLE broadcasts ADD COLUMN translations TEXT;
