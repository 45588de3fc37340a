-- Kesher core schema (SQLite). Timestamps are INTEGER Unix milliseconds, UTC.
-- JSON values are TEXT. Keep in lockstep with ../postgres/00001_core.sql.

-- +goose Up
CREATE TABLE organizations (
    id                INTEGER PRIMARY KEY,
    name              TEXT    NOT NULL,
    domains           TEXT    NOT NULL DEFAULT '[]',
    external_id       TEXT    UNIQUE,
    custom_attributes TEXT    NOT NULL DEFAULT '{}',
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);

-- email is the primary (first) email identity, kept here so lists can show
-- it without a lookup per row.
CREATE TABLE contacts (
    id                INTEGER PRIMARY KEY,
    name              TEXT    NOT NULL DEFAULT '',
    email             TEXT    NOT NULL DEFAULT '',
    language          TEXT    NOT NULL DEFAULT '',
    time_zone         TEXT    NOT NULL DEFAULT '',
    tier              TEXT    NOT NULL DEFAULT 'standard',
    organization_id   INTEGER REFERENCES organizations (id) ON DELETE SET NULL,
    custom_attributes TEXT    NOT NULL DEFAULT '{}',
    merged_into_id    INTEGER REFERENCES contacts (id),
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);
CREATE INDEX contacts_organization ON contacts (organization_id);
CREATE INDEX contacts_updated ON contacts (updated_at, id);

-- Emails, phones and external ids of a contact; (kind, value) is unique so a
-- sender address always resolves to one contact.
CREATE TABLE contact_identities (
    id         INTEGER PRIMARY KEY,
    contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL CHECK (kind IN ('email', 'phone', 'external')),
    value      TEXT    NOT NULL,
    position   INTEGER NOT NULL DEFAULT 0,
    UNIQUE (kind, value)
);
CREATE INDEX contact_identities_contact ON contact_identities (contact_id, position);

