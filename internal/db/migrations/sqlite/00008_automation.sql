-- Automation (issue 5): audit entries keep the actor's display name, so an
-- action an automation rule took still shows the rule's name after the rule
-- is renamed or deleted. Kept in lockstep with the other dialect.

-- +goose Up
ALTER TABLE audit_log ADD COLUMN actor_name TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE audit_log DROP COLUMN actor_name;
