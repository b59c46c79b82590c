-- Retention enforced by a sweep whose cost grows with what expires.
-- `retention_due` is the last day (YYYY-MM-DD, in the controller's time zone)
-- a record is kept for every purpose it is kept for, computed when it is
-- written and again when the subject's events change; NULL while no end is
-- known (an indefinite rule, an event not yet happened). The sweep reads
-- only rows whose day has passed, through the partial index.
ALTER TABLE records ADD COLUMN retention_due TEXT;
-- Set when a rule whose action is `review` has ended: listed for an officer.
ALTER TABLE records ADD COLUMN review_since TEXT;
CREATE INDEX records_retention_due ON records(retention_due, id) WHERE retention_due IS NOT NULL;

-- Legal or litigation holds: while one is in force, the sweep leaves the
-- subject's data (or the one record) in place. Kept after release, as proof.
CREATE TABLE retention_holds (
    id           TEXT PRIMARY KEY,
    subject_id   TEXT NOT NULL REFERENCES subjects(id),
    record_id    TEXT,
    reason       TEXT NOT NULL,
    until_day    TEXT,           -- the last day it holds; NULL until released
    created_at   TEXT NOT NULL,
    released_at  TEXT
);
CREATE INDEX retention_holds_subject ON retention_holds(subject_id);

-- What anonymisation keeps: no subject, no record id, no time; the
-- month of collection and the fields the rule names, readable in aggregate.
CREATE TABLE anonymised (
    id          TEXT PRIMARY KEY,
    category    TEXT NOT NULL,
    rule        TEXT NOT NULL,
    month       TEXT NOT NULL,   -- YYYY-MM the data was collected
    fields      TEXT NOT NULL    -- JSON object of the kept fields
);
CREATE INDEX anonymised_category ON anonymised(category);

-- The retention rules the due days were computed under (a fingerprint):
-- when the policy's rules change, every due day is computed again.
CREATE TABLE retention_state (
    name   TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
