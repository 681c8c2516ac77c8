-- 0012_documents_by_number_numbered_only: the index of documents by number holds numbered
-- documents only (a partial index). Manual journals, payments and bank transactions have no
-- number: six in ten of the simulated organisation's Xero documents, each of which cost the sync
-- an index entry that no lookup can reach (a lookup by number names one, and `number = ?` implies
-- `number IS NOT NULL`, so SQLite still uses this index for it). Issue 8: the backfill's CPU
-- per record.
DROP INDEX documents_by_number;
CREATE INDEX documents_by_number ON documents (connection_id, number) WHERE number IS NOT NULL;
