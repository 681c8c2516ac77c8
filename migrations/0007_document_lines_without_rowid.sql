-- 0007_document_lines_without_rowid: document lines are stored in their key's own B-tree
-- (WITHOUT ROWID) instead of a rowid table plus the key's separate unique index, so each line
-- the sync writes is one B-tree insert instead of two (issue 8: the backfill's CPU per
-- record). Same columns, same key (document_id, line_no), same rows.
-- Ledger lines stay a rowid table: their key leads with text (the source id), and there the
-- rowid table with its index measured cheaper to write than a WITHOUT ROWID table.

CREATE TABLE document_lines_new (
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
) STRICT, WITHOUT ROWID;
INSERT INTO document_lines_new
SELECT document_id, line_no, item_code, description, quantity, unit_amount, line_amount,
       tax_amount, account_code, unit_cost
FROM document_lines;
DROP TABLE document_lines;
ALTER TABLE document_lines_new RENAME TO document_lines;
