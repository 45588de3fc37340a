-- First contact resolution needs the time of a conversation's first solve
-- and of its first reopen (internal/report FirstContactResolved: solved
-- with exactly one public agent reply at the first solve and not reopened
-- within 7 days of it). Unix milliseconds UTC; NULL when it has not
-- happened or is not known. first_solved_at is set once, by the first move
-- to solved (internal/conversation Update) or by an import;
-- first_reopened_at once, by the first move from solved back to open — a
-- customer reply or an agent reopening it — or by an import.
-- Backfill: a conversation never reopened (reopen_count 0) that is solved
-- was first solved at solved_at (an agent reopen was not counted before,
-- so this is the last solve at worst); for a reopened one both times are
-- unknown and stay NULL — the rollups then count it as reopened within
-- 7 days, as they did before this migration.
-- Kept in lockstep with the other dialect's migration of the same number.

-- +goose Up
ALTER TABLE conversations ADD COLUMN first_solved_at BIGINT;
ALTER TABLE conversations ADD COLUMN first_reopened_at BIGINT;
UPDATE conversations SET first_solved_at = solved_at WHERE solved_at IS NOT NULL AND reopen_count = 0;

-- +goose Down
-- Forward-only.
