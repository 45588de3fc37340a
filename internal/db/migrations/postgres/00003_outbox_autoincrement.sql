-- Kept in lockstep with the SQLite migration of the same number, which makes
-- event ids never repeat; PostgreSQL identity columns already never do.

-- +goose Up
SELECT 1;

-- +goose Down
-- Forward-only.