CREATE TABLE agents (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL,
    email         TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL DEFAULT '',
    role          TEXT    NOT NULL CHECK (role IN ('admin', 'supervisor', 'agent')),
    languages     TEXT    NOT NULL DEFAULT '[]',
    capacity      INTEGER NOT NULL DEFAULT 20,
    availability  TEXT    NOT NULL DEFAULT 'offline' CHECK (availability IN ('online', 'away', 'offline')),
    locale        TEXT    NOT NULL DEFAULT 'he',
    time_zone     TEXT    NOT NULL DEFAULT 'Asia/Jerusalem',
    active        INTEGER NOT NULL DEFAULT 1,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

CREATE TABLE teams (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE,
    description TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE team_members (
    team_id  INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    agent_id INTEGER NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, agent_id)
);
CREATE INDEX team_members_agent ON team_members (agent_id, team_id);

CREATE TABLE inboxes (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    channel    TEXT    NOT NULL CHECK (channel IN ('email', 'chat', 'api', 'phone', 'messaging')),
    address    TEXT    NOT NULL DEFAULT '',
    team_id    INTEGER REFERENCES teams (id) ON DELETE SET NULL,
    settings   TEXT    NOT NULL DEFAULT '{}',
    enabled    INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE tags (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE,
    color      TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);

-- The conversation (ticket). id is also the human-friendly number.
CREATE TABLE conversations (
    id                       INTEGER PRIMARY KEY,
    inbox_id                 INTEGER NOT NULL REFERENCES inboxes (id),
    channel                  TEXT    NOT NULL,
    subject                  TEXT    NOT NULL DEFAULT '',
    status                   TEXT    NOT NULL CHECK (status IN ('new', 'open', 'pending', 'on_hold', 'solved', 'closed')),
    priority                 TEXT    NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    requester_id             INTEGER NOT NULL REFERENCES contacts (id),
    assignee_id              INTEGER REFERENCES agents (id) ON DELETE SET NULL,
    team_id                  INTEGER REFERENCES teams (id) ON DELETE SET NULL,
    ccs                      TEXT    NOT NULL DEFAULT '[]',
    custom_fields            TEXT    NOT NULL DEFAULT '{}',
    language                 TEXT    NOT NULL DEFAULT '',
    external_id              TEXT    UNIQUE,
    follow_up_of             INTEGER REFERENCES conversations (id),
    message_count            INTEGER NOT NULL DEFAULT 0,
    reopen_count             INTEGER NOT NULL DEFAULT 0,
    created_at               INTEGER NOT NULL,
    updated_at               INTEGER NOT NULL,
    first_response_at        INTEGER,
    last_customer_message_at INTEGER,
    last_agent_message_at    INTEGER,
    solved_at                INTEGER,
    closed_at                INTEGER
);
CREATE INDEX conversations_status ON conversations (status, id);
CREATE INDEX conversations_status_updated ON conversations (status, updated_at, id);
CREATE INDEX conversations_assignee ON conversations (assignee_id, status, id);
CREATE INDEX conversations_team ON conversations (team_id, status, id);
CREATE INDEX conversations_inbox ON conversations (inbox_id, status, id);
CREATE INDEX conversations_requester ON conversations (requester_id, id);
CREATE INDEX conversations_updated ON conversations (updated_at, id);

CREATE TABLE conversation_tags (
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    tag_id          INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (conversation_id, tag_id)
);
CREATE INDEX conversation_tags_tag ON conversation_tags (tag_id, conversation_id);

CREATE TABLE messages (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    direction       TEXT    NOT NULL CHECK (direction IN ('inbound', 'outbound', 'internal')),
    kind            TEXT    NOT NULL CHECK (kind IN ('reply', 'note', 'event')),
    author_type     TEXT    NOT NULL CHECK (author_type IN ('contact', 'agent', 'bot', 'system')),
    author_id       INTEGER,
    body_text       TEXT    NOT NULL DEFAULT '',
    body_html       TEXT    NOT NULL DEFAULT '',
    channel_meta    TEXT    NOT NULL DEFAULT '{}',
    delivery_status TEXT    NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL
);
CREATE INDEX messages_conversation ON messages (conversation_id, id);

-- Content-addressed bytes: data is NULL when the blob lives on disk under
-- <data>/blobs/<aa>/<bb>/<sha256>.
CREATE TABLE blobs (
    sha256     TEXT    PRIMARY KEY,
    size       INTEGER NOT NULL,
    data       BLOB,
    created_at INTEGER NOT NULL
);

CREATE TABLE attachments (
    id           INTEGER PRIMARY KEY,
    message_id   INTEGER REFERENCES messages (id) ON DELETE CASCADE,
    uploader_id  INTEGER,
    filename     TEXT    NOT NULL,
    content_type TEXT    NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT    NOT NULL REFERENCES blobs (sha256),
    content_id   TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL
);
CREATE INDEX attachments_message ON attachments (message_id);

-- Who changed what, from what, to what.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    actor_type  TEXT    NOT NULL,
    actor_id    INTEGER,
    action      TEXT    NOT NULL,
    entity_type TEXT    NOT NULL,
    entity_id   INTEGER NOT NULL,
    changes     TEXT    NOT NULL DEFAULT '{}',
    created_at  INTEGER NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log (entity_type, entity_id, id);

-- Transactional outbox: domain events written with the change that caused
-- them and delivered after commit.
CREATE TABLE event_outbox (
    id         INTEGER PRIMARY KEY,
    topic      TEXT    NOT NULL,
    payload    TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    agent_id     INTEGER NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    digest       TEXT    NOT NULL UNIQUE,
    prefix       TEXT    NOT NULL,
    scopes       TEXT    NOT NULL DEFAULT '[]',
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    expires_at   INTEGER,
    revoked_at   INTEGER
);

CREATE TABLE sessions (
    digest     TEXT    PRIMARY KEY,
    agent_id   INTEGER NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE idempotency_keys (
    principal    TEXT    NOT NULL,
    key          TEXT    NOT NULL,
    method       TEXT    NOT NULL,
    path         TEXT    NOT NULL,
    request_hash TEXT    NOT NULL,
    status       INTEGER NOT NULL DEFAULT 0,
    response     TEXT,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (principal, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- +goose Down
-- Forward-only: restore from a backup to go back.
