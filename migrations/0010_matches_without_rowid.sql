-- 0010_matches_without_rowid: matches are stored in their key's own B-tree (WITHOUT ROWID)
-- instead of a rowid table plus the key's separate unique index (issue 5: a first
-- reconciliation of a million documents a side inserts a million matches, three B-tree inserts
-- each; a re-run reads them all in key order to keep those made again, and each read row
-- was a second lookup into the table). Same columns, same key, same rows, same
-- matches_by_xero index.

CREATE TABLE matches_new (
    connection_id     INTEGER NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    cin7_external_id  TEXT NOT NULL,
    xero_external_id  TEXT NOT NULL,
    method            TEXT NOT NULL,
    matched_at        TEXT NOT NULL,
    PRIMARY KEY (connection_id, cin7_external_id, xero_external_id)
) STRICT, WITHOUT ROWID;
INSERT INTO matches_new
SELECT connection_id, cin7_external_id, xero_external_id, method, matched_at FROM matches;
DROP TABLE matches;
ALTER TABLE matches_new RENAME TO matches;
CREATE INDEX matches_by_xero ON matches (connection_id, xero_external_id);
