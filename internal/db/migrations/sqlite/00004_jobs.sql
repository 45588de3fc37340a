-- Durable job queue (internal/jobs): SLA timers, time-based rules, surveys
-- and polling. Timestamps are INTEGER Unix milliseconds, UTC; payload is
-- JSON text. A job is pending while done_at and dead_at are both NULL; it is
-- running while locked_until lies in the future. unique_key (NULL for
-- anonymous jobs) makes "schedule once" idempotent. AUTOINCREMENT: an id
-- must not be reused after Cancel deletes a row, since a running handler's
-- completion mark is matched by id.

-- +goose Up
CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT    NOT NULL,
    payload      TEXT    NOT NULL DEFAULT '{}',
    run_at       INTEGER NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 10,
    last_error   TEXT,
    locked_by    TEXT,
    locked_until INTEGER,
    unique_key   TEXT    UNIQUE,
    done_at      INTEGER,
    dead_at      INTEGER,
    created_at   INTEGER NOT NULL
);
-- Claiming scans pending jobs by due time, whatever their kind.
CREATE INDEX jobs_due ON jobs (run_at, id) WHERE done_at IS NULL AND dead_at IS NULL;

-- +goose Down
-- Forward-only: restore from a backup to go back.
