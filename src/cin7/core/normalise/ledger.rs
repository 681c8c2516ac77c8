//! The Cin7 Core ledger: rows of the `transactions` feed and the `Transactions[]` of a task's
//! detail → [`LedgerEntry`]s; `ref/account` → [`Account`]s.
//!
//! Every posting has a debit account, a credit account and an amount. It becomes two lines:
//! `+amount` on the debit account and `-amount` on the credit account (debit positive, as the
//! model wants), so a posting Cin7 sends with a negative amount reverses both lines.
//!
//! Feed rows have no id. A row is known by its task, its effective date and a hash of its
//! content ([`ledger_key`]); identical rows of one task and date (two equal postings) are
//! told apart by their occurrence in the window read ([`ledger_id`]). A row Cin7 changes
//! (back-dated, a new amount) therefore gets a new id, and the sync removes the old one when
//! it reads that date's window again without it.

use serde_json::Value;
use sha2::{Digest as _, Sha256};

use super::{
    Endpoint, NormaliseError, RecordRef, account_code, elements, parse, parse_date, slice, text,
};
use crate::cin7::core::models::{self, LedgerRow, TaskTransaction};
use crate::model::{Account, LedgerEntry, LedgerLine, Payload, Record};

/// Hex digits of the content hash in a feed row's key.
const HASH_DIGITS: usize = 12;

pub(super) fn account(
    record: &RecordRef,
    account: models::Account,
) -> Result<Record, NormaliseError> {
    let code = account.code.as_deref().and_then(account_code);
    let external_id = record.require_id(code.clone())?;
    let account = Account {
        external_id: external_id.clone(),
        code,
        name: text(account.name),
        account_type: text(account.kind),
        status: account.status.unwrap_or_default(),
        updated_at: None,
    };
    Ok(Record { external_id, updated_at: None, payload: Payload::Account(account) })
}

/// The identity of a feed row, without its occurrence: `transactions/{TaskID}/{date}/{hash}`.
/// Total: a row without a task id or a readable date gets `-` in that place.
pub fn ledger_key(raw: &Value) -> String {
    let task = raw.get("TaskID").and_then(Value::as_str).map_or("-", str::trim);
    let date = raw
        .get("EffectiveDate")
        .and_then(Value::as_str)
        .and_then(|d| parse_date(d).ok())
        .map_or_else(|| "-".to_string(), |d| d.to_string());
    // serde_json's maps are sorted, so the text (and the hash) does not depend on key order.
    let digest = Sha256::digest(raw.to_string().as_bytes());
    let hash: String = digest
        .iter()
        .flat_map(|byte| [byte >> 4, byte & 0xf])
        .take(HASH_DIGITS)
        .map(|nibble| char::from_digit(u32::from(nibble), 16).expect("a nibble"))
        .collect();
    format!("{}/{task}/{date}/{hash}", Endpoint::Transactions)
}

/// The id of the `occurrence`th row (from 0) with this key in one window read.
pub fn ledger_id(key: &str, occurrence: usize) -> String {
    format!("{key}.{occurrence}")
}

/// Normalises one feed row, known as `id` (see [`ledger_id`]).
pub fn ledger_row(raw: &Value, id: &str) -> Result<Record, NormaliseError> {
    let record = RecordRef::new(Endpoint::Transactions, id);
    let row: LedgerRow = parse(&record, raw)?;
    let date = record
        .date("EffectiveDate", row.effective_date)?
        .ok_or_else(|| record.missing("EffectiveDate"))?;
    let amount = row.amount.ok_or_else(|| record.missing("Amount"))?;
    let debit = row
        .debit_account_code
        .as_deref()
        .and_then(account_code)
        .ok_or_else(|| record.missing("DebitAccountCode"))?;
    let credit = row
        .credit_account_code
        .as_deref()
        .and_then(account_code)
        .ok_or_else(|| record.missing("CreditAccountCode"))?;
    let description = text(row.transaction);
    let line = |line_no, account_code, amount| LedgerLine {
        line_no,
        date,
        account_code,
        amount,
        description: description.clone(),
    };
    let entry = LedgerEntry {
        source_id: id.to_string(),
        journal_number: None,
        source_type: text(row.kind),
        reference: text(row.reference),
        lines: vec![line(0, debit, amount), line(1, credit, -amount)],
    };
    Ok(Record { external_id: id.to_string(), updated_at: None, payload: Payload::Ledger(entry) })
}

/// A detail's `Transactions[]` → one ledger entry with source id `{endpoint}/{id}`, with the
/// slice it is stored as and that id. A detail without postings gives an entry without lines,
/// which clears any lines stored before.
pub(super) fn task_ledger(
    endpoint: Endpoint,
    id: &str,
    raw: &Value,
    source_type: Option<&str>,
    reference: Option<String>,
) -> (Value, String, Result<Record, NormaliseError>) {
    let items: Vec<Value> = elements(raw, "Transactions").into_iter().cloned().collect();
    let source_id = format!("{endpoint}/{id}");
    let record = RecordRef::new(endpoint, source_id.clone());
    let entry = (0u32..).zip(&items).try_fold(Vec::new(), |mut lines, (index, item)| {
        let posting: TaskTransaction = parse(&record, item)?;
        let field = |name: &str| format!("Transactions[{index}].{name}");
        let date = record
            .date(&field("EffectiveDate"), posting.effective_date)?
            .ok_or_else(|| record.missing(field("EffectiveDate")))?;
        let amount = posting.amount.ok_or_else(|| record.missing(field("Amount")))?;
        let debit = posting
            .debit
            .as_deref()
            .and_then(account_code)
            .ok_or_else(|| record.missing(field("Debit")))?;
        let credit = posting
            .credit
            .as_deref()
            .and_then(account_code)
            .ok_or_else(|| record.missing(field("Credit")))?;
        let description = text(posting.description);
        lines.push(LedgerLine {
            line_no: index * 2,
            date,
            account_code: debit,
            amount,
            description: description.clone(),
        });
        lines.push(LedgerLine {
            line_no: index * 2 + 1,
            date,
            account_code: credit,
            amount: -amount,
            description,
        });
        Ok(lines)
    });
    let result = entry.map(|lines| Record {
        external_id: source_id.clone(),
        updated_at: None,
        payload: Payload::Ledger(LedgerEntry {
            source_id: source_id.clone(),
            journal_number: None,
            source_type: source_type.map(String::from),
            reference,
            lines,
        }),
    });
    (slice(raw, "Transactions", items), source_id, result)
}
