-- The key store, apart from the data: each subject's data key wrapped by the
-- key-encryption key. Deleting a row here is what erases a subject for good,
-- also from backups of the data database.

CREATE TABLE subject_keys (
    subject_id  TEXT PRIMARY KEY,
    wrapped     BLOB NOT NULL,
    kek_id      TEXT NOT NULL,
    version     INTEGER NOT NULL
);

-- Keys of the installation itself: the blind-index key, the pseudonym key.
CREATE TABLE system_keys (
    name     TEXT PRIMARY KEY,
    wrapped  BLOB NOT NULL,
    kek_id   TEXT NOT NULL
);
