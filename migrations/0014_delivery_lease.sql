-- A delivery being handed to the provider ('submitting') is leased: the worker that wrote it
-- (lease_owner, e.g. "PC-01:4242") holds it until lease_until (UTC, ISO 8601). Another worker
-- (the app and `maeul sync` on one file, or another desk) looks a row up at the provider and
-- puts it back only once the lease has run out, never while its holder may still be sending.
-- Rows left submitting by an older version carry no lease and count as expired.
ALTER TABLE deliveries ADD COLUMN lease_owner TEXT;
ALTER TABLE deliveries ADD COLUMN lease_until TEXT;
