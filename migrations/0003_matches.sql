-- 0003_matches: how each Cin7 record was paired with its Xero counterpart in the latest
-- reconciliation (document number, bill reference, TaskID or reference in a journal's
-- narration, or the same date/account/amount lines), so `cxsync show` and support staff can
-- see why two records were treated as one. Replaced whole on every reconciliation.

CREATE TABLE matches (
    connection_id     INTEGER NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    cin7_external_id  TEXT NOT NULL,
    xero_external_id  TEXT NOT NULL,
    method            TEXT NOT NULL,
    matched_at        TEXT NOT NULL,
    PRIMARY KEY (connection_id, cin7_external_id, xero_external_id)
) STRICT;
CREATE INDEX matches_by_xero ON matches (connection_id, xero_external_id);
