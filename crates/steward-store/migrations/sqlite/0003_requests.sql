-- Data-subject requests: the request itself (what identifies the person only
-- sealed, in payload_sealed), the one-time codes of its claimed identities,
-- and its history, step by step. Times are RFC 3339 text (UTC), except the
-- codes' expiry (seconds since the epoch).

-- A part of a request no connector can do waits for an officer: never claimed.
ALTER TABLE jobs ADD COLUMN manual INTEGER NOT NULL DEFAULT 0;

CREATE TABLE requests (
    id                TEXT PRIMARY KEY,
    kind              TEXT NOT NULL,
    state             TEXT NOT NULL,
    state_detail      TEXT,           -- JSON
    subject_id        TEXT,
    language          TEXT NOT NULL,
    payload_sealed    BLOB NOT NULL,
    follow_hash       TEXT NOT NULL,
    received_at       TEXT NOT NULL,
    due_on            TEXT NOT NULL,  -- YYYY-MM-DD
    extended_on       TEXT,
    extension_reason  TEXT,
    held              TEXT,
    result_sealed     BLOB,
    updated_at        TEXT NOT NULL
);
CREATE INDEX requests_due ON requests(due_on, received_at);
CREATE INDEX requests_subject ON requests(subject_id);

CREATE TABLE request_challenges (
    request_id     TEXT NOT NULL REFERENCES requests(id),
    identity_kind  TEXT NOT NULL,
    code_hash      TEXT NOT NULL,
    expires_at     INTEGER NOT NULL,
    attempts       INTEGER NOT NULL DEFAULT 0,
    verified       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (request_id, identity_kind)
);

CREATE TABLE request_steps (
    request_id  TEXT NOT NULL REFERENCES requests(id),
    seq         INTEGER NOT NULL,
    at          TEXT NOT NULL,
    step        TEXT NOT NULL,
    actor       TEXT NOT NULL,
    detail      TEXT NOT NULL,  -- JSON; no personal data
    PRIMARY KEY (request_id, seq)
);
