-- Failed sign-ins per username tried (known or not, so that a lockout does not reveal which
-- accounts exist): after five in a row the name is refused until `locked_until` (ISO-8601
-- UTC), longer with each further failure. A successful sign-in deletes the row.
CREATE TABLE login_failures (
    username     TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL,
    locked_until TEXT
);
