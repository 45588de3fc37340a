-- Inbound email threads a mail by sender and subject: the requester's
-- recent conversations in the inbox, newest first (internal/channel/email
-- thread). Without this index the query sorted all of a busy requester's
-- conversations on every mail.

-- +goose Up
CREATE INDEX conversations_requester_inbox_updated ON conversations (requester_id, inbox_id, updated_at, id);

-- +goose Down
-- Forward-only.
