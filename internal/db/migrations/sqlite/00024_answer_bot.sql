-- The answer bot (internal/bot, docs/knowledge.md "Answer bot"): the bot's
-- state per conversation and every question it considered. Times are
-- INTEGER Unix milliseconds, UTC. Kept in lockstep with the PostgreSQL
-- migration of the same number.

-- +goose Up
-- One row per conversation the bot has looked at. state: active (the bot is
-- in charge), solved (the customer said an answer solved it: a deflection),
-- handed_over (the bot stepped out; reason no, requested or low_confidence).
-- taken_at is when the bot first acted (offered articles or handed over);
-- NULL while it has only stayed silent. Rates count conversations by
-- taken_at.
CREATE TABLE bot_conversations (
    conversation_id INTEGER PRIMARY KEY REFERENCES conversations (id) ON DELETE CASCADE,
    inbox_id        INTEGER NOT NULL REFERENCES inboxes (id) ON DELETE CASCADE,
    state           TEXT    NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'solved', 'handed_over')),
    reason          TEXT    NOT NULL DEFAULT '' CHECK (reason IN ('', 'no', 'requested', 'low_confidence')),
    taken_at        INTEGER,
    decided_at      INTEGER,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX bot_conversations_taken ON bot_conversations (taken_at, inbox_id) WHERE taken_at IS NOT NULL;

-- One row per customer question the bot considered. question_hash is the
-- SHA-256 (hex) of the question's normalized words, so the same question is
-- never answered twice in a conversation; articles is the JSON array of
-- the articles offered ([{id,title,url,snippet}]); confidence is the best
-- hit's search confidence (0..1).
CREATE TABLE bot_interactions (
    id                  INTEGER PRIMARY KEY,
    conversation_id     INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    inbox_id            INTEGER NOT NULL REFERENCES inboxes (id) ON DELETE CASCADE,
    question_message_id INTEGER REFERENCES messages (id) ON DELETE SET NULL,
    answer_message_id   INTEGER REFERENCES messages (id) ON DELETE SET NULL,
    question_hash       TEXT    NOT NULL,
    articles            TEXT    NOT NULL DEFAULT '[]',
    confidence          REAL    NOT NULL DEFAULT 0,
    outcome             TEXT    NOT NULL CHECK (outcome IN ('offered', 'deflected', 'handover_no', 'handover_requested',
                                                            'handover_low_confidence', 'skipped')),
    created_at          INTEGER NOT NULL,
    decided_at          INTEGER
);
CREATE INDEX bot_interactions_conversation ON bot_interactions (conversation_id, question_hash);
CREATE INDEX bot_interactions_inbox_time ON bot_interactions (inbox_id, created_at);

-- +goose Down
-- Forward-only: restore from a backup to go back.
