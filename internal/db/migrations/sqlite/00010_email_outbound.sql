-- Outbound email (internal/channel/email/outbound). automatic_mail_log
-- records each automatic message (acknowledgement, later surveys) sent to
-- an address, for the per-address hourly limit (sent_at: INTEGER Unix
-- milliseconds, UTC). email_message_ids maps the Message-IDs Kesher sent
-- and received to conversations for threading; the inbound branch (00009)
-- creates the same table, hence IF NOT EXISTS. Kept in lockstep with the
-- PostgreSQL migration of the same number.

-- +goose Up
CREATE TABLE automatic_mail_log (
    id      INTEGER PRIMARY KEY,
    address TEXT    NOT NULL,
    sent_at INTEGER NOT NULL
);
CREATE INDEX automatic_mail_log_address ON automatic_mail_log (address, sent_at);

CREATE TABLE IF NOT EXISTS email_message_ids (
    inbox_id        INTEGER NOT NULL,
    message_id      TEXT    NOT NULL,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    message_row_id  INTEGER REFERENCES messages (id) ON DELETE CASCADE,
    PRIMARY KEY (inbox_id, message_id)
);

-- +goose Down
-- Forward-only: restore from a backup to go back.
