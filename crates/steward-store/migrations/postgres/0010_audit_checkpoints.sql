-- The signed checkpoints Steward issued, for listing the latest. Only a
-- convenience: whoever owns this database can delete them, so verification
-- trusts only copies kept elsewhere and a public key the auditor holds.
-- audit_seq is the entry that records the signing (after the checkpoint's
-- size: it is not covered by it).
CREATE TABLE audit_checkpoints (
    audit_seq  BIGINT PRIMARY KEY,
    size       BIGINT NOT NULL,
    text       TEXT NOT NULL
);
