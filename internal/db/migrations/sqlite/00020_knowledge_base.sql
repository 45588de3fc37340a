-- Knowledge base and public help center (internal/kb, internal/helpcenter;
-- docs/knowledge.md): categories, sections, articles (one row per language
-- version, linked by translation_id), every saved version, helpful votes and
-- daily view de-duplication (keyed by a hash of a visitor cookie, never an
-- IP address), and the help center's settings.
-- Times are INTEGER Unix milliseconds, UTC. Kept in lockstep with the
-- PostgreSQL migration of the same number.

-- +goose Up
CREATE TABLE kb_categories (
    id             INTEGER PRIMARY KEY,
    slug           TEXT    NOT NULL UNIQUE,
    name_he        TEXT    NOT NULL DEFAULT '',
    name_en        TEXT    NOT NULL DEFAULT '',
    description_he TEXT    NOT NULL DEFAULT '',
    description_en TEXT    NOT NULL DEFAULT '',
    position       INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);

-- A section belongs to one category; a category with sections cannot be
-- deleted (the service answers 409).
CREATE TABLE kb_sections (
    id             INTEGER PRIMARY KEY,
    category_id    INTEGER NOT NULL REFERENCES kb_categories (id) ON DELETE RESTRICT,
    slug           TEXT    NOT NULL UNIQUE,
    name_he        TEXT    NOT NULL DEFAULT '',
    name_en        TEXT    NOT NULL DEFAULT '',
    description_he TEXT    NOT NULL DEFAULT '',
    description_en TEXT    NOT NULL DEFAULT '',
    position       INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX kb_sections_category ON kb_sections (category_id, position);

-- One language version of an article. translation_id groups the versions of
-- one article (the id of the group's first article); at most one per
-- language. body_html is the Markdown rendered and sanitized.
CREATE TABLE kb_articles (
    id             INTEGER PRIMARY KEY,
    translation_id INTEGER NOT NULL,
    language       TEXT    NOT NULL CHECK (language IN ('he', 'en')),
    section_id     INTEGER REFERENCES kb_sections (id) ON DELETE RESTRICT,
    slug           TEXT    NOT NULL,
    title          TEXT    NOT NULL,
    body_markdown  TEXT    NOT NULL DEFAULT '',
    body_html      TEXT    NOT NULL DEFAULT '',
    status         TEXT    NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
    visibility     TEXT    NOT NULL DEFAULT 'public' CHECK (visibility IN ('public', 'internal')),
    version        INTEGER NOT NULL DEFAULT 1,
    views          INTEGER NOT NULL DEFAULT 0,
    helpful_yes    INTEGER NOT NULL DEFAULT 0,
    helpful_no     INTEGER NOT NULL DEFAULT 0,
    author_id      INTEGER REFERENCES agents (id) ON DELETE SET NULL,
    published_at   INTEGER,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    UNIQUE (language, slug)
);
CREATE UNIQUE INDEX kb_articles_translation ON kb_articles (translation_id, language);
CREATE INDEX kb_articles_section ON kb_articles (section_id, language, status);
CREATE INDEX kb_articles_updated ON kb_articles (updated_at, id);

-- Every save of an article: the Markdown and title as saved.
CREATE TABLE kb_article_versions (
    article_id    INTEGER NOT NULL REFERENCES kb_articles (id) ON DELETE CASCADE,
    version       INTEGER NOT NULL,
    title         TEXT    NOT NULL,
    body_markdown TEXT    NOT NULL,
    author_id     INTEGER REFERENCES agents (id) ON DELETE SET NULL,
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (article_id, version)
);

-- "Was this helpful?": one vote per visitor (SHA-256 of the visitor cookie,
-- keyed) per article.
CREATE TABLE kb_votes (
    article_id   INTEGER NOT NULL REFERENCES kb_articles (id) ON DELETE CASCADE,
    visitor_hash TEXT    NOT NULL,
    helpful      INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (article_id, visitor_hash)
);

-- A view counts once per visitor per article per UTC day (day = Unix days).
CREATE TABLE kb_article_views (
    article_id   INTEGER NOT NULL REFERENCES kb_articles (id) ON DELETE CASCADE,
    visitor_hash TEXT    NOT NULL,
    day          INTEGER NOT NULL,
    PRIMARY KEY (article_id, visitor_hash, day)
);
CREATE INDEX kb_article_views_day ON kb_article_views (day);

-- The help center's settings: one row (id 1).
CREATE TABLE helpcenter_settings (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    enabled          INTEGER NOT NULL DEFAULT 1,
    brand_name       TEXT    NOT NULL DEFAULT '',
    logo_url         TEXT    NOT NULL DEFAULT '',
    color            TEXT    NOT NULL DEFAULT '',
    contact_inbox_id INTEGER REFERENCES inboxes (id) ON DELETE SET NULL,
    updated_at       INTEGER NOT NULL
);

-- +goose Down
-- Forward-only: restore from a backup to go back.
