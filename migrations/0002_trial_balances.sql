-- 0002_trial_balances: Xero trial balances as at a date. When a connection is not granted
-- Xero's Journals (newer apps, custom connections without journal scopes), control-account
-- balances come from Reports/TrialBalance instead; this keeps one snapshot per date.

CREATE TABLE trial_balances (
    connection_id  INTEGER NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    as_at          TEXT NOT NULL,
    account_code   TEXT NOT NULL,
    account_name   TEXT,
    balance        TEXT NOT NULL,
    fetched_at     TEXT NOT NULL,
    PRIMARY KEY (connection_id, as_at, account_code)
) STRICT;
