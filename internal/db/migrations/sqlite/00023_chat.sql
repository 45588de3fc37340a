-- Live chat (internal/channel/chat): the widget's visitors. A visitor is
-- one browser (the random token in the widget's localStorage; only its
-- SHA-256 is stored) on one chat inbox; it gets a contact when it first
-- writes (matched by email like email senders, else an anonymous contact
-- identified by external id chat:<uid>). The widget's own settings (token,
-- allowed origins, greeting, …) live in inboxes.settings "widget".
-- Times are INTEGER Unix milliseconds, UTC.
-- Kept in lockstep with the PostgreSQL migration of the same number.

-- +goose Up
CREATE TABLE chat_visitors (
    id              INTEGER PRIMARY KEY,
    inbox_id        INTEGER NOT NULL REFERENCES inboxes (id) ON DELETE CASCADE,
    token_hash      TEXT    NOT NULL UNIQUE,
    uid             TEXT    NOT NULL UNIQUE,
    contact_id      INTEGER REFERENCES contacts (id) ON DELETE SET NULL,
    name            TEXT    NOT NULL DEFAULT '',
    email           TEXT    NOT NULL DEFAULT '',
    language        TEXT    NOT NULL DEFAULT '',
    conversation_id INTEGER REFERENCES conversations (id) ON DELETE SET NULL,
    created_at      INTEGER NOT NULL,
    last_seen_at    INTEGER NOT NULL
);
CREATE INDEX chat_visitors_conversation ON chat_visitors (conversation_id);
CREATE INDEX chat_visitors_contact ON chat_visitors (contact_id);

-- Files a visitor uploaded and has not sent yet: a visitor may attach only
-- its own uploads.
CREATE TABLE chat_uploads (
    attachment_id INTEGER PRIMARY KEY REFERENCES attachments (id) ON DELETE CASCADE,
    visitor_id    INTEGER NOT NULL REFERENCES chat_visitors (id) ON DELETE CASCADE
);
CREATE INDEX chat_uploads_visitor ON chat_uploads (visitor_id);

-- +goose Down
DROP TABLE chat_uploads;
DROP TABLE chat_visitors;
