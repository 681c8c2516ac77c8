-- 0001_initial: the first schema. Everything cxsync caches for one or more Cin7<->Xero
-- connections: sync cursors, the raw JSON of every fetched record (kept for support and for
-- re-normalising after an upgrade), normalised documents, lines and ledger lines, charts of
-- accounts, organisation settings, OAuth refresh tokens (versioned), findings with their
-- history, reports and the API call log. Money is TEXT holding an exact decimal; timestamps
-- are TEXT in RFC 3339 UTC ("2026-11-25T14:43:41.123Z"); dates are TEXT "YYYY-MM-DD".

CREATE TABLE connections (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    cin7_kind   TEXT NOT NULL CHECK (cin7_kind IN ('core', 'omni')),
    created_at  TEXT NOT NULL
) STRICT;

-- One row per (connection, system, endpoint): where the next incremental read starts.
-- `cursor` is opaque to SQL (a modified-since timestamp, a journal offset, ...). It is written
-- in the same transaction as the page it follows.
CREATE TABLE sync_cursors (
    connection_id    INTEGER NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    system           TEXT NOT NULL CHECK (system IN ('xero', 'cin7')),
    endpoint         TEXT NOT NULL,
    cursor           TEXT,
    available        INTEGER NOT NULL DEFAULT 1 CHECK (available IN (0, 1)),
    last_attempt_at  TEXT,
    last_success_at  TEXT,
    last_error       TEXT,
    PRIMARY KEY (connection_id, system, endpoint)
) STRICT;

-- The record exactly as the API sent it.
CREATE TABLE raw_documents (
    id             INTEGER PRIMARY KEY,
    connection_id  INTEGER NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    system         TEXT NOT NULL CHECK (system IN ('xero', 'cin7')),
    endpoint       TEXT NOT NULL,
    external_id    TEXT NOT NULL,
    updated_at     TEXT,
    raw_json       TEXT NOT NULL,
    content_hash   TEXT NOT NULL,
    fetched_at     TEXT NOT NULL,
    UNIQUE (connection_id, system, endpoint, external_id)
) STRICT;

-- Records that could not be parsed: kept whole with the reason, never dropped.
CREATE TABLE quarantine (
    id             INTEGER PRIMARY KEY,
    connection_id  INTEGER NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    system         TEXT NOT NULL CHECK (system IN ('xero', 'cin7')),
    endpoint       TEXT NOT NULL,
    external_id    TEXT,
    raw            TEXT NOT NULL,
    error          TEXT NOT NULL,
    received_at    TEXT NOT NULL
) STRICT;

-- Normalised financial documents from either side. `doc_type` is one of cxsync's own types
-- (sales_invoice, sales_credit_note, purchase_invoice, purchase_credit_note, payment,
-- manual_journal, bank_transaction, stock_adjustment, stock_transfer, assembly, ...);
-- `status` keeps the source's own word, unknown ones included.
CREATE TABLE documents (
    id               INTEGER PRIMARY KEY,
    connection_id    INTEGER NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    system           TEXT NOT NULL CHECK (system IN ('xero', 'cin7')),
    doc_type         TEXT NOT NULL,
    external_id      TEXT NOT NULL,
    number           TEXT,
    reference        TEXT,
    contact          TEXT,
    status           TEXT NOT NULL,
    date             TEXT,
    due_date         TEXT,
    currency         TEXT,
    total            TEXT,
    tax_total        TEXT,
    amount_paid      TEXT,
    amount_credited  TEXT,
    updated_at       TEXT,
    raw_document_id  INTEGER REFERENCES raw_documents (id) ON DELETE SET NULL,
    UNIQUE (connection_id, system, doc_type, external_id)
) STRICT;
CREATE INDEX documents_by_number ON documents (connection_id, number);
CREATE INDEX documents_by_date ON documents (connection_id, system, date);

CREATE TABLE document_lines (
    document_id   INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    line_no       INTEGER NOT NULL,
    item_code     TEXT,
    description   TEXT,
    quantity      TEXT,
    unit_amount   TEXT,
    line_amount   TEXT,
    tax_amount    TEXT,
    account_code  TEXT,
    unit_cost     TEXT,
    PRIMARY KEY (document_id, line_no)
) STRICT;

-- Charts of accounts of both sides. `code` can be empty in Xero (bank accounts may have none).
CREATE TABLE accounts (
    connection_id  INTEGER NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    system         TEXT NOT NULL CHECK (system IN ('xero', 'cin7')),
    external_id    TEXT NOT NULL,
    code           TEXT,
    name           TEXT,
    type           TEXT,
    status         TEXT NOT NULL,
    updated_at     TEXT,
    PRIMARY KEY (connection_id, system, external_id)
) STRICT;
CREATE INDEX accounts_by_code ON accounts (connection_id, system, code);

-- Xero organisation settings that reconciliation depends on.
CREATE TABLE organisation (
    connection_id           INTEGER PRIMARY KEY REFERENCES connections (id) ON DELETE CASCADE,
    name                    TEXT,
    base_currency           TEXT,
    timezone                TEXT,
    period_lock_date        TEXT,
    end_of_year_lock_date   TEXT,
    financial_year_end_day    INTEGER,
    financial_year_end_month  INTEGER,
    updated_at              TEXT NOT NULL
) STRICT;

