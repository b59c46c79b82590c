-- Durable work: one job per system a request must reach. Claimed under a
-- lease; a worker that dies loses its lease and the job is claimed again.
-- Times here are milliseconds since the epoch, so they compare as numbers.

CREATE TABLE jobs (
    id           TEXT PRIMARY KEY,
    request_id   TEXT NOT NULL,
    system       TEXT NOT NULL,
    action       TEXT NOT NULL,
    payload      TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('pending', 'running', 'done', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    run_after    INTEGER NOT NULL,
    lease_until  INTEGER,
    worker       TEXT,
    result       TEXT,
    last_error   TEXT,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX jobs_claimable ON jobs(state, run_after);
CREATE INDEX jobs_request ON jobs(request_id);

-- Every attempt, kept: what ran where, when, and how it ended.
CREATE TABLE job_attempts (
    job_id       TEXT NOT NULL REFERENCES jobs(id),
    attempt      INTEGER NOT NULL,
    worker       TEXT NOT NULL,
    started_at   INTEGER NOT NULL,
    finished_at  INTEGER,
    outcome      TEXT,
    error        TEXT,
    PRIMARY KEY (job_id, attempt)
);
