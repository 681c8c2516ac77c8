-- 0009_ledger_lines_by_account_cin7_only: the index of ledger lines by account and date is
-- kept for Cin7's lines only (a partial index). On Xero's side it cost the Journals backfill
-- about 8 % of its CPU (issue 8: every commit rewrote a leaf page per account, a third of all
-- WAL frames), and nothing in cxsync reads Xero lines through it: the report reads all of a
-- connection's lines to a date, reconciliation reads them by source id. Support queries on
-- Xero lines by account (docs/support.md, queries 9 and 10) read the connection's Xero lines
-- through the (connection, system, source id) key instead: about a second per 2.4 million
-- lines (docs/benchmarks.md).
DROP INDEX ledger_lines_by_account;
CREATE INDEX ledger_lines_cin7_by_account ON ledger_lines (connection_id, account_code, date)
    WHERE system = 'cin7';
