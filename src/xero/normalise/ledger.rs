//! The Xero general ledger and its settings: journals → [`LedgerEntry`], accounts →
//! [`Account`], the organisation → [`Organisation`], tracking categories → raw only.
//!
//! Decisions (beyond the shared rules in the parent module):
//! - Journals: `JournalDate` is required (a ledger line must have a date) and so is every
//!   line's `NetAmount`, kept signed as Xero gives it (debit positive). A line without an
//!   `AccountCode` (a bank account that has no code) gets `""` as its code, since
//!   [`crate::model::LedgerLine::account_code`] cannot be absent; it can then match no
//!   control account. Blank descriptions become `None`. Xero's `SourceID` (the document that
//!   posted the journal) has no normalised field; it stays in the raw JSON.
//! - Accounts keep `Status` and `Type` as given; a missing `Code` is `None`.
//! - The organisation's lock dates are read as calendar dates; it has no update time.

use super::{NormaliseError, RecordRef, text};
use crate::model::{Account, LedgerEntry, LedgerLine, Organisation, Payload, Record};
use crate::xero::models::{self, Journal, TrackingCategory};

pub(super) fn journal(record: &RecordRef, journal: Journal) -> Result<Record, NormaliseError> {
    let source_id = record.require_id(journal.journal_id)?;
    let date = record
        .date("JournalDate", journal.journal_date.as_deref())?
        .ok_or_else(|| record.missing("JournalDate"))?;
    let lines = (0u32..)
        .zip(journal.journal_lines)
        .map(|(line_no, line)| {
            let amount = line
                .net_amount
                .ok_or_else(|| record.missing(format!("JournalLines[{line_no}].NetAmount")))?;
            Ok(LedgerLine {
                line_no,
                date,
                account_code: text(line.account_code).unwrap_or_default(),
                amount,
                description: text(line.description),
            })
        })
        .collect::<Result<Vec<_>, NormaliseError>>()?;
    let updated_at = record.instant("CreatedDateUTC", journal.created_date_utc.as_deref())?;
    let entry = LedgerEntry {
        source_id: source_id.clone(),
        journal_number: journal.journal_number,
        source_type: text(journal.source_type),
        reference: text(journal.reference),
        lines,
    };
    Ok(Record { external_id: source_id, updated_at, payload: Payload::Ledger(entry) })
}

pub(super) fn account(
    record: &RecordRef,
    account: models::Account,
) -> Result<Record, NormaliseError> {
    let external_id = record.require_id(account.account_id)?;
    let updated_at = record.instant("UpdatedDateUTC", account.updated_date_utc.as_deref())?;
    let account = Account {
        external_id: external_id.clone(),
        code: text(account.code),
        name: text(account.name),
        account_type: text(account.kind),
        status: account.status.unwrap_or_default(),
        updated_at,
    };
    Ok(Record { external_id, updated_at, payload: Payload::Account(account) })
}

pub(super) fn organisation(
    record: &RecordRef,
    organisation: models::Organisation,
) -> Result<Record, NormaliseError> {
    let external_id = record.require_id(organisation.organisation_id)?;
    let settings = Organisation {
        name: text(organisation.name),
        base_currency: text(organisation.base_currency),
        timezone: text(organisation.timezone),
        period_lock_date: record
            .date("PeriodLockDate", organisation.period_lock_date.as_deref())?,
        end_of_year_lock_date: record
            .date("EndOfYearLockDate", organisation.end_of_year_lock_date.as_deref())?,
        financial_year_end_day: organisation.financial_year_end_day,
        financial_year_end_month: organisation.financial_year_end_month,
    };
    Ok(Record { external_id, updated_at: None, payload: Payload::Organisation(settings) })
}

pub(super) fn tracking_category(
    record: &RecordRef,
    category: TrackingCategory,
) -> Result<Record, NormaliseError> {
    let external_id = record.require_id(category.tracking_category_id)?;
    Ok(Record { external_id, updated_at: None, payload: Payload::RawOnly })
}
