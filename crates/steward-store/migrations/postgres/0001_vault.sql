-- Steward's data: every personal value is sealed with its subject's data key,
-- which lives in the separate key store. Times are RFC 3339 text (UTC).

CREATE TABLE subjects (
    id                    TEXT PRIMARY KEY,
    subject_type          TEXT NOT NULL,
    birth_date            TEXT,
    created_at            TEXT NOT NULL,
    erased_at             TEXT,
    restricted            BOOLEAN NOT NULL DEFAULT FALSE,
    objects_to_marketing  BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE identities (
    id            TEXT PRIMARY KEY,
    subject_id    TEXT NOT NULL REFERENCES subjects(id),
    kind          TEXT NOT NULL,
    blind_index   TEXT NOT NULL,
    value_sealed  BYTEA NOT NULL,
    created_at    TEXT NOT NULL,
    UNIQUE (kind, blind_index)
);
CREATE INDEX identities_subject ON identities(subject_id);

CREATE TABLE records (
    id            TEXT PRIMARY KEY,
    subject_id    TEXT NOT NULL REFERENCES subjects(id),
    category      TEXT NOT NULL,
    value_sealed  BYTEA NOT NULL,
    source        TEXT NOT NULL,
    purposes      TEXT NOT NULL,  -- JSON array of purpose ids
    collected_at  TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX records_subject ON records(subject_id, category);

CREATE TABLE events (
    id          TEXT PRIMARY KEY,
    subject_id  TEXT NOT NULL REFERENCES subjects(id),
    kind        TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX events_subject ON events(subject_id, at);

CREATE TABLE consents (
    id                 TEXT PRIMARY KEY,
    subject_id         TEXT NOT NULL REFERENCES subjects(id),
    purpose            TEXT NOT NULL,
    given_at           TEXT NOT NULL,
    withdrawn_at       TEXT,
    policy_version     TEXT NOT NULL,
    method             TEXT NOT NULL,
    notice_hash        TEXT NOT NULL,
    language           TEXT NOT NULL,
    withdrawal_method  TEXT
);
CREATE INDEX consents_subject ON consents(subject_id, purpose);

CREATE TABLE objections (
    subject_id          TEXT NOT NULL REFERENCES subjects(id),
    purpose             TEXT NOT NULL,
    at                  TEXT NOT NULL,
    compelling_grounds  TEXT,
    PRIMARY KEY (subject_id, purpose)
);

CREATE TABLE tokens (
    id           TEXT PRIMARY KEY,
    hash         TEXT NOT NULL UNIQUE,
    role         TEXT NOT NULL,
    purposes     TEXT NOT NULL,  -- JSON array; services only
    description  TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    revoked_at   TEXT
);

-- Append-only; the head row is updated in the same transaction as each
-- append, so deleting entries from the end is detected.
CREATE TABLE audit (
    seq        BIGINT PRIMARY KEY,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    subject    TEXT,
    detail     TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);

CREATE TABLE audit_head (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    seq   BIGINT NOT NULL,
    hash  TEXT NOT NULL
);

-- On PostgreSQL the key store is a table of the same database. Keep it out
-- of long-lived backups (or back it up with short retention): as long as an
-- old copy of this table exists, so do erased subjects' keys.
CREATE TABLE subject_keys (
    subject_id  TEXT PRIMARY KEY,
    wrapped     BYTEA NOT NULL,
    kek_id      TEXT NOT NULL,
    version     BIGINT NOT NULL
);

CREATE TABLE system_keys (
    name     TEXT PRIMARY KEY,
    wrapped  BYTEA NOT NULL,
    kek_id   TEXT NOT NULL
);

INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
