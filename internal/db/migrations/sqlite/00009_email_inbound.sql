-- Inbound email (issue 3). Kept in lockstep with ../postgres/00009_email_inbound.sql.

-- +goose Up
-- Every mail received, stored before it is parsed so a parser bug never
-- loses mail. The bytes live in blobs (content-addressed by sha256: small
-- ones in the database, large ones on disk). status: received (stored, not
-- yet processed), parsed, failed (kept; shown to agents as unparseable),
-- duplicate (already ingested under the same Message-ID), ignored.
CREATE TABLE inbound_mails (
    id              INTEGER PRIMARY KEY,
    inbox_id        INTEGER NOT NULL REFERENCES inboxes (id) ON DELETE CASCADE,
    sha256          TEXT    NOT NULL REFERENCES blobs (sha256),
    size            INTEGER NOT NULL,
    source          TEXT    NOT NULL CHECK (source IN ('imap', 'smtp', 'import', 'api')),
    status          TEXT    NOT NULL CHECK (status IN ('received', 'parsed', 'failed', 'duplicate', 'ignored')),
    error           TEXT    NOT NULL DEFAULT '',
    message_id      TEXT    NOT NULL DEFAULT '',
    conversation_id INTEGER REFERENCES conversations (id) ON DELETE SET NULL,
    message_row_id  INTEGER REFERENCES messages (id) ON DELETE SET NULL,
    received_at     INTEGER NOT NULL,
    parsed_at       INTEGER,
    UNIQUE (inbox_id, sha256)
);
CREATE INDEX inbound_mails_message_row ON inbound_mails (message_row_id);

-- Message-IDs (without angle brackets) of mail received and sent, for
-- threading replies by In-Reply-To and References.
CREATE TABLE IF NOT EXISTS email_message_ids (
    inbox_id        INTEGER NOT NULL,
    message_id      TEXT    NOT NULL,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    message_row_id  INTEGER REFERENCES messages (id) ON DELETE CASCADE,
    PRIMARY KEY (inbox_id, message_id)
);
CREATE INDEX IF NOT EXISTS email_message_ids_conversation ON email_message_ids (conversation_id);

-- Where the IMAP poller of an inbox stopped: the folder's UIDVALIDITY and
-- the last UID ingested.
CREATE TABLE imap_state (
    inbox_id     INTEGER NOT NULL REFERENCES inboxes (id) ON DELETE CASCADE,
    folder       TEXT    NOT NULL,
    uid_validity INTEGER NOT NULL,
    last_uid     INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (inbox_id, folder)
);

-- Addresses that bounced (lower-case): the last permanent delivery failure.
CREATE TABLE email_bounces (
    address    TEXT    PRIMARY KEY,
    status     TEXT    NOT NULL DEFAULT '',
    diagnostic TEXT    NOT NULL DEFAULT '',
    bounced_at INTEGER NOT NULL
);

-- +goose Down
DROP TABLE email_bounces;
DROP TABLE imap_state;
DROP TABLE email_message_ids;
DROP TABLE inbound_mails;
