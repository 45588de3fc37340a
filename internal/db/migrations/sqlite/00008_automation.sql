-- Automation (issue 5). Kept in lockstep with the other dialect.
-- Audit entries keep the actor's display name, so an action an automation
-- rule took still shows the rule's name after the rule is renamed or
-- deleted.

-- +goose Up
ALTER TABLE audit_log ADD COLUMN actor_name TEXT NOT NULL DEFAULT '';

-- Events whose rules ran (by event_outbox id): delivery is at-least-once,
-- and a redelivered event must not add a rule's note or webhook twice.
-- Rows older than a week are purged by the time scan.
CREATE TABLE automation_event_runs (
    event_id   INTEGER PRIMARY KEY,
    created_at INTEGER NOT NULL
);
CREATE INDEX automation_event_runs_created ON automation_event_runs (created_at);

-- +goose Down
DROP TABLE automation_event_runs;
ALTER TABLE audit_log DROP COLUMN actor_name;
