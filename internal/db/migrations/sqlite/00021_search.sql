-- Search index (internal/search). One row per indexed document (kind,
-- doc_id): the raw title and body (for snippets), their normalized terms
-- (space-separated, as normalized in Go: the exact tokens, without the
-- Hebrew prefix variants, which Go derives again), the filter columns (so
-- filters need no joins) and the token count. search_fts is a contentless
-- FTS5 table over the expanded terms (each token plus its Hebrew
-- prefix-stripped variants), rowid = search_docs.id; rows are removed with
-- the FTS5 'delete' command and the same expanded text. search_terms keeps
-- each expanded term's document frequency (df) and how many documents hold
-- it as a word of its own (exact_df); search_stats keeps the number of
-- documents and tokens (for BM25's idf and average length). Ranking is done
-- in Go from these numbers, so both dialects rank identically.
-- Kept in lockstep with the other dialect's migration of the same number.

-- +goose Up
CREATE TABLE search_docs (
    id              INTEGER PRIMARY KEY,
    kind            TEXT    NOT NULL,
    doc_id          INTEGER NOT NULL,
    conversation_id INTEGER NOT NULL DEFAULT 0,
    language        TEXT    NOT NULL DEFAULT '',
    inbox_id        INTEGER NOT NULL DEFAULT 0,
    team_id         INTEGER NOT NULL DEFAULT 0,
    assignee_id     INTEGER NOT NULL DEFAULT 0,
    status          TEXT    NOT NULL DEFAULT '',
    internal        INTEGER NOT NULL DEFAULT 0,
    published       INTEGER NOT NULL DEFAULT 0,
    time_ms         INTEGER NOT NULL DEFAULT 0,
    title           TEXT    NOT NULL DEFAULT '',
    body            TEXT    NOT NULL DEFAULT '',
    title_terms     TEXT    NOT NULL DEFAULT '',
    body_terms      TEXT    NOT NULL DEFAULT '',
    length          INTEGER NOT NULL DEFAULT 0,
    UNIQUE (kind, doc_id)
);
CREATE INDEX search_docs_conversation ON search_docs (conversation_id);

CREATE VIRTUAL TABLE search_fts USING fts5(title, body, content='', detail='none',
    tokenize='unicode61 remove_diacritics 0');

CREATE TABLE search_terms (
    term     TEXT    PRIMARY KEY,
    df       INTEGER NOT NULL DEFAULT 0,
    exact_df INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE TABLE search_stats (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    docs   INTEGER NOT NULL DEFAULT 0,
    tokens INTEGER NOT NULL DEFAULT 0
);
INSERT INTO search_stats (id, docs, tokens) VALUES (1, 0, 0);

-- +goose Down
DROP TABLE search_stats;
DROP TABLE search_terms;
DROP TABLE search_fts;
DROP TABLE search_docs;
