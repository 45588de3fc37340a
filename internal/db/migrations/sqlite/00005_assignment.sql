-- Automatic assignment (internal/assignment): a team's assignment mode
-- (manual by default, so existing desks keep assigning by hand), its
-- round-robin cursor (the agent id round robin picked last, 0 before the
-- first pick) and when each agent was last assigned automatically
-- (INTEGER Unix milliseconds, UTC; NULL = never). Kept in lockstep with
-- the PostgreSQL migration of the same number.

-- +goose Up
ALTER TABLE teams ADD COLUMN assignment_mode TEXT NOT NULL DEFAULT 'manual'
    CHECK (assignment_mode IN ('manual', 'round_robin', 'load_balanced'));
ALTER TABLE teams ADD COLUMN rr_cursor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE agents ADD COLUMN last_assigned_at INTEGER;

-- +goose Down
-- Forward-only: restore from a backup to go back.
