-- Shop webhooks arrive out of order and are redelivered: source_updated_at
-- is the shop's own updated_at (Shopify updated_at, WooCommerce
-- date_modified_gmt) of the last delivery applied to the order, Unix
-- milliseconds UTC; a delivery older than it is ignored
-- (internal/commerce Upsert, ErrStale). NULL for orders from the API or a
-- CSV file. Kept in lockstep with the SQLite migration of the same number.

-- +goose Up
ALTER TABLE orders ADD COLUMN source_updated_at BIGINT;

-- +goose Down
-- Forward-only.
