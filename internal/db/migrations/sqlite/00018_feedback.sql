-- Feedback and KPIs (internal/survey, internal/report): survey settings
-- per inbox, survey invitations with signed links, responses (CSAT 1–5,
-- CES 1–7, NPS 0–10, and external feedback imported from CSV), NPS
-- campaigns, contacts' source (referrals) and the ROI inputs per period.
-- Times are INTEGER Unix milliseconds, UTC; money is INTEGER minor units.
-- Kept in lockstep with the PostgreSQL migration of the same number.

-- +goose Up
-- Per-inbox survey settings: CSAT (and optionally CES) after a
-- conversation is solved, sent delay_minutes later on the conversation's
-- channel.
CREATE TABLE survey_settings (
    inbox_id      INTEGER PRIMARY KEY REFERENCES inboxes (id) ON DELETE CASCADE,
    csat_enabled  INTEGER NOT NULL DEFAULT 0,
    ces_enabled   INTEGER NOT NULL DEFAULT 0,
    delay_minutes INTEGER NOT NULL DEFAULT 60 CHECK (delay_minutes BETWEEN 0 AND 10080),
    updated_at    INTEGER NOT NULL
);

-- NPS campaigns: a segment of contacts (JSON: tiers, organization ids,
-- tags, order history), throttled sending, and the minimum days between two
-- NPS surveys to one contact.
CREATE TABLE nps_campaigns (
    id               INTEGER PRIMARY KEY,
    name             TEXT    NOT NULL,
    segment          TEXT    NOT NULL DEFAULT '{}',
    status           TEXT    NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'running', 'paused', 'done')),
    per_hour         INTEGER NOT NULL DEFAULT 100 CHECK (per_hour BETWEEN 1 AND 100000),
    min_days_between INTEGER NOT NULL DEFAULT 90 CHECK (min_days_between BETWEEN 0 AND 3650),
    inbox_id         INTEGER REFERENCES inboxes (id) ON DELETE SET NULL,
    created_by       INTEGER REFERENCES agents (id) ON DELETE SET NULL,
    created_at       INTEGER NOT NULL,
    started_at       INTEGER,
    finished_at      INTEGER
);

-- A survey sent (or scheduled) to a contact. token_hash is SHA-256 of the
-- random part of the signed link; the link itself is never stored. One CSAT
-- and one CES invitation per conversation.
CREATE TABLE survey_invitations (
    id              INTEGER PRIMARY KEY,
    kind            TEXT    NOT NULL CHECK (kind IN ('csat', 'ces', 'nps')),
    conversation_id INTEGER REFERENCES conversations (id) ON DELETE CASCADE,
    campaign_id     INTEGER REFERENCES nps_campaigns (id) ON DELETE CASCADE,
    contact_id      INTEGER NOT NULL REFERENCES contacts (id),
    token_hash      TEXT    NOT NULL UNIQUE,
    language        TEXT    NOT NULL DEFAULT 'he',
    status          TEXT    NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'sent', 'answered', 'skipped')),
    skip_reason     TEXT    NOT NULL DEFAULT '',
    send_at         INTEGER NOT NULL,
    sent_at         INTEGER,
    expires_at      INTEGER NOT NULL,
    created_at      INTEGER NOT NULL
);
CREATE UNIQUE INDEX survey_invitations_conversation ON survey_invitations (conversation_id, kind) WHERE conversation_id IS NOT NULL;
CREATE INDEX survey_invitations_contact ON survey_invitations (contact_id, kind, created_at);
CREATE INDEX survey_invitations_due ON survey_invitations (status, send_at);

-- A survey answer or an external feedback item. kind csat (1–5), ces
-- (1–7), nps (0–10); source 'survey' for answers through Kesher's links,
-- 'import' for historical imports, or the external source named in a CSV
-- (call center, focus group, social media …). One response per
-- invitation (a changed answer replaces it); external_id makes imports
-- idempotent. The conversation's inbox, team, channel and assignee are
-- copied at answer time for reports.
CREATE TABLE survey_responses (
    id              INTEGER PRIMARY KEY,
    kind            TEXT    NOT NULL CHECK (kind IN ('csat', 'ces', 'nps')),
    source          TEXT    NOT NULL DEFAULT 'survey',
    invitation_id   INTEGER UNIQUE REFERENCES survey_invitations (id) ON DELETE SET NULL,
    external_id     TEXT    UNIQUE,
    score           INTEGER NOT NULL CHECK (score BETWEEN 0 AND 10),
    comment         TEXT    NOT NULL DEFAULT '',
    conversation_id INTEGER REFERENCES conversations (id) ON DELETE SET NULL,
    contact_id      INTEGER REFERENCES contacts (id),
    inbox_id        INTEGER REFERENCES inboxes (id) ON DELETE SET NULL,
    team_id         INTEGER REFERENCES teams (id) ON DELETE SET NULL,
    agent_id        INTEGER REFERENCES agents (id) ON DELETE SET NULL,
    channel         TEXT    NOT NULL DEFAULT '',
    responded_at    INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX survey_responses_time ON survey_responses (kind, responded_at);
CREATE INDEX survey_responses_contact ON survey_responses (contact_id, responded_at);
CREATE INDEX survey_responses_conversation ON survey_responses (conversation_id);

-- Where a contact came from ('referral' counts as a referral in reports).
ALTER TABLE contacts ADD COLUMN source TEXT NOT NULL DEFAULT '';

-- ROI of the service center per period: costs and attributed revenue in
-- minor units (JSON objects of named amounts) with the assumptions shown.
CREATE TABLE roi_periods (
    id           INTEGER PRIMARY KEY,
    period_start INTEGER NOT NULL,
    period_end   INTEGER NOT NULL,
    currency     TEXT    NOT NULL DEFAULT 'ILS',
    costs        TEXT    NOT NULL DEFAULT '{}',
    revenue      TEXT    NOT NULL DEFAULT '{}',
    assumptions  TEXT    NOT NULL DEFAULT '',
    updated_by   INTEGER REFERENCES agents (id) ON DELETE SET NULL,
    updated_at   INTEGER NOT NULL,
    UNIQUE (period_start, period_end)
);

-- +goose Down
-- Forward-only: restore from a backup to go back.
