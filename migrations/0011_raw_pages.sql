-- 0011_raw_pages: Xero Journals' raw JSON is kept one row per response page (up to 100
-- journals) instead of one raw_documents row per journal. Journals never change once written
-- (an edit in Xero posts new journals) and are read by offset, so a journal needs no content
-- hash of its own to tell whether it changed; the per-row overhead (external id, update time,
-- 64-character hash, fetch time and an entry in the unique index) was about a third of the
-- journals' raw rows, and writing them about 9 % of a backfill's CPU (docs/benchmarks.md).
-- `body` is the page's records as a JSON array, each exactly as Xero sent it (the quarantined
-- ones too); `first_number` and `last_number` are the lowest and highest JournalNumber on the
-- page, so a journal's page is found from ledger_lines.journal_number. Journals stored before
-- this migration keep their raw_documents rows; they are not moved.

CREATE TABLE raw_pages (
    id             INTEGER PRIMARY KEY,
    connection_id  INTEGER NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    system         TEXT NOT NULL CHECK (system IN ('xero', 'cin7')),
    endpoint       TEXT NOT NULL,
    first_number   INTEGER NOT NULL,
    last_number    INTEGER NOT NULL,
    records        INTEGER NOT NULL,
    body           TEXT NOT NULL,
    fetched_at     TEXT NOT NULL,
    CHECK (first_number <= last_number),
    UNIQUE (connection_id, system, endpoint, first_number)
) STRICT;
