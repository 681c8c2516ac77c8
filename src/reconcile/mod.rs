//! Reconciliation: pure matching of Cin7 and Xero records, the findings they produce, and the
//! variance per control account. Nothing here does I/O or reads the clock: [`reconcile`] takes
//! one connection's cached records, the settings and `now`, and returns data. Its output is
//! sorted, so the same input gives the same matches and findings in the same order.
//!
//! Architecture:
//! - `input`: [`ReconcileInput`] and [`Settings`].
//! - `records`: the lean tables of documents and ledger entries the input holds, and their
//!   read views.
//! - `matching`: pairs Cin7 records with Xero documents, recording the [`MatchMethod`].
//! - `rules`: one function per finding kind, each appending [`Finding`]s with a message that
//!   says what to do.
//! - `finding`: [`Finding`], [`Severity`] and the stable fingerprint.
//! - this file: the stable kind codes and the entry point.

mod finding;
mod input;
mod keys;
mod matching;
mod records;
mod rules;
mod status;
#[cfg(test)]
mod tests;

use chrono::{DateTime, Utc};

pub use finding::{Finding, Severity};
pub use input::{ProductAccounts, ReconcileInput, Settings};
pub use matching::{Match, MatchMethod};
pub use records::{Doc, DocumentFields, Documents, Entries, Entry, Line, LineFields, Posting};
pub use rules::volume::{FAIR_USE_TIERS, projected_average, projected_from_counts, quarter_start};

/// What one reconciliation run found: every match and every finding, sorted.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Outcome {
    /// Sorted by Cin7 id, then Xero id.
    pub matches: Vec<Match>,
    /// Sorted by kind, Cin7 reference, Xero reference, account, then fingerprint.
    pub findings: Vec<Finding>,
}

/// Matches one connection's Cin7 records with its Xero records and reports every discrepancy.
///
/// The rules only read the input and the matching, each appending its findings: they run in
/// two threads (pairs, missing and accounts in this one; periods, volume and Omni's, then the
/// list of matches, in another), their findings joined in the order one thread gave them.
pub fn reconcile(input: &ReconcileInput, settings: &Settings, now: DateTime<Utc>) -> Outcome {
    let matching = matching::match_records(input, settings);
    let ctx =
        rules::Context { input, settings, now, today: settings.today(now), matching: &matching };
    let (mut findings, (later, matches)) = std::thread::scope(|scope| {
        let other = scope.spawn(|| {
            let mut findings = Vec::new();
            rules::periods::check(&ctx, &mut findings);
            rules::volume::check(&ctx, &mut findings);
            rules::omni::check(&ctx, &mut findings);
            (findings, matches(input, &matching))
        });
        let mut findings = Vec::new();
        rules::pairs::check(&ctx, &mut findings);
        rules::missing::check(&ctx, &mut findings);
        rules::accounts::check(&ctx, &mut findings);
        let other = other.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (findings, other)
    });
    findings.extend(later);
    findings.sort_by(|a, b| {
        (a.kind, &a.cin7_ref, &a.xero_ref, &a.account_code, &a.fingerprint).cmp(&(
            b.kind,
            &b.cin7_ref,
            &b.xero_ref,
            &b.account_code,
            &b.fingerprint,
        ))
    });
    Outcome { matches, findings }
}

/// Every pair and every consolidated group's Cin7 and Xero documents as [`Match`]es, sorted.
fn matches(input: &ReconcileInput, matching: &matching::Matching) -> Vec<Match> {
    let mut matches: Vec<Match> = matching
        .pairs
        .iter()
        .map(|pair| Match {
            cin7_id: match pair.cin7 {
                matching::Cin7Item::Document(i) => {
                    input.cin7_documents.get(i).external_id.to_owned()
                }
                matching::Cin7Item::Ledger(i) => input.cin7_ledger.get(i).source_id.to_owned(),
            },
            xero_id: input.xero_documents.get(pair.xero).external_id.to_owned(),
            method: pair.method,
        })
        .chain(matching.groups.iter().flat_map(|group| {
            group.cin7.iter().flat_map(move |&c| {
                group.xero.iter().map(move |&x| Match {
                    cin7_id: input.cin7_documents.get(c).external_id.to_owned(),
                    xero_id: input.xero_documents.get(x).external_id.to_owned(),
                    method: MatchMethod::ConsolidatedSum,
                })
            })
        }))
        .collect();
    matches.sort_unstable();
    matches
}

use std::fmt;
use std::str::FromStr;

/// The stable finding codes of DESIGN.md. They are stored, printed and filtered on: never
/// rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FindingKind {
    MissingInXero,
    MissingInCin7,
    AmountMismatch,
    DateMismatch,
    StatusMismatch,
    PaidDocumentEdit,
    VoidMismatch,
    ArchivedAccount,
    LockDateViolation,
    ControlAccountJournal,
    TimingDifference,
    ReturnMisalignment,
    BlankCogs,
    InventorySelfAdjustment,
    UnclosedAccrual,
    MissingDocumentDate,
    SyncError,
    FairUseRisk,
}

impl FindingKind {
    pub const ALL: [Self; 18] = [
        Self::MissingInXero,
        Self::MissingInCin7,
        Self::AmountMismatch,
        Self::DateMismatch,
        Self::StatusMismatch,
        Self::PaidDocumentEdit,
        Self::VoidMismatch,
        Self::ArchivedAccount,
        Self::LockDateViolation,
        Self::ControlAccountJournal,
        Self::TimingDifference,
        Self::ReturnMisalignment,
        Self::BlankCogs,
        Self::InventorySelfAdjustment,
        Self::UnclosedAccrual,
        Self::MissingDocumentDate,
        Self::SyncError,
        Self::FairUseRisk,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::MissingInXero => "missing_in_xero",
            Self::MissingInCin7 => "missing_in_cin7",
            Self::AmountMismatch => "amount_mismatch",
            Self::DateMismatch => "date_mismatch",
            Self::StatusMismatch => "status_mismatch",
            Self::PaidDocumentEdit => "paid_document_edit",
            Self::VoidMismatch => "void_mismatch",
            Self::ArchivedAccount => "archived_account",
            Self::LockDateViolation => "lock_date_violation",
            Self::ControlAccountJournal => "control_account_journal",
            Self::TimingDifference => "timing_difference",
            Self::ReturnMisalignment => "return_misalignment",
            Self::BlankCogs => "blank_cogs",
            Self::InventorySelfAdjustment => "inventory_self_adjustment",
            Self::UnclosedAccrual => "unclosed_accrual",
            Self::MissingDocumentDate => "missing_document_date",
            Self::SyncError => "sync_error",
            Self::FairUseRisk => "fair_use_risk",
        }
    }
}

impl fmt::Display for FindingKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for FindingKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == s).ok_or_else(|| {
            let known: Vec<&str> = Self::ALL.iter().map(|k| k.as_str()).collect();
            format!("unknown finding kind `{s}`; known kinds: {}", known.join(", "))
        })
    }
}

#[cfg(test)]
mod kind_tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_through_its_code() {
        for kind in FindingKind::ALL {
            assert_eq!(kind.as_str().parse::<FindingKind>().unwrap(), kind);
        }
        let codes: std::collections::BTreeSet<_> =
            FindingKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(codes.len(), FindingKind::ALL.len(), "codes must be distinct");
    }

    #[test]
    fn unknown_kind_lists_the_known_ones() {
        let err = "missing_in_xreo".parse::<FindingKind>().unwrap_err();
        assert!(err.contains("missing_in_xero"), "{err}");
    }
}
