-- Event ids must never be reused, even after the dispatcher empties the
-- outbox (subscribers dedupe on them). SQLite reuses rowids of deleted rows
-- unless the key is AUTOINCREMENT. PostgreSQL identities never repeat, so
-- its twin migration changes nothing.

-- +goose Up
CREATE TABLE event_outbox_new (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    topic      TEXT    NOT NULL,
    payload    TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
INSERT INTO event_outbox_new (id, topic, payload, created_at) SELECT id, topic, payload, created_at FROM event_outbox;
DROP TABLE event_outbox;
ALTER TABLE event_outbox_new RENAME TO event_outbox;

-- +goose Down
-- Forward-only: restore from a backup to go back.
