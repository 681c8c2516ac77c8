//! A finding: one discrepancy, as data. Its fingerprint is its identity across runs: built
//! from the kind and the records' external ids (and an account code where the finding is
//! about one), never from the message, amounts or dates, so rewording a message or a changed
//! amount does not make a finding "new".

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sha2::{Digest as _, Sha256};

use super::FindingKind;

/// How urgent a finding is. The codes match the store's CHECK constraint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Warning => "warning",
            Self::Error => "error",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One discrepancy between Cin7 and Xero.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub kind: FindingKind,
    pub severity: Severity,
    /// Stable identity across runs (64 hex digits).
    pub fingerprint: String,
    /// The Cin7 document's number (or its external id when it has none).
    pub cin7_ref: Option<String>,
    /// The Xero document's number (or its external id when it has none).
    pub xero_ref: Option<String>,
    pub account_code: Option<String>,
    /// The amount the finding is about: a total, or a difference (Cin7 − Xero).
    pub amount: Option<Decimal>,
    /// The finding's amount on further control accounts, when what it is about lands on more
    /// than one (an adjustment never pushed moves inventory and COGS): each read like
    /// `amount` is on `account_code`. Outside the fingerprint, like the account.
    pub other_accounts: Vec<(String, Decimal)>,
    pub date: Option<NaiveDate>,
    /// What is wrong and what to do about it.
    pub message: String,
}

impl Finding {
    /// Tells the finding on the control accounts it lands on, the first as its own
    /// `account_code` and `amount`, the rest as [`Finding::other_accounts`]; nothing changes
    /// when there are none.
    pub(crate) fn place(&mut self, accounts: Vec<(String, Decimal)>) {
        let mut accounts = accounts.into_iter();
        if let Some((code, amount)) = accounts.next() {
            self.account_code = Some(code);
            self.amount = Some(amount);
            self.other_accounts = accounts.collect();
        }
    }
}

/// The identity of a finding: kind + Cin7 id + Xero id + account, hashed.
pub(crate) fn fingerprint(
    kind: FindingKind,
    cin7_id: Option<&str>,
    xero_id: Option<&str>,
    account: Option<&str>,
) -> String {
    let mut hasher = Sha256::new();
    for part in [Some(kind.as_str()), cin7_id, xero_id, account] {
        // A length prefix keeps ("ab", "c") and ("a", "bc") apart; `None` differs from "".
        match part {
            Some(text) => {
                hasher.update(b"S");
                hasher.update((text.len() as u64).to_le_bytes());
                hasher.update(text.as_bytes());
            }
            None => hasher.update(b"N"),
        }
    }
    hasher.finalize().iter().fold(String::with_capacity(64), |mut hex, byte| {
        use std::fmt::Write as _;
        let _ = write!(hex, "{byte:02x}");
        hex
    })
}

/// Builds a [`Finding`], computing its fingerprint from the ids.
#[derive(Debug, Default)]
pub(crate) struct Draft<'a> {
    pub cin7_id: Option<&'a str>,
    pub cin7_ref: Option<String>,
    pub xero_id: Option<&'a str>,
    pub xero_ref: Option<String>,
    pub account_code: Option<String>,
    pub amount: Option<Decimal>,
    pub date: Option<NaiveDate>,
}

impl Draft<'_> {
    pub(crate) fn finish(self, kind: FindingKind, severity: Severity, message: String) -> Finding {
        Finding {
            kind,
            severity,
            fingerprint: fingerprint(
                kind,
                self.cin7_id,
                self.xero_id,
                self.account_code.as_deref(),
            ),
            cin7_ref: self.cin7_ref,
            xero_ref: self.xero_ref,
            account_code: self.account_code,
            amount: self.amount,
            other_accounts: Vec::new(),
            date: self.date,
            message,
        }
    }
}
