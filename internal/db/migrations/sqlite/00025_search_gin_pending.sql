-- Bulk indexing speed on PostgreSQL: search_stats.gin_pending counts the
-- documents written since the GIN index's pending list was last merged
-- (see the other dialect's migration of the same number). SQLite's FTS5
-- index has no pending list; the column is kept (always 0) so both
-- dialects have the same tables.
-- Kept in lockstep with the other dialect's migration of the same number.

-- +goose Up
ALTER TABLE search_stats ADD COLUMN gin_pending INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE search_stats DROP COLUMN gin_pending;
