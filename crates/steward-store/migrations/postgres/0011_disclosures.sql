-- The disclosure log: each release of a subject's data to a recipient, with
-- the purpose, the categories released, where it went and under which
-- Chapter V safeguard. What names people (the requesting authority, its
-- reference, why a derogation applies) is sealed under the subject's key.
-- Deleted with the subject on erasure; the audit log keeps the act, without
-- personal data.
CREATE TABLE disclosures (
    id               TEXT PRIMARY KEY,
    subject_id       TEXT NOT NULL REFERENCES subjects(id),
    recipient        TEXT NOT NULL,
    purpose          TEXT NOT NULL,
    categories       TEXT NOT NULL,  -- JSON array of category ids
    country          TEXT NOT NULL,  -- ISO 3166-1 alpha-2
    safeguard        TEXT,           -- NULL inside the EU/EEA
    derogation       TEXT,           -- the Art. 49(1) point, when one is used
    legal_request    BOOLEAN NOT NULL,
    detail_sealed    BYTEA,
    at               TEXT NOT NULL
);
CREATE INDEX disclosures_subject ON disclosures(subject_id, at);
CREATE INDEX disclosures_recipient ON disclosures(recipient, country);
