-- Uploads that never became part of a message are collected
-- (internal/attachment Collect, hourly): an agent's or a chat visitor's
-- upload is linked to its message when the message is sent, so one still
-- unlinked after 7 days was abandoned. These indexes let the collector find
-- them and check whether anything else still holds a blob's bytes.
-- Kept in lockstep with the other dialect's migration of the same number.

-- +goose Up
CREATE INDEX attachments_unlinked ON attachments (created_at) WHERE message_id IS NULL;
CREATE INDEX attachments_sha256 ON attachments (sha256);
CREATE INDEX inbound_mails_sha256 ON inbound_mails (sha256);

-- +goose Down
DROP INDEX inbound_mails_sha256;
DROP INDEX attachments_sha256;
DROP INDEX attachments_unlinked;
