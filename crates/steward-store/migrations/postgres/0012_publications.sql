-- Each version of the policy published to the data subjects: its text, so
-- the next publication can be compared with it, and when.
CREATE TABLE publications (
    version       TEXT PRIMARY KEY,
    published_at  TEXT NOT NULL,
    policy_text   TEXT NOT NULL
);
