-- 공약사업 관리카드. The card itself is one JSON document (`body`, the shape of
-- maeul_budget::PledgeCard); the columns beside it are what the list screen sorts and
-- filters on, rewritten from the body on every save.
CREATE TABLE pledge_cards (
    id              INTEGER PRIMARY KEY,
    number          TEXT NOT NULL UNIQUE,   -- 관리번호
    title           TEXT NOT NULL,          -- 공약명
    lead_department TEXT NOT NULL,
    status          TEXT NOT NULL,          -- done | done_continuing | on_track | partial | on_hold | dropped
    status_percent  INTEGER NOT NULL,
    plan_total      INTEGER NOT NULL,       -- 백만원
    executed_total  INTEGER NOT NULL,       -- 백만원
    issue_count     INTEGER NOT NULL,       -- failed checks; > 0 means draft
    body            TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    updated_by      TEXT NOT NULL
);
