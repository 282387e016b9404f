-- The personal part of an audit entry (a resident's name, address, masked number), kept
-- beside the hash chain instead of inside it: the entry's detail carries the SHA-256 of this
-- payload, and the chain covers the detail. Erasing a resident (개인정보 파기) deletes their
-- payloads; the chain, holding only digests, still verifies.
CREATE TABLE audit_personal (
    entry_id INTEGER PRIMARY KEY REFERENCES audit_log(id),
    -- Whose data it is, e.g. 'subscriber/42': what an erasure deletes by.
    subject  TEXT NOT NULL,
    payload  TEXT NOT NULL
);
CREATE INDEX audit_personal_subject ON audit_personal (subject);