-- General-ledger lines of both sides, one account per line, debit positive, credit negative.
-- Cin7: its `transactions` feed and sale/purchase detail; Xero: Journals.
CREATE TABLE ledger_lines (
    id             INTEGER PRIMARY KEY,
    connection_id  INTEGER NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    system         TEXT NOT NULL CHECK (system IN ('xero', 'cin7')),
    source_id      TEXT NOT NULL,
    line_no        INTEGER NOT NULL,
    journal_number INTEGER,
    date           TEXT NOT NULL,
    account_code   TEXT NOT NULL,
    amount         TEXT NOT NULL,
    source_type    TEXT,
    reference      TEXT,
    description    TEXT,
    UNIQUE (connection_id, system, source_id, line_no)
) STRICT;
CREATE INDEX ledger_lines_by_account ON ledger_lines (connection_id, system, account_code, date);

-- OAuth refresh tokens, one row per version: a rotation inserts a new version and marks the
-- old one superseded in the same transaction, so a crash can never lose the live token.
CREATE TABLE oauth_tokens (
    id             INTEGER PRIMARY KEY,
    connection_id  INTEGER NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    version        INTEGER NOT NULL,
    refresh_token  TEXT NOT NULL,
    tenant_id      TEXT,
    scopes         TEXT,
    created_at     TEXT NOT NULL,
    superseded_at  TEXT,
    UNIQUE (connection_id, version)
) STRICT;

-- One row per finding, identified by a fingerprint that is stable across runs.
CREATE TABLE findings (
    id             INTEGER PRIMARY KEY,
    connection_id  INTEGER NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    fingerprint    TEXT NOT NULL,
    kind           TEXT NOT NULL,
    severity       TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'error')),
    cin7_ref       TEXT,
    xero_ref       TEXT,
    account_code   TEXT,
    amount         TEXT,
    date           TEXT,
    message        TEXT NOT NULL,
    first_seen     TEXT NOT NULL,
    last_seen      TEXT NOT NULL,
    resolved_at    TEXT,
    UNIQUE (connection_id, fingerprint)
) STRICT;
CREATE INDEX findings_open ON findings (connection_id, kind) WHERE resolved_at IS NULL;

-- Every opening, resolution and re-opening of a finding: its history.
CREATE TABLE finding_events (
    finding_id  INTEGER NOT NULL REFERENCES findings (id) ON DELETE CASCADE,
    at          TEXT NOT NULL,
    event       TEXT NOT NULL CHECK (event IN ('opened', 'resolved', 'reopened'))
) STRICT;
CREATE INDEX finding_events_by_finding ON finding_events (finding_id, at);

-- Variance reports: one per connection and report date; `sent_at` makes delivery exactly-once.
CREATE TABLE reports (
    id             INTEGER PRIMARY KEY,
    connection_id  INTEGER NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    report_date    TEXT NOT NULL,
    body_json      TEXT NOT NULL,
    generated_at   TEXT NOT NULL,
    sent_at        TEXT,
    delivered_to   TEXT,
    UNIQUE (connection_id, report_date)
) STRICT;

-- Every HTTP call cxsync makes, with the remaining-limit headers the server returned.
-- `status` is NULL when no response arrived (timeout, connection reset).
CREATE TABLE api_calls (
    id                  INTEGER PRIMARY KEY,
    connection_id       INTEGER REFERENCES connections (id) ON DELETE SET NULL,
    system              TEXT NOT NULL,
    endpoint            TEXT NOT NULL,
    method              TEXT NOT NULL,
    status              INTEGER,
    error               TEXT,
    started_at          TEXT NOT NULL,
    duration_ms         INTEGER NOT NULL,
    min_remaining       INTEGER,
    day_remaining       INTEGER,
    app_min_remaining   INTEGER,
    retry_after_s       INTEGER,
    rate_limit_problem  TEXT
) STRICT;
CREATE INDEX api_calls_by_day ON api_calls (connection_id, system, started_at);

-- Views for support staff (docs/schema.md explains each).

CREATE VIEW open_findings AS
SELECT f.id, c.name AS connection, f.kind, f.severity, f.cin7_ref, f.xero_ref,
       f.account_code, f.amount, f.date, f.first_seen, f.last_seen, f.message
FROM findings f JOIN connections c ON c.id = f.connection_id
WHERE f.resolved_at IS NULL;

CREATE VIEW open_findings_by_kind AS
SELECT c.name AS connection, f.kind, f.severity, count(*) AS findings,
       min(f.first_seen) AS oldest_first_seen
FROM findings f JOIN connections c ON c.id = f.connection_id
WHERE f.resolved_at IS NULL
GROUP BY c.name, f.kind, f.severity;

-- Cin7 documents that reconciliation found missing from Xero (after the grace period).
CREATE VIEW unsynced_documents AS
SELECT c.name AS connection, d.doc_type, d.number, d.reference, d.contact, d.status, d.date,
       d.total, f.first_seen AS missing_since
FROM findings f
JOIN connections c ON c.id = f.connection_id
JOIN documents d ON d.connection_id = f.connection_id AND d.system = 'cin7'
                AND d.number = f.cin7_ref
WHERE f.kind = 'missing_in_xero' AND f.resolved_at IS NULL;

CREATE VIEW call_budget_daily AS
SELECT c.name AS connection, a.system, substr(a.started_at, 1, 10) AS day_utc,
       count(*) AS calls,
       sum(a.status = 429) AS http_429,
       sum(a.status = 503) AS http_503,
       sum(a.status IS NULL) AS transport_errors,
       min(a.day_remaining) AS lowest_day_remaining
FROM api_calls a LEFT JOIN connections c ON c.id = a.connection_id
GROUP BY c.name, a.system, day_utc;

CREATE VIEW sync_status AS
SELECT c.name AS connection, s.system, s.endpoint, s.available, s.cursor,
       s.last_success_at, s.last_attempt_at, s.last_error
FROM sync_cursors s JOIN connections c ON c.id = s.connection_id;
