-- 그룹 — named lists of subscribers kept by the county office (경로당 회장단, 귀농·귀촌 모임,
-- 어린이집 학부모 …) that a broadcast can target besides towns and villages. Members are
-- subscribers, so consent, opt-out and channel preferences still decide what each one gets.
CREATE TABLE registry_groups (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
    note        TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

-- A subscriber removed from the registry leaves every group with it.
CREATE TABLE registry_group_members (
    group_id      INTEGER NOT NULL REFERENCES registry_groups(id) ON DELETE CASCADE,
    subscriber_id INTEGER NOT NULL REFERENCES subscribers(id) ON DELETE CASCADE,
    added_at      TEXT NOT NULL,
    PRIMARY KEY (group_id, subscriber_id)
) WITHOUT ROWID;
CREATE INDEX registry_group_members_subscriber ON registry_group_members (subscriber_id);
