-- Saved views, canned responses and password resets (SQLite). Keep in
-- lockstep with ../postgres/00002_agent_app.sql.

-- +goose Up
-- A saved view is one agent's named set of conversation list filters
-- (filters holds the JSON of conversation.Filters).
CREATE TABLE views (
    id         INTEGER PRIMARY KEY,
    agent_id   INTEGER NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    name       TEXT    NOT NULL,
    filters    TEXT    NOT NULL DEFAULT '{}',
    sort       TEXT    NOT NULL DEFAULT '',
    position   INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX views_agent ON views (agent_id, position, id);

-- Canned responses: reusable reply texts with {{placeholders}}. team_id
-- limits one to a team's members (NULL: everyone).
CREATE TABLE canned_responses (
    id         INTEGER PRIMARY KEY,
    title      TEXT    NOT NULL,
    body       TEXT    NOT NULL,
    language   TEXT    NOT NULL DEFAULT '' CHECK (language IN ('he', 'en', '')),
    shortcut   TEXT    NOT NULL DEFAULT '',
    team_id    INTEGER REFERENCES teams (id) ON DELETE CASCADE,
    created_by INTEGER REFERENCES agents (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX canned_responses_team ON canned_responses (team_id, id);

-- Single-use password reset tokens, stored as the SHA-256 digest of the
-- secret that was mailed.
CREATE TABLE password_resets (
    digest     TEXT    PRIMARY KEY,
    agent_id   INTEGER NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);
CREATE INDEX password_resets_agent ON password_resets (agent_id);

-- +goose Down
-- Forward-only: restore from a backup to go back.
