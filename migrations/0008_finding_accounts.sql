-- 0008_finding_accounts: every mapped control account a finding lands on, with its amount
-- there, so a difference that moves two accounts (an adjustment never pushed moves inventory
-- and COGS) explains both accounts' variances in the daily report. `findings.account_code` and
-- `findings.amount` stay the first of them (the command-line contract); this table holds that
-- one too, so "what explains account 310" is one query.

CREATE TABLE finding_accounts (
    finding_id    INTEGER NOT NULL REFERENCES findings (id) ON DELETE CASCADE,
    account_code  TEXT NOT NULL,
    amount        TEXT NOT NULL,
    PRIMARY KEY (finding_id, account_code)
) STRICT, WITHOUT ROWID;

-- Findings stored before this migration are on one account: their own.
INSERT INTO finding_accounts (finding_id, account_code, amount)
SELECT id, account_code, amount FROM findings
WHERE account_code IS NOT NULL AND amount IS NOT NULL;
