-- SLA, automation, macros and notifications (issue 5). Timestamps are
-- INTEGER Unix milliseconds, UTC; JSON documents are TEXT. Kept in lockstep
-- with the PostgreSQL migration of the same number.

-- +goose Up

-- Business-hours calendars kept in the store (the built-in "il" is not a
-- row). week: JSON, 7 lists (Sunday first) of {"start":"09:00","end":"17:00"};
-- holidays and overrides: JSON lists of {"date":"YYYY-MM-DD","name":…,
-- "open":[intervals]} (open empty = closed all day); include_holidays ''
-- or 'il' adds the Israeli public holidays and their half-day eves.
CREATE TABLE calendars (
    id               INTEGER PRIMARY KEY,
    name             TEXT    NOT NULL UNIQUE,
    time_zone        TEXT    NOT NULL,
    week             TEXT    NOT NULL DEFAULT '[[],[],[],[],[],[],[]]',
    holidays         TEXT    NOT NULL DEFAULT '[]',
    overrides        TEXT    NOT NULL DEFAULT '[]',
    include_holidays TEXT    NOT NULL DEFAULT '',
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);

-- SLA policies, first match by (position, id) wins. conditions: JSON of
-- internal/sla/policy.Conditions; targets: JSON {"first_response":
-- {"minutes":…,"business":…}, "next_response":…, "resolution":…};
-- escalation: JSON list of actions run once when a target is breached.
CREATE TABLE sla_policies (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL,
    position      INTEGER NOT NULL DEFAULT 0,
    enabled       INTEGER NOT NULL DEFAULT 1,
    conditions    TEXT    NOT NULL DEFAULT '{}',
    calendar      TEXT    NOT NULL DEFAULT '',
    targets       TEXT    NOT NULL DEFAULT '{}',
    warn_fraction REAL    NOT NULL DEFAULT 0.75,
    escalation    TEXT    NOT NULL DEFAULT '[]',
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX sla_policies_order ON sla_policies (position, id);

-- Per-conversation SLA standing, one row per target the applied policy
-- sets. warned_at / escalated_at record that the warning and the breach
-- actions ran (each at most once per clock start).
CREATE TABLE conversation_sla (
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    target          TEXT    NOT NULL CHECK (target IN ('first_response', 'next_response', 'resolution')),
    policy_id       INTEGER REFERENCES sla_policies (id) ON DELETE SET NULL,
    state           TEXT    NOT NULL,
    started_at      INTEGER,
    due_at          INTEGER,
    at_risk_at      INTEGER,
    met_at          INTEGER,
    breached_at     INTEGER,
    warned_at       INTEGER,
    escalated_at    INTEGER,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, target)
);

-- The conversation's SLA summary for lists and the "at risk" view:
-- sla_state is the worst state of its targets ('' when no policy applies),
-- sla_due_at the earliest due instant of its running targets.
-- status_changed_at is when the conversation entered its current status
-- (time-based automation rules); existing rows take updated_at.
ALTER TABLE conversations ADD COLUMN sla_policy_id INTEGER REFERENCES sla_policies (id) ON DELETE SET NULL;
ALTER TABLE conversations ADD COLUMN sla_state TEXT NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN sla_due_at INTEGER;
ALTER TABLE conversations ADD COLUMN status_changed_at INTEGER;
UPDATE conversations SET status_changed_at = updated_at;
CREATE INDEX conversations_sla_due ON conversations (sla_due_at, id) WHERE sla_due_at IS NOT NULL;
CREATE INDEX conversations_sla_state ON conversations (sla_state, sla_due_at, id) WHERE sla_state <> '';
CREATE INDEX conversations_status_since ON conversations (status, status_changed_at, id);

-- Automation rules (internal/automation.Rule), run by trigger in
-- (position, id) order. time_condition is JSON or NULL; conditions and
-- actions are JSON.
CREATE TABLE automation_rules (
    id             INTEGER PRIMARY KEY,
    name           TEXT    NOT NULL,
    enabled        INTEGER NOT NULL DEFAULT 1,
    position       INTEGER NOT NULL DEFAULT 0,
    trigger_event  TEXT    NOT NULL,
    time_condition TEXT,
    conditions     TEXT    NOT NULL DEFAULT '{"all":[],"any":[]}',
    actions        TEXT    NOT NULL DEFAULT '[]',
    created_by     INTEGER REFERENCES agents (id) ON DELETE SET NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX automation_rules_trigger ON automation_rules (trigger_event, position, id);

-- Agents' skills (normalized tag-like words) for assignment by skill.
ALTER TABLE agents ADD COLUMN skills TEXT NOT NULL DEFAULT '[]';

-- Macros: a canned response may also set fields (JSON list of
-- automation-style actions: set_status, set_priority, set_team, assign,
-- add_tags, remove_tags).
ALTER TABLE canned_responses ADD COLUMN actions TEXT NOT NULL DEFAULT '[]';

-- Agents' notifications (SLA warnings and breaches, rule notifications,
-- mentions). kind is a stable name the web app translates; data carries
-- its values as JSON.
CREATE TABLE notifications (
    id              INTEGER PRIMARY KEY,
    agent_id        INTEGER NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    kind            TEXT    NOT NULL,
    conversation_id INTEGER REFERENCES conversations (id) ON DELETE CASCADE,
    data            TEXT    NOT NULL DEFAULT '{}',
    read_at         INTEGER,
    created_at      INTEGER NOT NULL
);
CREATE INDEX notifications_agent ON notifications (agent_id, id);
CREATE INDEX notifications_unread ON notifications (agent_id, id) WHERE read_at IS NULL;

-- +goose Down
-- Forward-only: restore from a backup to go back.
