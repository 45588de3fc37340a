-- Orders and promises (internal/commerce): orders linked to contacts, their
-- carrier status history, late-delivery notices, the compensation policy
-- (versioned JSON documents), per-role authority limits, approval requests
-- and the append-only credit ledger. Times are INTEGER Unix milliseconds,
-- UTC; money is INTEGER minor units (agorot for ILS), never floats. Kept in
-- lockstep with the PostgreSQL migration of the same number.

-- +goose Up
-- An order. external_id is the idempotency key of every ingestion path (API
-- upsert, CSV import, shop webhooks prefix theirs: "shopify:<id>",
-- "woocommerce:<id>"). promised_from/promised_by is the promised delivery
-- window (promised_by alone for a date: the end of that day in the business
-- calendar's zone). lateness is the detector's verdict: on_time, at_risk or
-- late; lateness_seq counts verdict changes so each change gets at most one
-- notice; conversation_id is the one late-delivery conversation of the order.
CREATE TABLE orders (
    id               INTEGER PRIMARY KEY,
    external_id      TEXT    NOT NULL UNIQUE,
    source           TEXT    NOT NULL DEFAULT 'api',
    number           TEXT    NOT NULL DEFAULT '',
    contact_id       INTEGER NOT NULL REFERENCES contacts (id),
    status           TEXT    NOT NULL CHECK (status IN ('placed', 'paid', 'shipped', 'delivered', 'cancelled', 'returned')),
    currency         TEXT    NOT NULL DEFAULT 'ILS',
    total_minor      INTEGER NOT NULL DEFAULT 0,
    shipping_minor   INTEGER NOT NULL DEFAULT 0,
    items            TEXT    NOT NULL DEFAULT '[]',
    channel          TEXT    NOT NULL DEFAULT 'web' CHECK (channel IN ('web', 'phone', 'store')),
    placed_at        INTEGER NOT NULL,
    promised_from    INTEGER,
    promised_by      INTEGER,
    shipped_at       INTEGER,
    delivered_at     INTEGER,
    carrier          TEXT    NOT NULL DEFAULT '',
    tracking_number  TEXT    NOT NULL DEFAULT '',
    carrier_status   TEXT    NOT NULL DEFAULT '',
    carrier_eta      INTEGER,
    lateness         TEXT    NOT NULL DEFAULT 'on_time' CHECK (lateness IN ('on_time', 'at_risk', 'late')),
    days_late        INTEGER NOT NULL DEFAULT 0,
    late_since       INTEGER,
    lateness_seq     INTEGER NOT NULL DEFAULT 0,
    conversation_id  INTEGER REFERENCES conversations (id) ON DELETE SET NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX orders_contact ON orders (contact_id, placed_at);
-- The late-delivery scan reads undelivered orders by promised date.
CREATE INDEX orders_open_promise ON orders (promised_by) WHERE delivered_at IS NULL AND status NOT IN ('delivered', 'cancelled', 'returned');
CREATE INDEX orders_lateness ON orders (lateness, days_late);

-- Carrier status updates and other order history, newest last.
CREATE TABLE order_events (
    id         INTEGER PRIMARY KEY,
    order_id   INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL,
    status     TEXT    NOT NULL DEFAULT '',
    detail     TEXT    NOT NULL DEFAULT '',
    eta        INTEGER,
    at         INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX order_events_order ON order_events (order_id, id);

-- One proactive notice per order per lateness change (seq = the order's
-- lateness_seq when it was sent).
CREATE TABLE order_notices (
    order_id        INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    seq             INTEGER NOT NULL,
    lateness        TEXT    NOT NULL,
    conversation_id INTEGER REFERENCES conversations (id) ON DELETE SET NULL,
    message_id      INTEGER REFERENCES messages (id) ON DELETE SET NULL,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (order_id, seq)
);

-- A conversation may be about an order (the late-delivery conversation, or
-- one an agent linked).
ALTER TABLE conversations ADD COLUMN order_id INTEGER REFERENCES orders (id) ON DELETE SET NULL;
CREATE INDEX conversations_order ON conversations (order_id) WHERE order_id IS NOT NULL;

-- Commerce settings by key (lateness detection, shop webhook secrets, ledger
-- export): value is JSON; secrets inside are sealed by internal/secret.
CREATE TABLE commerce_settings (
    key        TEXT    PRIMARY KEY,
    value      TEXT    NOT NULL DEFAULT '{}',
    updated_at INTEGER NOT NULL
);

-- The compensation policy, one JSON document per version; the highest
-- version is in force. Ledger entries name the version and rule they used.
CREATE TABLE compensation_policies (
    version    INTEGER PRIMARY KEY,
    body       TEXT    NOT NULL,
    created_by INTEGER REFERENCES agents (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL
);

-- Authority limits: how much a role may grant without approval, per order
-- and per period (day, week or month, in the desk's calendar zone), for one
-- remedy or for all remedies together ('*').
CREATE TABLE authority_limits (
    role             TEXT    NOT NULL CHECK (role IN ('admin', 'supervisor', 'agent')),
    remedy           TEXT    NOT NULL,
    per_order_minor  INTEGER NOT NULL CHECK (per_order_minor >= 0),
    per_period_minor INTEGER NOT NULL CHECK (per_period_minor >= 0),
    period           TEXT    NOT NULL DEFAULT 'day' CHECK (period IN ('day', 'week', 'month')),
    updated_at       INTEGER NOT NULL,
    PRIMARY KEY (role, remedy)
);

-- Requests to grant compensation above the requester's authority, decided
-- by a supervisor or admin. An approved request produces one ledger entry.
CREATE TABLE compensation_requests (
    id              INTEGER PRIMARY KEY,
    order_id        INTEGER REFERENCES orders (id),
    conversation_id INTEGER REFERENCES conversations (id) ON DELETE SET NULL,
    contact_id      INTEGER NOT NULL REFERENCES contacts (id),
    requested_by    INTEGER NOT NULL REFERENCES agents (id),
    remedy          TEXT    NOT NULL,
    amount_minor    INTEGER NOT NULL CHECK (amount_minor > 0),
    currency        TEXT    NOT NULL,
    goodwill        INTEGER NOT NULL DEFAULT 0,
    reason          TEXT    NOT NULL DEFAULT '',
    policy_version  INTEGER,
    policy_rule     TEXT    NOT NULL DEFAULT '',
    explanation     TEXT    NOT NULL DEFAULT '',
    status          TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'denied', 'cancelled')),
    decided_by      INTEGER REFERENCES agents (id),
    decided_at      INTEGER,
    decision_reason TEXT    NOT NULL DEFAULT '',
    ledger_entry_id INTEGER,
    created_at      INTEGER NOT NULL
);
CREATE INDEX compensation_requests_status ON compensation_requests (status, created_at);
CREATE INDEX compensation_requests_conversation ON compensation_requests (conversation_id);

-- The credit ledger: every credit, coupon and refund, append-only. A
-- reversal is a new entry with reverses_id set and the opposite amount
-- (at most one per entry). granted_by is NULL for an automatic grant by the
-- policy; approval_request_id names the approval that allowed it.
CREATE TABLE credit_ledger (
    id                  INTEGER PRIMARY KEY,
    contact_id          INTEGER NOT NULL REFERENCES contacts (id),
    order_id            INTEGER REFERENCES orders (id),
    conversation_id     INTEGER REFERENCES conversations (id),
    remedy              TEXT    NOT NULL,
    amount_minor        INTEGER NOT NULL,
    currency            TEXT    NOT NULL,
    goodwill            INTEGER NOT NULL DEFAULT 0,
    reason              TEXT    NOT NULL DEFAULT '',
    policy_version      INTEGER,
    policy_rule         TEXT    NOT NULL DEFAULT '',
    explanation         TEXT    NOT NULL DEFAULT '',
    coupon_code         TEXT    NOT NULL DEFAULT '',
    granted_by          INTEGER REFERENCES agents (id),
    approval_request_id INTEGER REFERENCES compensation_requests (id),
    approved_by         INTEGER REFERENCES agents (id),
    reverses_id         INTEGER UNIQUE REFERENCES credit_ledger (id),
    created_at          INTEGER NOT NULL
);
CREATE INDEX credit_ledger_contact ON credit_ledger (contact_id, created_at);
CREATE INDEX credit_ledger_created ON credit_ledger (created_at);
CREATE INDEX credit_ledger_order ON credit_ledger (order_id);
CREATE INDEX credit_ledger_granted_by ON credit_ledger (granted_by, created_at);

-- +goose StatementBegin
CREATE TRIGGER credit_ledger_no_update BEFORE UPDATE ON credit_ledger
BEGIN
    SELECT RAISE(ABORT, 'credit_ledger is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER credit_ledger_no_delete BEFORE DELETE ON credit_ledger
BEGIN
    SELECT RAISE(ABORT, 'credit_ledger is append-only');
END;
-- +goose StatementEnd

-- Export of ledger entries to the shop (webhook); kept apart from the
-- append-only ledger.
CREATE TABLE credit_exports (
    entry_id   INTEGER PRIMARY KEY REFERENCES credit_ledger (id),
    status     TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT    NOT NULL DEFAULT '',
    sent_at    INTEGER,
    updated_at INTEGER NOT NULL
);

-- +goose Down
-- Forward-only: restore from a backup to go back.
