-- Report rollups (internal/report): per desk day (Asia/Jerusalem) and
-- (inbox, team, channel, agent) the counts, sums and log-scale histograms
-- the dashboard reads instead of scanning conversations. Columns ending
-- _hist hold sparse histograms "bucket:count;…" of seconds (bucket b covers
-- [2^(b/4)−1, 2^((b+1)/4)−1) seconds); hours holds 24 comma-separated
-- counts of conversations created per local hour. team_id and agent_id are
-- 0 for none. Rows are recomputed per day from the facts (idempotent), so a
-- rebuild or a refresh of a day always gives the same rows.
-- Kept in lockstep with the other dialect's migration of the same number.

-- +goose Up
CREATE TABLE report_daily (
    day              TEXT    NOT NULL,
    inbox_id         BIGINT  NOT NULL,
    team_id          BIGINT  NOT NULL,
    channel          TEXT    NOT NULL,
    agent_id         BIGINT  NOT NULL,
    created          BIGINT  NOT NULL DEFAULT 0,
    reopened         BIGINT  NOT NULL DEFAULT 0,
    frt_n            BIGINT  NOT NULL DEFAULT 0,
    frt_sum          BIGINT  NOT NULL DEFAULT 0,
    frt_hist         TEXT    NOT NULL DEFAULT '',
    frt_biz_n        BIGINT  NOT NULL DEFAULT 0,
    frt_biz_sum      BIGINT  NOT NULL DEFAULT 0,
    frt_biz_hist     TEXT    NOT NULL DEFAULT '',
    sla_due          BIGINT  NOT NULL DEFAULT 0,
    sla_met          BIGINT  NOT NULL DEFAULT 0,
    complaints       BIGINT  NOT NULL DEFAULT 0,
    complaints_phone BIGINT  NOT NULL DEFAULT 0,
    hours            TEXT    NOT NULL DEFAULT '',
    solved           BIGINT  NOT NULL DEFAULT 0,
    fcr              BIGINT  NOT NULL DEFAULT 0,
    replies          BIGINT  NOT NULL DEFAULT 0,
    res_sum          BIGINT  NOT NULL DEFAULT 0,
    res_hist         TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (day, inbox_id, team_id, channel, agent_id)
);

-- Which calendar the business-time columns were computed with.
CREATE TABLE report_state (
    id          BIGINT PRIMARY KEY CHECK (id = 1),
    calendar    TEXT    NOT NULL,
    rebuilt_at  BIGINT  NOT NULL
);

-- Desk days whose rollup rows are stale: marked when a conversation or
-- message event touches them, cleared by the durable refresh job
-- (report.refresh) once it recomputed the day.
CREATE TABLE report_dirty (
    day       TEXT   PRIMARY KEY,
    marked_at BIGINT NOT NULL
);

CREATE INDEX conversations_created_at ON conversations (created_at);
-- The backlog (open conversations created before an instant, and their
-- mean age) from the index alone.
CREATE INDEX conversations_status_created ON conversations (status, created_at);
CREATE INDEX conversations_solved_at ON conversations (solved_at);

-- +goose Down
-- Forward-only: restore from a backup to go back.
